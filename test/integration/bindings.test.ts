import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { approveSignal, rejectSignal, revokeSignal } from '../../workflows/index.js';
import type { GrantInput } from '../../workflows/inputs.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { RancherClient } from '../../src/rancher/client.js';
import { GlobalRoleBindingSchema } from '../../src/rancher/schemas.js';
import { simulatorResources, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startDeleteBinding, startGrant } from '../../src/temporal/requests.js';
import { startTestWorker, waitForApprovalState, type TestWorker } from '../helpers/temporal.js';

let simulator: RunningSimulator;
let rancher: RancherClient;
const folder = mkdtempSync(join(tmpdir(), 'rw-policy-'));

function policyFile(name: string, policy: unknown): string {
  const path = join(folder, `${name}.json`);
  writeFileSync(path, JSON.stringify(policy));
  return path;
}

async function workerWithPolicy(policy: unknown): Promise<TestWorker> {
  return startTestWorker({
    connections: staticConnectionSource([{ id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem }]),
    policyFile: policyFile(`policy-${Math.random().toString(36).slice(2)}`, policy),
  });
}

async function bindingsOf(userName: string, globalRoleName: string) {
  const { items } = await rancher.listAll('/apis/management.cattle.io/v3/globalrolebindings');
  return items.map((item) => GlobalRoleBindingSchema.parse(item)).filter((binding) => binding.userName === userName && binding.globalRoleName === globalRoleName);
}

const userIds: string[] = [];
let nextUser = 0;
/** Returns a local user with no admin binding yet, a new one for each test. */
function freshUser(): string {
  const id = userIds[nextUser];
  nextUser += 1;
  if (!id) throw new Error('ran out of seeded users');
  return id;
}

const defaultPolicy = { defaults: { approvalTimeout: '1m' } };

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, users: 30 });
  rancher = new RancherClient({ domain: simulator.domain, token: simulator.tokens.admin, ca: simulator.caPem });
  userIds.push(...simulator.users.localUserIds);
});

afterAll(async () => {
  await rancher?.close();
  await simulator?.close();
});

function grantInput(userName: string, extra: Partial<GrantInput> = {}): GrantInput {
  return { userName, globalRoleName: 'restricted-admin', requestedBy: 'alice', reason: 'on-call this week', ...extra };
}

