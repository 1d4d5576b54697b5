/**
 * `connection add|edit|test|show|list|remove|watch`: manage the connection store.
 *
 * `add` and `edit` run the connection test in this process before they save, so the token never
 * passes through Temporal and a failed test saves nothing. No flag takes the token itself, so it
 * never lands in shell history or in `ps` output.
 */
import { readFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { diagnoseConnection, type ConnectionDiagnosis } from '../../connections/diagnose.js';
import { ConnectionStore, connectionIdPattern, connectionsFilePath, resolveStoredConnection, workerConnectionSource, type StoredConnection } from '../../connections/store.js';
import { tokenHint } from '../../connections/source.js';
import type { testRancherConnection } from '../../../workflows/index.js';
import { connectClient, workflowId } from '../../temporal/client.js';
import { taskQueueFromEnv } from '../../worker.js';
import { describeFailure, formatTable } from '../output.js';
import { formatConnectionTest } from './test-connection.js';

/** Id of the Temporal Schedule that `connection watch` creates. */
export const watchScheduleId = 'rancher-workflows/connection-watch';

/** Input and output of the connection commands, replaceable in tests. */
export interface ConnectionCommandIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** Asks for a secret without echo; throws when there is no terminal. */
  promptHidden(question: string): Promise<string>;
  /** Asks for a visible value; throws when there is no terminal. */
  prompt(question: string): Promise<string>;
  /** Resolver for the connection test; tests pass one so that no real DNS lookup happens. */
  lookup?: LookupFunction;
  /** Timeout of each request of the connection test, in milliseconds. */
  timeoutMs?: number;
}

export interface AddFlags {
  id: string;
  domain: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  caFile?: string;
  json?: boolean;
}

export interface EditFlags {
  domain?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  caFile?: string;
  /** False when `--no-ca-file` removes the CA file. */
  caFileKeep?: boolean;
  json?: boolean;
}

/** An error of a connection command, printed without a stack; the command exits with 1. */
export class ConnectionCommandError extends Error {
  override readonly name = 'ConnectionCommandError';
}

function parseConnectionId(value: string): string {
  if (!connectionIdPattern.test(value)) {
    throw new InvalidArgumentError(`the connection id must be 1 to 63 lower-case letters, digits or dashes, starting and ending with a letter or digit; got "${value}".`);
  }
  return value;
}

async function readFileFor(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConnectionCommandError(`The ${what} "${file}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give a readable file.`, {
      cause: error,
    });
  }
}

/** The token as given, and how to store it: inline, or as a reference to its file. */
interface TokenInput {
  token: string;
  stored: Pick<StoredConnection, 'token' | 'tokenFile'>;
}

async function readTokenInput(flags: { tokenFile?: string; tokenStdin?: boolean }, io: ConnectionCommandIo, question: string): Promise<TokenInput> {
  if (flags.tokenFile && flags.tokenStdin) throw new ConnectionCommandError('Give either --token-file or --token-stdin, not both.');

  if (flags.tokenFile) {
    const file = path.resolve(flags.tokenFile);
    return { token: (await readFileFor(file, 'token file')).trim(), stored: { tokenFile: file } };
  }
  const token = (flags.tokenStdin ? await io.readStdin() : await io.promptHidden(question)).trim();
  return { token, stored: { token } };
}

function printDiagnosis(id: string, diagnosis: ConnectionDiagnosis, io: ConnectionCommandIo): void {
  const line = formatConnectionTest({ connection: id, ...diagnosis });
  if (diagnosis.ok) io.stdout(`${line}\n`);
  else io.stderr(`${line}\n`);
}

function testRecord(diagnosis: ConnectionDiagnosis, now: Date): Pick<StoredConnection, 'expiresAt' | 'testedAt'> {
  return { testedAt: now.toISOString(), ...(diagnosis.expiresAt ? { expiresAt: diagnosis.expiresAt } : {}) };
}

function diagnosisOptions(io: ConnectionCommandIo) {
  return { ...(io.lookup ? { lookup: io.lookup } : {}), ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}) };
}

/**
 * Tests a new connection and saves it only when the test passes. Returns the exit code.
 * @throws {ConnectionCommandError} when the id is taken or a file cannot be read.
 */
