/**
 * The connection store: named Rancher connections in one JSON file, by default
 * `$XDG_CONFIG_HOME/rancher-workflows/connections.json`, or the file RANCHER_CONNECTIONS_FILE names.
 *
 * Each connection has a domain, a token given inline or as a file reference, an optional CA file,
 * and the key expiry that the last successful test found. The file is written with mode 0600 in a
 * folder created with mode 0700, through a temporary file and a rename, so a reader never sees
 * half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseRancherDomain } from '../rancher/domain.js';
import { ConnectionConfigError, envConnectionSource, type ConnectionRecord, type ConnectionSource } from './source.js';

/** Connection ids: 1 to 63 lower-case letters, digits or dashes, starting and ending with a letter or digit. */
export const connectionIdPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const StoredConnectionSchema = z
  .strictObject({
    domain: z.string().min(1),
    /** The bearer token itself. */
    token: z.string().min(1).optional(),
    /** Absolute path of a file that contains the bearer token, read on every use. */
    tokenFile: z.string().min(1).optional(),
    /** Absolute path of a PEM file with the CA that signed Rancher's certificate. */
    caFile: z.string().min(1).optional(),
    /** Expiry of the key as the last successful test found it (ext tokens only). */
    expiresAt: z.string().optional(),
    /** Time of the last successful test. */
    testedAt: z.string().optional(),
  })
  .refine((value) => (value.token === undefined) !== (value.tokenFile === undefined), { message: 'give exactly one of "token" and "tokenFile"' });

const StoreFileSchema = z.strictObject({
  version: z.literal(1),
  connections: z.record(z.string().regex(connectionIdPattern, 'connection ids are 1 to 63 lower-case letters, digits or dashes'), StoredConnectionSchema),
});

/** One stored connection as the file keeps it. */
export type StoredConnection = z.infer<typeof StoredConnectionSchema>;
/** The whole store file. */
export type StoreFile = z.infer<typeof StoreFileSchema>;

/** The store file changed between read and write, or cannot be parsed. */
export class ConnectionStoreError extends Error {
  override readonly name = 'ConnectionStoreError';

  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A snapshot of the store: the parsed file and its text, which a later write compares against. */
export interface StoreSnapshot {
  file: StoreFile;
  /** The file's text when read; undefined when the file did not exist. */
  text: string | undefined;
}

/** Returns the store path: RANCHER_CONNECTIONS_FILE, else the per-user config folder. */
export function connectionsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RANCHER_CONNECTIONS_FILE?.trim()) return path.resolve(env.RANCHER_CONNECTIONS_FILE.trim());

  const configHome = env.XDG_CONFIG_HOME?.trim() || path.join(homedir(), '.config');
  return path.join(configHome, 'rancher-workflows', 'connections.json');
}

/** Reads and writes the connection store file at `file`. */
export class ConnectionStore {
  constructor(readonly file: string) {}

