/**
 * The connection test through a real Temporal dev server: each failure the simulator can
 * produce ends in one named problem whose message names the value and the fix.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { testRancherConnection, watchRancherConnections } from '../../workflows/index.js';
import { removeWatchSchedule, upsertWatchSchedule, watchScheduleId } from '../../src/cli/commands/connection.js';
import { staticConnectionSource, type ConnectionRecord } from '../../src/connections/source.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { collectStrings, startTestWorker, testWorkflowId, workerLogs, type TestWorker } from '../helpers/temporal.js';

const dayMs = 24 * 60 * 60 * 1000;
const requestTimeoutMs = 1500;

/** Resolves `localhost` to 127.0.0.1 and fails every other name, so no real DNS lookup happens. */
const testLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== 'localhost') {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
    callback(error, '', 4);
    return;
  }
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let rancher: RunningSimulator;
let slow: RunningSimulator;
let failing: RunningSimulator;
let html: RunningSimulator;
let json: RunningSimulator;
let explaining: RunningSimulator;
let otherName: RunningSimulator;
let temporal: TestWorker;
const secrets: string[] = [];
let refusedPort: number;
let extToken: { bearer: string; expiresAt: string };

function record(id: string, simulator: RunningSimulator, token: string, extra: Partial<ConnectionRecord> = {}): ConnectionRecord {
  secrets.push(token);
  return { id, domain: simulator.domain, token, caPem: simulator.caPem, ...extra };
}

beforeAll(async () => {
  rancher = await startSimulator({ faults: { enforceRbac: true } });
  slow = await startSimulator({ faults: { latencyMs: requestTimeoutMs * 3 } });
  failing = await startSimulator({ faults: { serverErrorStatus: 503 } });
  html = await startSimulator({ faults: { foreignResponse: 'html' } });
  json = await startSimulator({ faults: { foreignResponse: 'json' } });
  explaining = await startSimulator({ faults: { explainUnauthorized: true } });
  otherName = await startSimulator({ hostNames: ['rancher.other.test'] });
  refusedPort = await closedPort();

  const admin = rancher.tokens.admin;
  const [accessKey, secretKey] = admin.split(':') as [string, string];
  const standardUser = rancher.addToken({ userId: rancher.users.localUserIds[0]! }).bearer;
  const scoped = explaining.addToken({ userId: explaining.users.adminUserId, clusterName: 'c-m-4bx2q7dz' }).bearer;
  const expiredAt = new Date(Date.now() - dayMs).toISOString();
  extToken = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 3 * dayMs });

  temporal = await startTestWorker({
    requestTimeoutMs,
    lookup: testLookup,
    connections: staticConnectionSource([
      record('ok', rancher, admin),
      record('ext', rancher, extToken.bearer),
      record('domain-empty', rancher, admin, { domain: '' }),
      record('domain-invalid', rancher, admin, { domain: 'rancher_example.com' }),
      record('domain-url', rancher, admin, { domain: `https://${rancher.domain}/dashboard/home` }),
      record('domain-path', rancher, admin, { domain: `${rancher.domain}/v3` }),
      record('domain-http', rancher, admin, { domain: `http://${rancher.domain}` }),
      record('domain-whitespace', rancher, admin, { domain: 'rancher example.com' }),
      record('domain-trailing-dot', rancher, admin, { domain: 'rancher.example.com.' }),
      record('dns', rancher, admin, { domain: 'rancher.example.invalid' }),
      record('refused', rancher, admin, { domain: `127.0.0.1:${refusedPort}` }),
      record('timeout', slow, slow.tokens.admin),
      record('no-ca', rancher, admin, { caPem: undefined }),
      record('other-name', otherName, otherName.tokens.admin),
      record('html', html, html.tokens.admin),
      record('json', json, json.tokens.admin),
      record('access-key-only', rancher, accessKey),
      record('secret-key-only', rancher, secretKey),
      record('wrong-secret', rancher, `${accessKey}:${'x'.repeat(54)}`),
      record('expired-known', rancher, rancher.tokens.expired, { expiresAt: expiredAt }),
      record('expired-explained', explaining, explaining.tokens.expired),
      record('scoped', explaining, scoped),
      record('scoped-generic', rancher, rancher.addToken({ userId: rancher.users.adminUserId, clusterName: 'c-m-4bx2q7dz' }).bearer),
      record('standard-user', rancher, standardUser),
      record('server-error', failing, failing.tokens.admin),
    ]),
  });
});