export async function addConnection(flags: AddFlags, io: ConnectionCommandIo): Promise<number> {
  const store = new ConnectionStore(connectionsFilePath(io.env));
  const snapshot = await store.read();
  if (snapshot.file.connections[flags.id]) {
    throw new ConnectionCommandError(`Connection "${flags.id}" already exists in ${store.file}. Change it with "rancher-workflows connection edit ${flags.id}", or remove it first.`);
  }
  if (flags.id === 'default' && io.env.RANCHER_DOMAIN?.trim()) {
    throw new ConnectionCommandError('Connection "default" comes from RANCHER_DOMAIN and RANCHER_TOKEN or RANCHER_TOKEN_FILE. Choose another id, or unset RANCHER_DOMAIN.');
  }

  const tokenInput = await readTokenInput(flags, io, `API key for connection "${flags.id}" (token-xxxxx:<secret key>): `);
  const caFile = flags.caFile ? path.resolve(flags.caFile) : undefined;
  const caPem = caFile ? await readFileFor(caFile, 'CA file') : undefined;

  const diagnosis = await diagnoseConnection({ domain: flags.domain, token: tokenInput.token, connection: flags.id, saved: false, ...(caPem ? { caPem } : {}), ...diagnosisOptions(io) });
  printDiagnosis(flags.id, diagnosis, io);
  if (!diagnosis.ok) {
    io.stderr(`Connection "${flags.id}" was not saved.\n`);
    return 1;
  }

  const stored: StoredConnection = { domain: diagnosis.domain, ...tokenInput.stored, ...(caFile ? { caFile } : {}), ...testRecord(diagnosis, new Date()) };
  const connections = { ...snapshot.file.connections, [flags.id]: stored };
  await store.write({ ...snapshot.file, connections }, snapshot);
  io.stderr(`Saved connection "${flags.id}" in ${store.file}.\n`);
  return 0;
}

/**
 * Changes a stored connection. A blank domain or token keeps the stored one; a changed domain,
 * token or CA file is tested first and saved only when the test passes. Returns the exit code.
 * @throws {ConnectionCommandError} when the connection does not exist or a file cannot be read.
 */
export async function editConnection(id: string, flags: EditFlags, io: ConnectionCommandIo): Promise<number> {
  const store = new ConnectionStore(connectionsFilePath(io.env));
  const snapshot = await store.read();
  const current = snapshot.file.connections[id];
  if (!current) throw new ConnectionCommandError(`Connection "${id}" does not exist in ${store.file}. Add it with "rancher-workflows connection add --id ${id} --domain <domain>".`);
  const currentRecord = await resolveStoredConnection(id, current, store.file).catch(() => undefined);

  const interactive = flags.domain === undefined && !flags.tokenFile && !flags.tokenStdin && flags.caFile === undefined && flags.caFileKeep !== false;
  const domainInput = interactive ? await io.prompt(`Domain [${current.domain}]: `) : (flags.domain ?? '');
  const domain = domainInput.trim() === '' ? current.domain : domainInput.trim();

  const hint = currentRecord ? tokenHint(currentRecord.token) : '';
  const wantsToken = interactive || flags.tokenFile || flags.tokenStdin;
  const tokenInput = wantsToken ? await readTokenInput(flags, io, `API key (leave blank to keep${hint ? ` the key ending in "…${hint}"` : ' the stored key'}): `) : undefined;
  const tokenChanged = tokenInput !== undefined && (tokenInput.stored.tokenFile !== undefined ? tokenInput.stored.tokenFile !== current.tokenFile : tokenInput.token !== '');

  let caFile = current.caFile;
  if (flags.caFileKeep === false) caFile = undefined;
  if (flags.caFile) caFile = path.resolve(flags.caFile);

  const domainChanged = domain !== current.domain;
  const caChanged = caFile !== current.caFile;
  if (!domainChanged && !tokenChanged && !caChanged) {
    io.stderr(`Nothing changed in connection "${id}".\n`);
    return 0;
  }

  const token = tokenChanged ? tokenInput!.token : currentRecord?.token ?? '';
  const caPem = caFile ? await readFileFor(caFile, 'CA file') : undefined;
  const diagnosis = await diagnoseConnection({ domain, token, connection: id, ...(caPem ? { caPem } : {}), ...diagnosisOptions(io) });
  printDiagnosis(id, diagnosis, io);
  if (!diagnosis.ok) {
    io.stderr(`Connection "${id}" was not changed.\n`);
    return 1;
  }

  let tokenPart: Pick<StoredConnection, 'token' | 'tokenFile'>;
  if (tokenChanged) tokenPart = tokenInput!.stored;
  else if (current.token !== undefined) tokenPart = { token: current.token };
  else tokenPart = { tokenFile: current.tokenFile };
  const stored: StoredConnection = { domain: diagnosis.domain, ...tokenPart, ...(caFile ? { caFile } : {}), ...testRecord(diagnosis, new Date()) };
  await store.write({ ...snapshot.file, connections: { ...snapshot.file.connections, [id]: stored } }, snapshot);
  io.stderr(`Saved connection "${id}" in ${store.file}.\n`);
  return 0;
}

