import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addConnection, editConnection, listConnections, removeConnection, showConnection, type ConnectionCommandIo } from '../../src/cli/commands/connection.js';
import { ConnectionStore, workerConnectionSource } from '../../src/connections/store.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

let simulator: RunningSimulator;
let folder: string;
let storeFile: string;
let refusedPort: number;

interface FakeIo extends ConnectionCommandIo {
  out: string[];
  err: string[];
}

/** Returns command I/O that records output, reads `stdin` as standard input and answers prompts from `answers`. */
function fakeIo(stdin = '', answers: string[] = []): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    env: { RANCHER_CONNECTIONS_FILE: storeFile },
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: async () => stdin,
    promptHidden: async (question) => {
      err.push(question);
      return answers.shift() ?? '';
    },
    prompt: async (question) => {
      err.push(question);
      return answers.shift() ?? '';
    },
    timeoutMs: 3000,
  };
}

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  refusedPort = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await simulator?.close();
});

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'rancher-connections-'));
  storeFile = path.join(folder, 'config', 'connections.json');
});

async function addWorking(id = 'lab'): Promise<FakeIo> {
  const io = fakeIo(`${simulator.tokens.admin}\n`);
  const code = await addConnection({ id, domain: simulator.domain, tokenStdin: true, caFile: simulator.caFile }, io);
  expect(code).toBe(0);
  return io;
}

describe('connection store', () => {
  it('writes the file with mode 0600', async () => {
    await addWorking();

    const fileMode = (await stat(storeFile)).mode & 0o777;
    const folderMode = (await stat(path.dirname(storeFile))).mode & 0o777;
    expect(fileMode).toBe(0o600);
    expect(folderMode).toBe(0o700);
  });

  it('saves a tested connection with its domain and CA file', async () => {
    await addWorking();

    const { file } = await new ConnectionStore(storeFile).read();
    expect(file.connections.lab?.domain).toBe(simulator.domain);
    expect(file.connections.lab?.caFile).toBe(simulator.caFile);
    expect(file.connections.lab?.token).toBe(simulator.tokens.admin);
    expect(file.connections.lab?.testedAt).toMatch(/^20/);
  });

  it('keeps a token file as a reference', async () => {
    const tokenFile = path.join(folder, 'key');
    await writeFile(tokenFile, `${simulator.tokens.admin}\n`);
    const code = await addConnection({ id: 'by-file', domain: simulator.domain, tokenFile, caFile: simulator.caFile }, fakeIo());

    const { file } = await new ConnectionStore(storeFile).read();
    expect(code).toBe(0);
    expect(file.connections['by-file']?.tokenFile).toBe(tokenFile);
    expect(file.connections['by-file']?.token).toBeUndefined();
  });

  it('leaves the file unchanged after a failed add', async () => {
    await addWorking();
    const before = await readFile(storeFile);
    const io = fakeIo(`${simulator.tokens.admin}\n`);

    const code = await addConnection({ id: 'broken', domain: `127.0.0.1:${refusedPort}`, tokenStdin: true, caFile: simulator.caFile }, io);

    expect(code).toBe(1);
    expect(io.err.join('')).toContain('[connection-refused]');
    expect(io.err.join('')).toContain('was not saved');
    expect((await readFile(storeFile)).equals(before)).toBe(true);
  });

  it('creates no file after a failed first add', async () => {
    const code = await addConnection({ id: 'first', domain: 'http://rancher.example.com', tokenStdin: true }, fakeIo(`${simulator.tokens.admin}\n`));

    expect(code).toBe(1);
    await expect(stat(storeFile)).rejects.toThrow(/ENOENT/);
  });

  it('fails without the CA file and passes with it', async () => {
    const without = fakeIo(`${simulator.tokens.admin}\n`);
    const withoutCode = await addConnection({ id: 'self-signed', domain: simulator.domain, tokenStdin: true }, without);
    const withCode = await addConnection({ id: 'self-signed', domain: simulator.domain, tokenStdin: true, caFile: simulator.caFile }, fakeIo(`${simulator.tokens.admin}\n`));

    expect(withoutCode).toBe(1);
    expect(without.err.join('')).toContain('[tls-untrusted]');
    expect(without.err.join('')).toContain('--ca-file');
    expect(withCode).toBe(0);
  });

  it('refuses an id that exists', async () => {
    await addWorking();

    await expect(addConnection({ id: 'lab', domain: simulator.domain, tokenStdin: true }, fakeIo('x'))).rejects.toThrow(/already exists.*connection edit lab/);
  });

  it('asks for the key when no token option is given', async () => {
    const io = fakeIo('', [simulator.tokens.admin]);

    const code = await addConnection({ id: 'prompted', domain: simulator.domain, caFile: simulator.caFile }, io);

    expect(code).toBe(0);
    expect(io.err.join('')).toContain('API key for connection "prompted"');
  });
});