afterAll(async () => {
  await temporal?.close();
  for (const simulator of [rancher, slow, failing, html, json, explaining, otherName]) await simulator?.close();
});

function testConnection(connection: string, workflowId = testWorkflowId('test-connection', connection)) {
  return temporal.client.workflow.execute<typeof testRancherConnection>('testRancherConnection', {
    taskQueue: temporal.taskQueue,
    workflowId,
    args: [{ connection }],
  });
}

interface Case {
  connection: string;
  code: string;
  /** Texts the message must contain: the value, then the fix. */
  mentions: () => string[];
}

const cases: Case[] = [
  { connection: 'domain-empty', code: 'domain-empty', mentions: () => ['Invalid Rancher domain ""', 'rancher.example.com'] },
  { connection: 'domain-invalid', code: 'domain-invalid', mentions: () => ['"rancher_example.com"', 'letters, digits and hyphens'] },
  { connection: 'domain-url', code: 'domain-url', mentions: () => ['"/dashboard/home"', `Use "${rancher.domain}"`] },
  { connection: 'domain-path', code: 'domain-path', mentions: () => ['"/v3"', `Use "${rancher.domain}"`] },
  { connection: 'domain-http', code: 'domain-http', mentions: () => [`"http://${rancher.domain}"`, `Use "${rancher.domain}"`] },
  { connection: 'domain-whitespace', code: 'domain-whitespace', mentions: () => ['"rancher example.com"', 'with no spaces'] },
  { connection: 'domain-trailing-dot', code: 'domain-trailing-dot', mentions: () => ['"rancher.example.com."', 'Use "rancher.example.com" without the trailing dot'] },
  { connection: 'dns', code: 'dns', mentions: () => ['"rancher.example.invalid"', 'Check the spelling'] },
  { connection: 'refused', code: 'connection-refused', mentions: () => [`127.0.0.1:${refusedPort}`, 'Check that Rancher is running'] },
  { connection: 'timeout', code: 'timeout', mentions: () => [slow.domain, `${requestTimeoutMs} ms`, 'firewall'] },
  { connection: 'no-ca', code: 'tls-untrusted', mentions: () => [rancher.domain, '--ca-file', `https://${rancher.domain}/cacerts`] },
  { connection: 'other-name', code: 'tls-hostname-mismatch', mentions: () => [otherName.domain, 'rancher.other.test', 'Use the domain the certificate was issued for'] },
  { connection: 'html', code: 'not-rancher', mentions: () => [html.domain, 'HTML page', 'the Rancher server itself'] },
  { connection: 'json', code: 'not-rancher', mentions: () => [json.domain, 'not a Kubernetes', 'the Rancher server itself'] },
  { connection: 'access-key-only', code: 'key-incomplete', mentions: () => [rancher.domain, 'only the access key', '"token-xxxxx:<secret key>"'] },
  { connection: 'secret-key-only', code: 'key-incomplete', mentions: () => [`…${rancher.tokens.admin.slice(-4)}`, 'only the secret key', '"token-xxxxx:<secret key>"'] },
  { connection: 'wrong-secret', code: 'key-rejected', mentions: () => [rancher.domain, 'scoped to a cluster', 'connection edit wrong-secret --token-stdin'] },
  { connection: 'expired-known', code: 'key-expired', mentions: () => [`…${rancher.tokens.expired.slice(-4)}`, 'expired at 20', 'Create a new API key'] },
  { connection: 'expired-explained', code: 'key-expired', mentions: () => ['token is expired', 'Create a new API key'] },
  { connection: 'scoped', code: 'key-cluster-scoped', mentions: () => ['cluster "c-m-4bx2q7dz"', 'Scope: No Scope'] },
  { connection: 'scoped-generic', code: 'key-rejected', mentions: () => ['scoped to a cluster', 'Scope: No Scope'] },
  { connection: 'standard-user', code: 'forbidden', mentions: () => [`user "${rancher.users.localUserIds[0]}"`, 'may not list users', 'Manage Users'] },
  { connection: 'server-error', code: 'server-error', mentions: () => [failing.domain, '503', 'kubectl -n cattle-system logs'] },
];