/** A connection as `show` and `list` print it: the token masked to its last four characters. */
export interface MaskedConnection {
  id: string;
  domain: string;
  /** `env` for connection `default` from RANCHER_*, otherwise the store file. */
  source: string;
  /** `…abcd`, or empty when the token cannot be read. */
  token: string;
  tokenFile?: string;
  caFile?: string;
  expiresAt?: string;
  testedAt?: string;
}

async function maskedConnections(io: ConnectionCommandIo): Promise<MaskedConnection[]> {
  const store = new ConnectionStore(connectionsFilePath(io.env));
  const { file } = await store.read();
  const result: MaskedConnection[] = [];

  if (io.env.RANCHER_DOMAIN?.trim()) {
    const record = await workerConnectionSource(io.env).get('default').catch(() => undefined);
    result.push({ id: 'default', domain: io.env.RANCHER_DOMAIN.trim(), source: 'env', token: record ? `…${tokenHint(record.token)}` : '', ...(io.env.RANCHER_CA_FILE ? { caFile: io.env.RANCHER_CA_FILE } : {}) });
  }
  for (const [id, stored] of Object.entries(file.connections)) {
    if (id === 'default' && result.length > 0) continue;
    const record = await resolveStoredConnection(id, stored, store.file).catch(() => undefined);
    result.push({
      id,
      domain: stored.domain,
      source: store.file,
      token: record ? `…${tokenHint(record.token)}` : '',
      ...(stored.tokenFile ? { tokenFile: stored.tokenFile } : {}),
      ...(stored.caFile ? { caFile: stored.caFile } : {}),
      ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}),
      ...(stored.testedAt ? { testedAt: stored.testedAt } : {}),
    });
  }
  return result;
}

/** Prints one connection with its token masked. Returns the exit code. */
export async function showConnection(id: string, flags: { json?: boolean }, io: ConnectionCommandIo): Promise<number> {
  const connection = (await maskedConnections(io)).find((item) => item.id === id);
  if (!connection) throw new ConnectionCommandError(`Connection "${id}" does not exist. List the known ones with "rancher-workflows connection list".`);

  if (flags.json) {
    io.stdout(`${JSON.stringify(connection, null, 2)}\n`);
    return 0;
  }
  const lines = [
    ['id', connection.id],
    ['domain', connection.domain],
    ['token', `${connection.token || '(cannot be read)'}${connection.tokenFile ? ` from ${connection.tokenFile}` : ''}`],
    ['CA file', connection.caFile ?? '(system CAs)'],
    ['key expires', connection.expiresAt ?? '(not known)'],
    ['last tested', connection.testedAt ?? '(never)'],
    ['source', connection.source],
  ];
  io.stdout(`${lines.map(([name, value]) => `${`${name}:`.padEnd(13)}${value}`).join('\n')}\n`);
  return 0;
}

/** Prints every connection with its token masked. Returns the exit code. */
export async function listConnections(flags: { json?: boolean }, io: ConnectionCommandIo): Promise<number> {
  const connections = await maskedConnections(io);
  if (flags.json) {
    io.stdout(`${JSON.stringify(connections, null, 2)}\n`);
    return 0;
  }
  if (connections.length === 0) {
    io.stderr(`No connections. Add one with "rancher-workflows connection add --id ID --domain DOMAIN", or set RANCHER_DOMAIN and RANCHER_TOKEN.\n`);
    return 0;
  }
  const rows = connections.map((item) => [item.id, item.domain, item.token, item.expiresAt ?? '', item.source]);
  io.stdout(`${formatTable(['ID', 'DOMAIN', 'TOKEN', 'EXPIRES', 'SOURCE'], rows)}\n`);
  return 0;
}