describe('connection edit', () => {
  it('re-tests a new domain and keeps the stored token', async () => {
    await addWorking();
    const before = await readFile(storeFile);

    const failed = fakeIo();
    const failedCode = await editConnection('lab', { domain: `127.0.0.1:${refusedPort}` }, failed);
    expect(failedCode).toBe(1);
    expect(failed.err.join('')).toContain('[connection-refused]');
    expect((await readFile(storeFile)).equals(before)).toBe(true);

    const moved = fakeIo();
    const movedCode = await editConnection('lab', { domain: `127.0.0.1:${simulator.port}` }, moved);
    const { file } = await new ConnectionStore(storeFile).read();
    expect(movedCode).toBe(0);
    expect(moved.out.join('')).toContain('works');
    expect(file.connections.lab?.domain).toBe(`127.0.0.1:${simulator.port}`);
    expect(file.connections.lab?.token).toBe(simulator.tokens.admin);
  });

  it('keeps everything when the answers are blank', async () => {
    await addWorking();
    const before = await readFile(storeFile);
    const io = fakeIo('', ['', '']);

    const code = await editConnection('lab', {}, io);

    expect(code).toBe(0);
    expect(io.err.join('')).toContain(`Domain [${simulator.domain}]`);
    expect(io.err.join('')).toContain(`ending in "…${simulator.tokens.admin.slice(-4)}"`);
    expect(io.err.join('')).toContain('Nothing changed');
    expect((await readFile(storeFile)).equals(before)).toBe(true);
  });

  it('re-tests a new token and keeps the old one when it fails', async () => {
    await addWorking();
    const before = await readFile(storeFile);
    const io = fakeIo(simulator.tokens.expired);

    const code = await editConnection('lab', { tokenStdin: true }, io);

    expect(code).toBe(1);
    expect(io.err.join('')).toContain('[key-rejected]');
    expect((await readFile(storeFile)).equals(before)).toBe(true);
  });
});

describe('connection show and list', () => {
  it('masks the token in every output', async () => {
    const added = await addWorking();
    const show = fakeIo();
    const showJson = fakeIo();
    const list = fakeIo();
    const listJson = fakeIo();

    await showConnection('lab', {}, show);
    await showConnection('lab', { json: true }, showJson);
    await listConnections({}, list);
    await listConnections({ json: true }, listJson);

    const hint = `…${simulator.tokens.admin.slice(-4)}`;
    expect(show.out.join('')).toContain(hint);
    expect(list.out.join('')).toContain(hint);
    expect(JSON.parse(listJson.out.join(''))[0].token).toBe(hint);
    const secret = simulator.tokens.admin.split(':')[1]!;
    for (const io of [added, show, showJson, list, listJson]) {
      const text = [...io.out, ...io.err].join('');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(simulator.tokens.admin);
    }
  });

  it('removes a connection', async () => {
    await addWorking();

    await removeConnection('lab', fakeIo());

    const { file } = await new ConnectionStore(storeFile).read();
    expect(file.connections.lab).toBeUndefined();
  });
});

describe('worker connection source', () => {
  it('sees an edit without a restart', async () => {
    await addWorking();
    const source = workerConnectionSource({ RANCHER_CONNECTIONS_FILE: storeFile });
    const first = await source.get('lab');

    await editConnection('lab', { domain: `127.0.0.1:${simulator.port}` }, fakeIo());
    const second = await source.get('lab');

    expect(first.domain).toBe(simulator.domain);
    expect(second.domain).toBe(`127.0.0.1:${simulator.port}`);
    expect(await source.list!()).toEqual([{ id: 'lab', domain: `127.0.0.1:${simulator.port}` }]);
  });

  it('names an unknown connection and the fix', async () => {
    const source = workerConnectionSource({ RANCHER_CONNECTIONS_FILE: storeFile });

    await expect(source.get('nowhere')).rejects.toThrow(/Unknown Rancher connection "nowhere".*connection add --id nowhere/);
  });
});

// Runs dist/ as `npm test` builds it; after a source change run `npm run build` first.
describe('built CLI', () => {
  it('adds, shows and lists without printing the token', async () => {
    const env = { ...process.env, RANCHER_CONNECTIONS_FILE: storeFile };
    const add = run('node', [cliPath, 'connection', 'add', '--id', 'cli', '--domain', simulator.domain, '--token-stdin', '--ca-file', simulator.caFile], { env });
    add.child.stdin?.end(`${simulator.tokens.admin}\n`);
    const added = await add;
    const shown = await run('node', [cliPath, 'connection', 'show', 'cli'], { env });
    const listed = await run('node', [cliPath, 'connection', 'list', '--json'], { env });
    const failedAdd = run('node', [cliPath, 'connection', 'add', '--id', 'cli-2', '--domain', `127.0.0.1:${refusedPort}`, '--token-stdin'], { env });
    failedAdd.child.stdin?.end(`${simulator.tokens.admin}\n`);
    const failed = await failedAdd.catch((error: { stdout: string; stderr: string; code: number }) => error);

    const output = [added, shown, listed, failed].flatMap((result) => [result.stdout, result.stderr]).join('\n');
    const secret = simulator.tokens.admin.split(':')[1]!;
    expect(added.stdout).toContain('works');
    expect(shown.stdout).toContain(`…${simulator.tokens.admin.slice(-4)}`);
    expect((failed as { code: number }).code).toBe(1);
    expect(failed.stderr).toContain('[connection-refused]');
    expect(output).not.toContain(secret);
  }, 60_000);
});