  /**
   * Reads the file; a missing file is an empty store.
   * @throws {ConnectionStoreError} when the file cannot be read or is not a valid store.
   */
  async read(): Promise<StoreSnapshot> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file: { version: 1, connections: {} }, text: undefined };
      throw new ConnectionStoreError(`The connection store "${this.file}" cannot be read: ${(error as Error).message}. Check its permissions.`, this.file, { cause: error });
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConnectionStoreError(`The connection store "${this.file}" is not valid JSON: ${(error as Error).message}. Fix or remove the file.`, this.file, { cause: error });
    }
    const parsed = StoreFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
      throw new ConnectionStoreError(`The connection store "${this.file}" is invalid at ${where}: ${issue?.message ?? 'invalid'}. Fix or remove the file.`, this.file, {
        cause: parsed.error,
      });
    }

    return { file: parsed.data, text };
  }

  /**
   * Writes `file` unless the store changed since `snapshot` was read.
   * @throws {ConnectionStoreError} when another process changed the file in between.
   */
  async write(file: StoreFile, snapshot: StoreSnapshot): Promise<void> {
    const current = await this.read();
    if (current.text !== snapshot.text) {
      throw new ConnectionStoreError(`The connection store "${this.file}" changed while this command ran. Run the command again.`, this.file);
    }

    const folder = path.dirname(this.file);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const temporary = path.join(folder, `.${path.basename(this.file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      // The mode given to writeFile is reduced by the umask; chmod sets it exactly.
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /**
   * Returns the connection `id` with its token and CA read from their files, or undefined when
   * the store has no such connection.
   * @throws {ConnectionStoreError} when the store cannot be read.
   * @throws {ConnectionConfigError} when the domain is invalid or the token or CA file cannot be read.
   */
  async resolve(id: string): Promise<ConnectionRecord | undefined> {
    const stored = (await this.read()).file.connections[id];
    if (!stored) return undefined;

    return resolveStoredConnection(id, stored, this.file);
  }
}

async function readReferencedFile(file: string, what: string, id: string, field: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConnectionConfigError(
      `The ${what} of connection "${id}" is "${file}", which ${reason}. Restore the file or change the connection with "rancher-workflows connection edit ${id}".`,
      id,
      field,
      { cause: error },
    );
  }
}

/**
 * Turns a stored connection into a record with its token and CA read.
 * @throws {ConnectionConfigError} when the domain is invalid or a referenced file cannot be read or is empty.
 */
export async function resolveStoredConnection(id: string, stored: StoredConnection, storeFile: string): Promise<ConnectionRecord> {
  let domain: string;
  try {
    domain = parseRancherDomain(stored.domain).domain;
  } catch (error) {
    throw new ConnectionConfigError(`Connection "${id}" in ${storeFile}: ${(error as Error).message}`, id, 'domain', { cause: error });
  }

  const token = (stored.tokenFile ? await readReferencedFile(stored.tokenFile, 'token file', id, 'tokenFile') : (stored.token ?? '')).trim();
  if (token === '') {
    throw new ConnectionConfigError(`The token file "${stored.tokenFile}" of connection "${id}" is empty. Put the bearer token "token-xxxxx:<secret key>" in it.`, id, 'tokenFile');
  }
  const caPem = stored.caFile ? await readReferencedFile(stored.caFile, 'CA file', id, 'caFile') : undefined;

  return { id, domain, token, ...(caPem ? { caPem } : {}), ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}) };
}

/**
 * Builds the worker's connection source: connection `default` from the RANCHER_* variables when
 * RANCHER_DOMAIN is set, and every connection of the store file. Both are read again on every
 * call, so connections added or edited with `rancher-workflows connection …` take effect
 * without a worker restart.
 */
export function workerConnectionSource(env: NodeJS.ProcessEnv = process.env): ConnectionSource {
  const environment = envConnectionSource(env);
  const usesEnvDefault = () => Boolean(env.RANCHER_DOMAIN?.trim());
  const store = () => new ConnectionStore(connectionsFilePath(env));

  return {
    async get(id) {
      if (id === 'default' && usesEnvDefault()) return environment.get(id);

      const current = store();
      let record: ConnectionRecord | undefined;
      try {
        record = await current.resolve(id);
      } catch (error) {
        if (error instanceof ConnectionStoreError) throw new ConnectionConfigError(error.message, id, 'store', { cause: error });
        throw error;
      }
      if (record) return record;

      if (id === 'default') return environment.get(id);
      throw new ConnectionConfigError(
        `Unknown Rancher connection "${id}": the connection store ${current.file} has no such connection. Add it with "rancher-workflows connection add --id ${id} --domain <domain>", or list the known ones with "rancher-workflows connection list".`,
        id,
        'connection',
      );
    },

    async list() {
      const fromEnv = usesEnvDefault() ? await environment.list!() : [];
      const stored = Object.entries((await store().read()).file.connections)
        .filter(([id]) => !(id === 'default' && fromEnv.length > 0))
        .map(([id, connection]) => ({ id, domain: connection.domain }));
      return [...fromEnv, ...stored];
    },
  };
}