describe('testRancherConnection diagnosis', () => {
  it('passes with a working key and counts users', async () => {
    const result = await temporal.runUntil(() => testConnection('ok'));

    expect(result.ok).toBe(true);
    expect(result.problem).toBeUndefined();
    expect(result.domain).toBe(rancher.domain);
    expect(result.userCount).toBe(25);
    expect(result.tokenHint).toBe(rancher.tokens.admin.slice(-4));
  });

  it('reports the expiry of an ext token', async () => {
    const result = await temporal.runUntil(() => testConnection('ext'));

    expect(result.ok).toBe(true);
    expect(result.expiresAt).toBe(extToken.expiresAt);
  });

  it.each(cases)('names $code for connection $connection', async ({ connection, code, mentions }) => {
    const result = await temporal.runUntil(() => testConnection(connection));

    expect(result.ok).toBe(false);
    expect(result.problem?.code).toBe(code);
    for (const text of mentions()) expect(result.problem?.message).toContain(text);
  });

  it('fails without the CA file and passes with it', async () => {
    const without = await temporal.runUntil(() => testConnection('no-ca'));
    const withCa = await temporal.runUntil(() => testConnection('ok'));

    expect(without.problem?.code).toBe('tls-untrusted');
    expect(withCa.ok).toBe(true);
  });

  it('keeps every token out of history and logs', async () => {
    const workflowIds = ['wrong-secret', 'access-key-only', 'secret-key-only', 'ext'].map((connection) => testWorkflowId('test-connection', connection));
    await temporal.runUntil(() => Promise.all(workflowIds.map((id) => testConnection(id.split('/')[1]!, id))));
    const histories = await Promise.all(workflowIds.map((id) => temporal.client.workflow.getHandle(id).fetchHistory()));
    const historyText = collectStrings(histories).join('\n');
    const logText = workerLogs.map((entry) => `${entry.message} ${JSON.stringify(entry.meta ?? {})}`).join('\n');

    expect(historyText).toContain('diagnoseRancherConnection');
    expect(logText).toContain('Rancher connection test failed');
    for (const token of secrets) {
      for (const part of [token, ...token.split(/[:/]/).filter((piece) => piece.length >= 20)]) {
        expect(historyText).not.toContain(part);
        expect(logText).not.toContain(part);
      }
    }
  });
});

