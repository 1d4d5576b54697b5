/**
 * Writes the histories that replay.test.ts replays. Skipped unless RECORD_HISTORIES=1, because a
 * recorded history must stay as the workflow code of its day produced it.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { listGlobalRoles, listRancherUsers, testRancherConnection } from '../../workflows/index.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startTestWorker, testWorkflowId, type TestWorker } from '../helpers/temporal.js';

const folder = fileURLToPath(new URL('../histories/', import.meta.url));
let simulator: RunningSimulator;
let temporal: TestWorker;

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  writeFileSync(`${folder}${name}.json`, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

describe.runIf(process.env.RECORD_HISTORIES === '1')('record histories', () => {
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, users: 12 });
    temporal = await startTestWorker({
      connections: staticConnectionSource([
        { id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem },
        { id: 'wrong-key', domain: simulator.domain, token: 'token-zzzzz:wrongsecretwrongsecretwrongsecret', caPem: simulator.caPem },
      ]),
    });
  });

  afterAll(async () => {
    await temporal?.close();
    await simulator?.close();
  });

  it('records the list and connection-test workflows', async () => {
    const start = temporal.client.workflow;
    const options = (kind: string, connection = 'default') => ({ taskQueue: temporal.taskQueue, workflowId: testWorkflowId(kind, connection) });
    await temporal.runUntil(async () => {
      await save('listRancherUsers-paged', await start.start<typeof listRancherUsers>('listRancherUsers', { ...options('users'), args: [{ pageSize: 5 }] }));
      await save('listGlobalRoles', await start.start<typeof listGlobalRoles>('listGlobalRoles', { ...options('global-roles'), args: [{}] }));
      await save('testRancherConnection-ok', await start.start<typeof testRancherConnection>('testRancherConnection', { ...options('test-connection'), args: [{}] }));
      await save(
        'testRancherConnection-unauthorized',
        await start.start<typeof testRancherConnection>('testRancherConnection', { ...options('test-connection', 'wrong-key'), args: [{ connection: 'wrong-key' }] }),
      );
    });
  });
});
