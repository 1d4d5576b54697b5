import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { listRancherUsers, testRancherConnection } from '../../workflows/index.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { collectStrings, startTestWorker, testWorkflowId, workerLogs, type TestWorker } from '../helpers/temporal.js';

let simulator: RunningSimulator;
let large: RunningSimulator;
let temporal: TestWorker;
const WRONG_TOKEN = 'token-zzzzz:0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh';

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  large = await startSimulator({ port: 0, users: 30, seed: 7 });
  temporal = await startTestWorker({
    connections: staticConnectionSource([
      { id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem },
      { id: 'thirty', domain: large.domain, token: large.tokens.admin, caPem: large.caPem },
      { id: 'wrong-key', domain: simulator.domain, token: WRONG_TOKEN, caPem: simulator.caPem },
      { id: 'no-ca', domain: simulator.domain, token: simulator.tokens.admin },
    ]),
  });
});

afterAll(async () => {
  await temporal?.close();
  await simulator?.close();
  await large?.close();
});

function listUsers(input: Parameters<typeof listRancherUsers>[0]) {
  return temporal.client.workflow.execute<typeof listRancherUsers>('listRancherUsers', {
    taskQueue: temporal.taskQueue,
    workflowId: testWorkflowId('users', input?.connection),
    args: [input],
  });
}

describe('listRancherUsers', () => {
  it('returns every seeded user', async () => {
    const result = await temporal.runUntil(() => listUsers({}));

    expect(result.count).toBe(25);
    expect(result.kind).toBe('User');
    expect(result.truncated).toBe(false);
    expect(new Set(result.items.map((user) => user.id)).size).toBe(25);
    expect(result.items.some((user) => user.id.startsWith('user-'))).toBe(true);
    expect(result.items.every((user) => /^(u|user)-[a-z0-9]{5,10}$/.test(user.id))).toBe(true);
    expect(result.items.some((user) => /[\u0080-\u{10ffff}]/u.test(user.displayName ?? ''))).toBe(true);
  });

  it('pages 30 users seven at a time', async () => {
    const result = await temporal.runUntil(() => listUsers({ connection: 'thirty', pageSize: 7 }));

    expect(result.count).toBe(30);
    expect(new Set(result.items.map((user) => user.id)).size).toBe(30);
  });

  it('stops at maxItems and says so', async () => {
    const result = await temporal.runUntil(() => listUsers({ connection: 'thirty', pageSize: 7, maxItems: 10 }));

    expect(result.count).toBe(10);
    expect(result.truncated).toBe(true);
  });

  it('fails at once on a rejected key', async () => {
    const error = await temporal.runUntil(() => listUsers({ connection: 'wrong-key' })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (error as WorkflowFailedError).cause;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const failure = (activityFailure as ActivityFailure).cause as ApplicationFailure;
    expect(failure.type).toBe('RancherAuthError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/rejected/i);
    expect(failure.message).toMatch(/No Scope/);
    expect(failure.message).not.toContain(WRONG_TOKEN.split(':')[1]);
  });

  it('rejects invalid input naming the field', async () => {
    const error = await temporal.runUntil(() => listUsers({ pageSize: 0 })).catch((caught: unknown) => caught);

    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidWorkflowInput');
    expect(failure.message).toContain('pageSize');
  });

  it('keeps the token out of history and logs', async () => {
    const workflowId = testWorkflowId('users');
    await temporal.runUntil(() =>
      temporal.client.workflow.execute<typeof listRancherUsers>('listRancherUsers', { taskQueue: temporal.taskQueue, workflowId, args: [{ pageSize: 5 }] }),
    );
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const historyText = collectStrings(history).join('\n');
    const secret = simulator.tokens.admin.split(':')[1] ?? '';

    expect(history.events?.length).toBeGreaterThan(10);
    expect(historyText).toContain('listRancherPage');
    expect(secret.length).toBeGreaterThan(20);
    expect(historyText).not.toContain(secret);
    expect(historyText).not.toContain(simulator.tokens.admin);
    const logText = workerLogs.map((entry) => `${entry.message} ${JSON.stringify(entry.meta ?? {})}`).join('\n');
    expect(workerLogs.length).toBeGreaterThan(0);
    expect(logText).not.toContain(secret);
    expect(logText).not.toContain(WRONG_TOKEN.split(':')[1]);
  });
});

describe('testRancherConnection', () => {
  function testConnection(connection: string) {
    return temporal.runUntil(() =>
      temporal.client.workflow.execute<typeof testRancherConnection>('testRancherConnection', {
        taskQueue: temporal.taskQueue,
        workflowId: testWorkflowId('test-connection', connection),
        args: [{ connection }],
      }),
    );
  }

  it('reports a working connection with its user count', async () => {
    const result = await testConnection('default');

    expect(result.ok).toBe(true);
    expect(result.domain).toBe(simulator.domain);
    expect(result.userCount).toBe(25);
    expect(result.tokenHint).toBe(simulator.tokens.admin.slice(-4));
  });

  it('names a rejected key', async () => {
    const result = await testConnection('wrong-key');

    expect(result.ok).toBe(false);
    expect(result.problem?.code).toBe('key-rejected');
    expect(result.problem?.message).toMatch(/rejected/i);
  });

  it('names an untrusted certificate', async () => {
    const result = await testConnection('no-ca');

    expect(result.ok).toBe(false);
    expect(result.problem?.code).toBe('tls-untrusted');
  });

  it('names an unknown connection', async () => {
    const result = await testConnection('missing');

    expect(result.ok).toBe(false);
    expect(result.problem?.code).toBe('config');
    expect(result.problem?.message).toContain('"missing"');
  });
});