describe('watchRancherConnections', () => {
  it('warns before expiry and logs an error once expired', async () => {
    const expiring = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 3 * dayMs });
    const expired = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 1000 });
    secrets.push(expiring.bearer, expired.bearer);
    const watch = await startTestWorker({
      connections: staticConnectionSource([
        { id: 'expiring', domain: rancher.domain, token: expiring.bearer, caPem: rancher.caPem },
        { id: 'expired', domain: rancher.domain, token: expired.bearer, caPem: rancher.caPem, expiresAt: expired.expiresAt },
        { id: 'healthy', domain: rancher.domain, token: rancher.tokens.admin, caPem: rancher.caPem },
      ]),
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const logsBefore = workerLogs.length;

    const result = await watch.runUntil(() =>
      watch.client.workflow.execute<typeof watchRancherConnections>('watchRancherConnections', {
        taskQueue: watch.taskQueue,
        workflowId: testWorkflowId('connection-watch'),
      }),
    );
    await watch.close();
    const logs = workerLogs.slice(logsBefore);
    const byState = Object.fromEntries(result.connections.map((item) => [item.connection, item]));
    const warning = logs.find((entry) => entry.message === 'Rancher API key expires soon');
    const error = logs.find((entry) => entry.message === 'Rancher API key has expired');

    expect(byState.expiring?.state).toBe('expiring');
    expect(byState.expiring?.threshold).toBe(7);
    expect(byState.expiring?.daysLeft).toBe(2);
    expect(byState.expired?.state).toBe('expired');
    expect(byState.healthy?.state).toBe('ok');
    expect(warning?.level).toBe('WARN');
    expect(warning?.meta?.connection).toBe('expiring');
    expect(error?.level).toBe('ERROR');
    expect(error?.meta?.connection).toBe('expired');
  });
});

describe('watchRancherConnections on a schedule', () => {
  it('warns once when a key crosses a level', async () => {
    const sixHoursMs = 6 * 60 * 60 * 1000;
    const crossing = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 7 * dayMs - 60 * 60 * 1000 });
    const inside = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 3 * dayMs });
    secrets.push(crossing.bearer, inside.bearer);
    const watch = await startTestWorker({
      connections: staticConnectionSource([
        { id: 'crossing', domain: rancher.domain, token: crossing.bearer, caPem: rancher.caPem },
        { id: 'inside', domain: rancher.domain, token: inside.bearer, caPem: rancher.caPem },
      ]),
    });
    const logsBefore = workerLogs.length;

    const result = await watch.runUntil(() =>
      watch.client.workflow.execute<typeof watchRancherConnections>('watchRancherConnections', {
        taskQueue: watch.taskQueue,
        workflowId: testWorkflowId('connection-watch'),
        args: [{ everyMs: sixHoursMs }],
      }),
    );
    await watch.close();
    const warnings = workerLogs.slice(logsBefore).filter((entry) => entry.message === 'Rancher API key expires soon');

    expect(result.connections.map((item) => item.state)).toEqual(['expiring', 'expiring']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.meta?.connection).toBe('crossing');
    expect(warnings[0]?.meta?.thresholdDays).toBe(7);
  });
});

describe('connection watch schedule', () => {
  it('starts watchRancherConnections when triggered', async () => {
    // Crossed the 7-day level within the last 6 hours, so the scheduled run warns.
    const expiring = rancher.addExtToken({ userId: rancher.users.adminUserId, ttlMs: 7 * dayMs - 60 * 60 * 1000 });
    secrets.push(expiring.bearer);
    const watch = await startTestWorker({
      connections: staticConnectionSource([{ id: 'expiring', domain: rancher.domain, token: expiring.bearer, caPem: rancher.caPem }]),
    });

    const created = await upsertWatchSchedule(watch.client, { everyMs: 6 * 60 * 60 * 1000, taskQueue: watch.taskQueue });
    const updated = await upsertWatchSchedule(watch.client, { everyMs: 6 * 60 * 60 * 1000, taskQueue: watch.taskQueue });
    const handle = watch.client.schedule.getHandle(watchScheduleId);
    const logsBefore = workerLogs.length;
    const result = await watch.runUntil(async () => {
      await handle.trigger();
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const running = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (running) return watch.client.workflow.getHandle(running).result();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the schedule started no workflow within 10 s');
    });
    const removed = await removeWatchSchedule(watch.client);
    await watch.close();

    expect(created).toBe(true);
    expect(updated).toBe(false);
    expect(removed).toBe(true);
    expect(result.connections[0]?.state).toBe('expiring');
    expect(workerLogs.slice(logsBefore).some((entry) => entry.message === 'Rancher API key expires soon' && entry.level === 'WARN')).toBe(true);
  });
});