describe('createGlobalRoleBinding', () => {
  it('creates exactly one binding after approval', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const result = await temporal.runUntil(async () => {
      const handle = await startGrant(temporal.client, temporal.taskQueue, grantInput(user));
      const pending = await waitForApprovalState(handle, (state) => state.state === 'pending' && state.changes !== undefined);
      expect(pending.requestedBy).toBe('alice');
      expect(pending.summary).toContain(user);
      await handle.signal(approveSignal, { approver: 'bob', comment: 'ok for the incident' });
      return handle.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('granted');
    expect(result.approval.decision).toMatchObject({ outcome: 'approved', by: 'bob', comment: 'ok for the incident' });
    expect(result.grantedAt).toBeDefined();
    const bindings = await bindingsOf(user, 'restricted-admin');
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.metadata.name).toBe(result.bindingName);
    expect(bindings[0]?.metadata.annotations?.['rancher-workflows.io/approved-by']).toBe('bob');
  });

  it('changes nothing when rejected', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const result = await temporal.runUntil(async () => {
      const handle = await startGrant(temporal.client, temporal.taskQueue, grantInput(user));
      await waitForApprovalState(handle, (state) => state.changes !== undefined);
      await handle.signal(rejectSignal, { approver: 'bob', reason: 'use a narrower role' });
      return handle.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('rejected');
    expect(result.approval.decision).toMatchObject({ outcome: 'rejected', by: 'bob', comment: 'use a narrower role' });
    expect(result.bindingName).toBeUndefined();
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(0);
  });

  it('expires without a decision', async () => {
    const temporal = await workerWithPolicy({ defaults: { approvalTimeout: '2s' } });
    const user = freshUser();
    const result = await temporal.runUntil(async () => (await startGrant(temporal.client, temporal.taskQueue, grantInput(user))).result());
    await temporal.close();

    expect(result.outcome).toBe('expired');
    expect(result.approval.state).toBe('expired');
    expect(result.approval.decision).toBeUndefined();
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(0);
  });

  it('refuses self-approval and unlisted approvers', async () => {
    const temporal = await workerWithPolicy({ defaults: { approvalTimeout: '1m', approvers: ['bob', 'carol'] } });
    const user = freshUser();
    const result = await temporal.runUntil(async () => {
      const handle = await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { requestedBy: 'bob' }));
      await waitForApprovalState(handle, (state) => state.changes !== undefined);
      await handle.signal(approveSignal, { approver: 'bob' });
      await handle.signal(approveSignal, { approver: 'mallory' });
      const refused = await waitForApprovalState(handle, (state) => state.refusedDecisions.length === 2);
      expect(refused.state).toBe('pending');
      await handle.signal(approveSignal, { approver: 'carol' });
      return handle.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('granted');
    expect(result.approval.decision?.by).toBe('carol');
    expect(result.approval.refusedDecisions.map((refused) => refused.by)).toEqual(['bob', 'mallory']);
    expect(result.approval.refusedDecisions[0]?.why).toMatch(/requester cannot approve/);
    expect(result.approval.refusedDecisions[1]?.why).toMatch(/not an approver/);
  });

  it('completes after a worker restart', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const first = await temporal.createWorker();
    const handle = await first.runUntil(async () => {
      const started = await startGrant(temporal.client, temporal.taskQueue, grantInput(user));
      await waitForApprovalState(started, (state) => state.state === 'pending' && state.expiresAt !== undefined);
      return started;
    });

    // No worker polls now; the signal waits in the server's history.
    await handle.signal(approveSignal, { approver: 'bob' });
    const result = await (await temporal.createWorker()).runUntil(() => handle.result());
    await temporal.close();

    expect(result.outcome).toBe('granted');
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(1);
  });

  it('creates one binding when a retry follows a committed create', async () => {
    const temporal = await workerWithPolicy({ workflows: { createGlobalRoleBinding: { requireApproval: false } } });
    const user = freshUser();
    // Rancher stores the binding, then the connection drops before the response: the activity fails and Temporal retries it.
    simulator.faults.add({ kind: 'reset-after-commit', method: 'POST', pathPattern: '/apis/management.cattle.io/v3/globalrolebindings' });
    const result = await temporal.runUntil(async () => (await startGrant(temporal.client, temporal.taskQueue, grantInput(user))).result());
    await temporal.close();

    expect(simulator.faults.requestFaults).toHaveLength(0);
    expect(result.outcome).toBe('granted');
    const bindings = await bindingsOf(user, 'restricted-admin');
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.metadata.name).toBe(result.bindingName);
  });

  it('joins a duplicate request; its requester cannot approve', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const result = await temporal.runUntil(async () => {
      const first = await startGrant(temporal.client, temporal.taskQueue, grantInput(user));
      const second = await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { requestedBy: 'dave' }));
      expect(second.workflowId).toBe(first.workflowId);
      expect(second.signaledRunId).toBe(first.signaledRunId);
      const state = await waitForApprovalState(first, (current) => current.changes !== undefined && current.alsoRequestedBy !== undefined);
      expect(state.requestedBy).toBe('alice');
      expect(state.alsoRequestedBy).toEqual(['dave']);
      await first.signal(approveSignal, { approver: 'dave' });
      await first.signal(approveSignal, { approver: 'bob' });
      return first.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('granted');
    expect(result.approval.decision?.by).toBe('bob');
    expect(result.approval.refusedDecisions.map((refused) => refused.by)).toEqual(['dave']);
    expect(result.approval.refusedDecisions[0]?.why).toMatch(/also requested/);
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(1);
  });

  it('removes a time-bound grant when it ends', async () => {
    const temporal = await workerWithPolicy({ defaults: { approvalTimeout: '1m' }, workflows: { createGlobalRoleBinding: { requireApproval: false } } });
    const user = freshUser();
    let seenDuringGrant = 0;
    const result = await temporal.runUntil(async () => {
      const handle = await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { duration: '3s' }));
      for (let attempt = 0; attempt < 50 && seenDuringGrant === 0; attempt += 1) {
        seenDuringGrant = (await bindingsOf(user, 'restricted-admin')).length;
        await sleep(100);
      }
      return handle.result();
    });
    await temporal.close();

    expect(seenDuringGrant).toBe(1);
    expect(result.outcome).toBe('revoked');
    expect(result.approval.state).toBe('not-required');
    expect(result.revocation).toMatchObject({ trigger: 'duration-elapsed', result: 'deleted' });
    expect(Date.parse(result.revokedAt ?? '') - Date.parse(result.grantedAt ?? '')).toBeGreaterThanOrEqual(3000);
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(0);
  });

  it('removes a time-bound grant on revoke', async () => {
    const temporal = await workerWithPolicy({ workflows: { createGlobalRoleBinding: { requireApproval: false } } });
    const user = freshUser();
    const result = await temporal.runUntil(async () => {
      const handle = await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { duration: '8h' }));
      for (let attempt = 0; attempt < 50 && (await bindingsOf(user, 'restricted-admin')).length === 0; attempt += 1) await sleep(100);
      await handle.signal(revokeSignal, { by: 'erin', reason: 'incident closed' });
      return handle.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('revoked');
    expect(result.revocation).toMatchObject({ trigger: 'revoked', by: 'erin', reason: 'incident closed', result: 'deleted' });
    expect(await bindingsOf(user, 'restricted-admin')).toHaveLength(0);
  });

  it('enforces the policy maximum duration', async () => {
    const temporal = await workerWithPolicy({ workflows: { createGlobalRoleBinding: { maxGrantDuration: '12h' } } });
    const user = freshUser();
    const error = await temporal
      .runUntil(async () => (await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { duration: '3d' }))).result())
      .catch((caught: unknown) => caught);
    await temporal.close();

    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidWorkflowInput');
    expect(failure.message).toContain('"3d"');
    expect(failure.message).toContain('12h');
  });

  it('reports an existing binding at once', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const result = await temporal.runUntil(async () => (await startGrant(temporal.client, temporal.taskQueue, grantInput(user, { globalRoleName: 'user' }))).result());
    await temporal.close();

    expect(result.outcome).toBe('already-exists');
    expect(result.approval.state).toBe('not-required');
    expect(result.bindingName).toBeDefined();
  });

  it.each([
    ['a principal id instead of a user id', (user: string) => grantInput(`local://${user}`), 'user-is-principal', (user: string) => `"${user}"`],
    ['a role display name instead of its id', (user: string) => grantInput(user, { globalRoleName: 'Restricted Admin' }), 'role-is-display-name', () => '"restricted-admin"'],
    ['an unknown user', () => grantInput('u-zzzzz'), 'user-not-found', () => '"u-zzzzz"'],
  ])('names the id to use for %s', async (_case, makeInput, code, expected) => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const error = await temporal.runUntil(async () => (await startGrant(temporal.client, temporal.taskQueue, makeInput(user))).result()).catch((caught: unknown) => caught);
    await temporal.close();

    const failure = ((error as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
    expect(failure.type).toBe('GrantCheckFailed');
    expect((failure.details?.[0] as { code: string }).code).toBe(code);
    expect(failure.message).toContain(expected(user));
  });
});

