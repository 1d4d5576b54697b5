/**
 * Writes the histories that replay.test.ts replays. Skipped unless RECORD_HISTORIES=1, and it
 * writes only histories that do not exist yet: a recorded history must stay as the workflow code
 * of its day produced it, so that replaying it catches changes that would break running workflows.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  approveSignal,
  revokeSignal,
  type listGlobalRoleBindings,
  type listGlobalRoles,
  type listProjects,
  type listRancherUsers,
  type listRoleTemplates,
  type rancherApiRequest,
  type testRancherConnection,
} from '../../workflows/index.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { simulatorResources, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startDeleteBinding, startGrant } from '../../src/temporal/requests.js';
import { startTestWorker, testWorkflowId, waitForApprovalState, type TestWorker } from '../helpers/temporal.js';

const folder = fileURLToPath(new URL('../histories/', import.meta.url));
let simulator: RunningSimulator;
let temporal: TestWorker;

/** Runs `start` and saves the history under `name`, unless a history of that name exists. */
async function record(name: string, start: () => Promise<WorkflowHandle>, drive?: (handle: WorkflowHandle) => Promise<void>): Promise<void> {
  const file = `${folder}${name}.json`;
  if (existsSync(file)) return;

  const handle = await start();
  if (drive) await drive(handle);
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

describe.runIf(process.env.RECORD_HISTORIES === '1')('record histories', () => {
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, users: 12 });
    const policyFile = join(mkdtempSync(join(tmpdir(), 'rw-record-')), 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ defaults: { approvalTimeout: '1m' } }));
    temporal = await startTestWorker({
      connections: staticConnectionSource([
        { id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem },
        { id: 'wrong-key', domain: simulator.domain, token: 'token-zzzzz:wrongsecretwrongsecretwrongsecret', caPem: simulator.caPem },
      ]),
      policyFile,
    });
  });

  afterAll(async () => {
    await temporal?.close();
    await simulator?.close();
  });

  it('records every workflow type', async () => {
    const workflows = temporal.client.workflow;
    const options = (kind: string, connection = 'default') => ({ taskQueue: temporal.taskQueue, workflowId: testWorkflowId(kind, connection) });
    const [grantee, timeBound, removed] = simulator.users.localUserIds;
    const removedBinding = simulator.store
      .list(simulatorResources.globalRoleBindingsResource)
      .map(({ object }) => object)
      .find((binding) => binding.userName === removed);
    const approveAfterRefusal = async (handle: WorkflowHandle) => {
      await waitForApprovalState(handle, (state) => state.changes !== undefined);
      await handle.signal(approveSignal, { approver: 'alice' });
      await handle.signal(approveSignal, { approver: 'bob', comment: 'recorded' });
    };

    await temporal.runUntil(async () => {
      await record('listRancherUsers-paged', () => workflows.start<typeof listRancherUsers>('listRancherUsers', { ...options('users'), args: [{ pageSize: 5 }] }));
      await record('listGlobalRoles', () => workflows.start<typeof listGlobalRoles>('listGlobalRoles', { ...options('global-roles'), args: [{}] }));
      await record('listGlobalRoleBindings-paged', () =>
        workflows.start<typeof listGlobalRoleBindings>('listGlobalRoleBindings', { ...options('bindings'), args: [{ pageSize: 7 }] }),
      );
      await record('listProjects-all-clusters', () => workflows.start<typeof listProjects>('listProjects', { ...options('projects'), args: [{}] }));
      await record('listRoleTemplates-cluster', () =>
        workflows.start<typeof listRoleTemplates>('listRoleTemplates', { ...options('role-templates'), args: [{ context: 'cluster', pageSize: 10 }] }),
      );
      await record('testRancherConnection-ok', () => workflows.start<typeof testRancherConnection>('testRancherConnection', { ...options('test-connection'), args: [{}] }));
      await record('testRancherConnection-diagnosed-ok', () =>
        workflows.start<typeof testRancherConnection>('testRancherConnection', { ...options('test-connection'), args: [{}] }),
      );
      await record('testRancherConnection-unauthorized', () =>
        workflows.start<typeof testRancherConnection>('testRancherConnection', { ...options('test-connection', 'wrong-key'), args: [{ connection: 'wrong-key' }] }),
      );
      await record(
        'createGlobalRoleBinding-approved',
        () => startGrant(temporal.client, temporal.taskQueue, { userName: grantee ?? '', globalRoleName: 'restricted-admin', requestedBy: 'alice', reason: 'recorded' }),
        approveAfterRefusal,
      );
      await record(
        'createGlobalRoleBinding-time-bound-revoked',
        () => startGrant(temporal.client, temporal.taskQueue, { userName: timeBound ?? '', globalRoleName: 'restricted-admin', requestedBy: 'alice', duration: '1h' }),
        async (handle) => {
          await approveAfterRefusal(handle);
          await waitForApprovalState(handle, (state) => state.state === 'approved');
          await handle.signal(revokeSignal, { by: 'bob', reason: 'recorded' });
        },
      );
      await record(
        'deleteGlobalRoleBinding-approved',
        () => startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName: removedBinding?.metadata.name ?? '', requestedBy: 'alice' }),
        approveAfterRefusal,
      );
      await record('deleteGlobalRoleBinding-not-found', () => startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName: 'grb-missing', requestedBy: 'alice' }));
      await record('rancherApiRequest-read', () =>
        workflows.start<typeof rancherApiRequest>('rancherApiRequest', { ...options('request'), args: [{ method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/admin' }] }),
      );
      await record(
        'rancherApiRequest-write-approved',
        () =>
          workflows.start<typeof rancherApiRequest>('rancherApiRequest', {
            ...options('request'),
            args: [
              {
                operationId: 'patchManagementCattleIoV3GlobalRole',
                params: { name: 'user-base' },
                body: { description: 'recorded' },
                requestedBy: 'alice',
              },
            ],
          }),
        approveAfterRefusal,
      );
    });
  });
});
