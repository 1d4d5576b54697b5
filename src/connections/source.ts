/**
 * Where the worker finds a Rancher connection: the domain, the API key and an optional CA.
 *
 * A source is read on every request, so an edited token file or environment takes effect
 * without a worker restart. The token stays inside the worker: only `describeConnection`
 * output (domain, last four characters, expiry) may travel into workflow history.
 */
import { readFile } from 'node:fs/promises';
import { parseRancherDomain } from '../rancher/domain.js';

/** A connection as the worker uses it, token included. Never return this from an activity. */
export interface ConnectionRecord {
  id: string;
  domain: string;
  token: string;
  caPem?: string;
  expiresAt?: string;
}

/** The part of a connection that may appear in workflow history, logs and output. */
export interface ConnectionDescriptor {
  id: string;
  domain: string;
  /** The last four characters of the API key, so a person can tell keys apart. */
  tokenHint: string;
  expiresAt?: string;
}

/** Resolves a connection id to its current settings. */
export interface ConnectionSource {
  /** Returns the connection named `id`. Throws {@link ConnectionConfigError} when it is unknown or incomplete. */
  get(id: string): Promise<ConnectionRecord>;
  /** Returns the id and domain of every configured connection, never a token. */
  list?(): Promise<ConnectionSummary[]>;
}

/** A connection's id and domain, the part that lists and schedules need. */
export interface ConnectionSummary {
  id: string;
  domain: string;
}

/** A connection that is missing, unknown or configured wrongly; found before any network call. */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';

  constructor(
    message: string,
    readonly connection: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Returns the last four characters of a token, the only part that is ever shown.
 * A token shorter than 16 characters is no real API key, and showing a quarter of it would leak too much.
 */
export function tokenHint(token: string): string {
  return token.length >= 16 ? token.slice(-4) : '';
}

/** Strips the token from a connection. */
export function describeConnection(record: ConnectionRecord): ConnectionDescriptor {
  return {
    id: record.id,
    domain: record.domain,
    tokenHint: tokenHint(record.token),
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
  };
}

async function readConfigFile(path: string, variable: string, connection: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConnectionConfigError(`${variable} is "${path}", which ${reason}. Point ${variable} at a readable file.`, connection, variable, {
      cause: error,
    });
  }
}

/**
 * Reads connection `default` from RANCHER_DOMAIN, RANCHER_TOKEN or RANCHER_TOKEN_FILE, and RANCHER_CA_FILE.
 * Throws {@link ConnectionConfigError} naming the variable when a value is missing or invalid.
 */
export async function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ConnectionRecord> {
  const id = 'default';
  const rawDomain = env.RANCHER_DOMAIN?.trim();
  if (!rawDomain) {
    throw new ConnectionConfigError(
      'RANCHER_DOMAIN is not set. Set it to the bare domain of your Rancher server, for example rancher.example.com or rancher.internal:8443.',
      id,
      'RANCHER_DOMAIN',
    );
  }

  let domain: string;
  try {
    domain = parseRancherDomain(rawDomain).domain;
  } catch (error) {
    throw new ConnectionConfigError(`RANCHER_DOMAIN: ${(error as Error).message}`, id, 'RANCHER_DOMAIN', { cause: error });
  }

  if (env.RANCHER_TOKEN && env.RANCHER_TOKEN_FILE) {
    throw new ConnectionConfigError('Both RANCHER_TOKEN and RANCHER_TOKEN_FILE are set. Set only one of them.', id, 'RANCHER_TOKEN');
  }
  const token = env.RANCHER_TOKEN_FILE
    ? (await readConfigFile(env.RANCHER_TOKEN_FILE, 'RANCHER_TOKEN_FILE', id)).trim()
    : (env.RANCHER_TOKEN ?? '').trim();
  if (!token) {
    const where = env.RANCHER_TOKEN_FILE ? `The file in RANCHER_TOKEN_FILE ("${env.RANCHER_TOKEN_FILE}") is empty` : 'Neither RANCHER_TOKEN nor RANCHER_TOKEN_FILE is set';
    throw new ConnectionConfigError(
      `${where}. Create an API key in Rancher (avatar menu → Account & API Keys → Create API Key, Scope: No Scope) and put its bearer token (token-xxxxx:secret) there.`,
      id,
      'RANCHER_TOKEN',
    );
  }

  const caPem = env.RANCHER_CA_FILE ? await readConfigFile(env.RANCHER_CA_FILE, 'RANCHER_CA_FILE', id) : undefined;
  return { id, domain, token, ...(caPem ? { caPem } : {}) };
}

/** Serves connection `default` from the environment, read again on every call. */
export function envConnectionSource(env: NodeJS.ProcessEnv = process.env): ConnectionSource {
  return {
    async get(id) {
      if (id !== 'default') {
        throw new ConnectionConfigError(
          `Unknown Rancher connection "${id}". Only "default" is configured, from RANCHER_DOMAIN and RANCHER_TOKEN or RANCHER_TOKEN_FILE.`,
          id,
          'connection',
        );
      }
      return connectionFromEnv(env);
    },
    async list() {
      const domain = env.RANCHER_DOMAIN?.trim();
      return domain ? [{ id: 'default', domain }] : [];
    },
  };
}

/** Serves fixed connections, for the demo and tests. */
export function staticConnectionSource(records: ConnectionRecord[]): ConnectionSource {
  const byId = new Map(records.map((record) => [record.id, record]));
  return {
    async get(id) {
      const record = byId.get(id);
      if (!record) {
        const known = [...byId.keys()].map((key) => `"${key}"`).join(', ');
        throw new ConnectionConfigError(`Unknown Rancher connection "${id}". Known connections: ${known}.`, id, 'connection');
      }
      return record;
    },
    async list() {
      return records.map(({ id, domain }) => ({ id, domain }));
    },
  };
}

/** Serves each connection from `first`, and from `second` when `first` does not know it. */
export function layeredConnectionSource(first: ConnectionSource, second: ConnectionSource): ConnectionSource {
  return {
    async get(id) {
      try {
        return await first.get(id);
      } catch (error) {
        if (error instanceof ConnectionConfigError && error.field === 'connection') return second.get(id);
        throw error;
      }
    },
  };
}