describe('deleteGlobalRoleBinding', () => {
  it('deletes after approval and shows what it removes', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const user = freshUser();
    const [binding] = await bindingsOf(user, 'user');
    const bindingName = binding?.metadata.name ?? '';
    const result = await temporal.runUntil(async () => {
      const handle = await startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName, requestedBy: 'alice' });
      const state = await waitForApprovalState(handle, (current) => current.changes !== undefined);
      expect(state.changes).toMatchObject({ bindingName, userName: user, globalRoleName: 'user' });
      await handle.signal(approveSignal, { approver: 'bob' });
      return handle.result();
    });
    await temporal.close();

    expect(result.outcome).toBe('deleted');
    expect(await bindingsOf(user, 'user')).toHaveLength(0);
  });

  it('fails on 403 with the reason, never not-found', async () => {
    // A user who may read bindings, users and roles but not delete bindings.
    simulator.store.create(simulatorResources.globalRolesResource, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'GlobalRole',
      metadata: { name: 'binding-viewer' },
      displayName: 'Binding Viewer',
      rules: [{ apiGroups: ['management.cattle.io'], resources: ['globalrolebindings', 'users', 'globalroles'], verbs: ['get', 'list'] }],
    });
    const viewer = freshUser();
    simulator.store.create(simulatorResources.globalRoleBindingsResource, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'GlobalRoleBinding',
      metadata: { name: 'grb-viewer' },
      globalRoleName: 'binding-viewer',
      userName: viewer,
    });
    const { bearer } = simulator.addToken({ userId: viewer });
    const target = freshUser();
    const bindingName = (await bindingsOf(target, 'user'))[0]?.metadata.name ?? '';
    const temporal = await startTestWorker({
      connections: staticConnectionSource([{ id: 'default', domain: simulator.domain, token: bearer, caPem: simulator.caPem }]),
      policyFile: policyFile('no-approval-delete', { workflows: { deleteGlobalRoleBinding: { requireApproval: false } } }),
    });

    simulator.faults.enforceRbac = true;
    const error = await temporal
      .runUntil(async () => (await startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName, requestedBy: 'alice' })).result())
      .catch((caught: unknown) => caught)
      .finally(() => {
        simulator.faults.enforceRbac = false;
      });
    await temporal.close();

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = ((error as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
    expect(failure.type).toBe('RancherForbiddenError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('DELETE');
    expect(failure.message).toContain(bindingName);
    expect(await bindingsOf(target, 'user')).toHaveLength(1);
  });

  it('reports a binding held by finalizers as deleting', async () => {
    const temporal = await workerWithPolicy({ workflows: { deleteGlobalRoleBinding: { requireApproval: false } } });
    const user = freshUser();
    const [binding] = await bindingsOf(user, 'user');
    const bindingName = binding?.metadata.name ?? '';
    expect(binding?.metadata.finalizers?.length).toBeGreaterThan(0);

    simulator.holdFinalizers(true);
    const result = await temporal
      .runUntil(async () => (await startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName, requestedBy: 'alice' })).result())
      .finally(() => simulator.holdFinalizers(false));
    await temporal.close();

    expect(result.outcome).toBe('deleting');
    expect(result.message).toMatch(/still being removed/);
    const [remaining] = await bindingsOf(user, 'user');
    expect(remaining?.metadata.deletionTimestamp).toBeDefined();
  });

  it('reports a missing binding as not-found', async () => {
    const temporal = await workerWithPolicy(defaultPolicy);
    const result = await temporal.runUntil(async () => (await startDeleteBinding(temporal.client, temporal.taskQueue, { bindingName: 'grb-missing', requestedBy: 'alice' })).result());
    await temporal.close();

    expect(result.outcome).toBe('not-found');
    expect(result.approval.state).toBe('not-required');
    expect(result.message).toContain('"grb-missing"');
  });
});