/** Removes a connection from the store. Returns the exit code. */
export async function removeConnection(id: string, io: ConnectionCommandIo): Promise<number> {
  const store = new ConnectionStore(connectionsFilePath(io.env));
  const snapshot = await store.read();
  if (!snapshot.file.connections[id]) throw new ConnectionCommandError(`Connection "${id}" does not exist in ${store.file}.`);

  const connections = Object.fromEntries(Object.entries(snapshot.file.connections).filter(([key]) => key !== id));
  await store.write({ ...snapshot.file, connections }, snapshot);
  io.stderr(`Removed connection "${id}" from ${store.file}.\n`);
  return 0;
}

/** Tests a connection in this process, with the settings this machine has. Returns the exit code. */
export async function testConnectionLocally(id: string, flags: { json?: boolean }, io: ConnectionCommandIo): Promise<number> {
  let diagnosis: ConnectionDiagnosis;
  try {
    const record = await workerConnectionSource(io.env).get(id);
    diagnosis = await diagnoseConnection({
      domain: record.domain,
      token: record.token,
      connection: id,
      ...(record.caPem ? { caPem: record.caPem } : {}),
      ...(record.expiresAt ? { knownExpiresAt: record.expiresAt } : {}),
      ...diagnosisOptions(io),
    });
  } catch (error) {
    throw new ConnectionCommandError((error as Error).message, { cause: error });
  }

  if (flags.json) io.stdout(`${JSON.stringify({ connection: id, ...diagnosis }, null, 2)}\n`);
  else printDiagnosis(id, diagnosis, io);
  return diagnosis.ok ? 0 : 1;
}

/** Parses an interval such as `30m`, `6h` or `1d` into milliseconds. */
export function parseInterval(value: string): number {
  const match = /^([1-9][0-9]*)(m|h|d)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`--every must be a whole number followed by m, h or d, such as "6h"; got "${value}".`);

  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unitMs;
}

/**
 * Creates or updates the Schedule that runs `watchRancherConnections` every `everyMs`.
 * Returns whether it was created (false: updated).
 */
export async function upsertWatchSchedule(client: Client, options: { everyMs: number; taskQueue: string }): Promise<boolean> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'watchRancherConnections',
    taskQueue: options.taskQueue,
    workflowId: 'rancher-workflows/connection-watch/run',
    args: [{ everyMs: options.everyMs }],
  };
  const spec = { intervals: [{ every: options.everyMs }] };
  const handle = client.schedule.getHandle(watchScheduleId);
  try {
    await handle.describe();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({ scheduleId: watchScheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    return true;
  }

  await handle.update((previous) => ({ ...previous, spec, action }));
  return false;
}

/** Deletes the watch Schedule; returns false when none exists. */
export async function removeWatchSchedule(client: Client): Promise<boolean> {
  try {
    await client.schedule.getHandle(watchScheduleId).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

/** Returns the terminal-backed input and output of the connection commands. */
export function processIo(): ConnectionCommandIo {
  const ask = async (question: string, hidden: boolean): Promise<string> => {
    if (!process.stdin.isTTY) {
      throw new ConnectionCommandError('There is no terminal to ask on. Give the API key with --token-file FILE or --token-stdin, and the domain with --domain.');
    }
    let muted = false;
    // Echo goes through this stream, so muting it hides what is typed after the question.
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!muted) process.stderr.write(chunk);
        callback();
      },
    });
    const lines = createInterface({ input: process.stdin, output, terminal: true });
    try {
      const answer = lines.question(question);
      muted = hidden;
      return await answer;
    } finally {
      lines.close();
      if (hidden) process.stderr.write('\n');
    }
  };

  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    promptHidden: (question) => ask(question, true),
    prompt: (question) => ask(question, false),
  };
}

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.exitCode = 1;
    console.error(error instanceof Error ? error.message : String(error));
  }
}

export function registerConnectionCommands(program: Command): void {
  const connection = program
    .command('connection')
    .description('Manage saved Rancher connections (stored in RANCHER_CONNECTIONS_FILE or ~/.config/rancher-workflows/connections.json)');

  connection
    .command('add')
    .description('Test a new connection and save it when the test passes; with neither token option, ask for the API key without echo')
    .requiredOption('--id <id>', 'connection id: lower-case letters, digits and dashes', parseConnectionId)
    .requiredOption('--domain <domain>', 'bare domain of the Rancher server with an optional port, such as rancher.example.com:8443')
    .option('--token-file <file>', 'file that contains the API key; the store keeps the path and reads the file on every use')
    .option('--token-stdin', 'read the API key from standard input; the store keeps the key itself')
    .option('--ca-file <file>', "PEM file with the CA that signed Rancher's certificate, for self-signed installs")
    .action((flags: AddFlags) => run(() => addConnection(flags, processIo())));

  connection
    .command('edit <id>')
    .description('Change a connection; a blank domain or API key keeps the stored one, and a changed domain, key or CA file is tested before it is saved')
    .option('--domain <domain>', 'new domain; empty keeps the stored one')
    .option('--token-file <file>', 'file that contains the new API key')
    .option('--token-stdin', 'read the new API key from standard input; empty input keeps the stored key')
    .option('--ca-file <file>', 'new CA file')
    .option('--no-ca-file', 'remove the CA file and trust the system CAs only')
    .action((id: string, flags: Omit<EditFlags, 'caFile'> & { caFile?: string | false }) => {
      const { caFile, ...rest } = flags;
      const editFlags: EditFlags = { ...rest, ...(caFile === false ? { caFileKeep: false } : typeof caFile === 'string' ? { caFile } : {}) };
      return run(() => editConnection(id, editFlags, processIo()));
    });

  connection
    .command('test <id>')
    .description('Run testRancherConnection on the worker and print the result or the named problem')
    .option('--local', 'run the test in this process instead of on the worker')
    .option('--json', 'print the result as JSON')
    .action((id: string, flags: { local?: boolean; json?: boolean }) =>
      run(async () => {
        if (flags.local) return testConnectionLocally(id, flags, processIo());

        const client = await connectClient();
        try {
          const result = await client.workflow.execute<typeof testRancherConnection>('testRancherConnection', {
            taskQueue: taskQueueFromEnv(),
            workflowId: workflowId(id, 'test-connection'),
            args: [{ connection: id }],
          });
          if (flags.json) console.log(JSON.stringify(result, null, 2));
          else console.log(formatConnectionTest(result));
          return result.ok ? 0 : 1;
        } catch (error) {
          throw new ConnectionCommandError(`The connection test did not run: ${describeFailure(error)}`, { cause: error });
        } finally {
          await client.connection.close();
        }
      }),
    );

  connection
    .command('show <id>')
    .description('Print one connection; the API key shows only its last four characters')
    .option('--json', 'print the connection as JSON')
    .action((id: string, flags: { json?: boolean }) => run(() => showConnection(id, flags, processIo())));

  connection
    .command('list')
    .description('Print every connection; API keys show only their last four characters')
    .option('--json', 'print the connections as JSON')
    .action((flags: { json?: boolean }) => run(() => listConnections(flags, processIo())));

  connection
    .command('remove <id>')
    .description('Remove a connection from the store')
    .action((id: string) => run(() => removeConnection(id, processIo())));

  connection
    .command('watch')
    .description(`Create or update the Temporal Schedule "${watchScheduleId}" that tests every connection and logs a warning 14, 7 and 1 days before a key expires`)
    .addOption(new Option('--every <interval>', 'time between runs: minutes (m), hours (h) or days (d)').argParser(parseInterval).default(parseInterval('6h'), '6h'))
    .option('--remove', 'delete the Schedule')
    .action((flags: { every: number; remove?: boolean }) =>
      run(async () => {
        const client = await connectClient();
        try {
          if (flags.remove) {
            const removed = await removeWatchSchedule(client);
            console.error(removed ? `Deleted Schedule "${watchScheduleId}".` : `Schedule "${watchScheduleId}" does not exist.`);
            return 0;
          }
          const created = await upsertWatchSchedule(client, { everyMs: flags.every, taskQueue: taskQueueFromEnv() });
          console.error(`${created ? 'Created' : 'Updated'} Schedule "${watchScheduleId}": watchRancherConnections every ${flags.every % 3_600_000 === 0 ? `${flags.every / 3_600_000} h` : `${flags.every / 60_000} min`} on task queue "${taskQueueFromEnv()}".`);
          return 0;
        } finally {
          await client.connection.close();
        }
      }),
    );
}
