import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import type { rancherApiRequest } from '../../workflows/index.js';
import type { ApiRequestInput } from '../../workflows/api-request.js';
import { approvalStateQuery, approveSignal, rejectSignal } from '../../workflows/approval.js';
import { catalog, type CatalogOperation } from '../../src/rancher/catalog.js';
import { REDACTED } from '../../src/rancher/api-request.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { simulatorResources, startSimulator, type RunningSimulator, type StoredObject } from '../../src/simulator/index.js';
import { startTestWorker, testWorkflowId, type TestWorker } from '../helpers/temporal.js';

type ResourceType = typeof simulatorResources.usersResource;

const CLUSTER = 'c-m-apitest';
const PROJECT = 'p-apitest';
const BACKING_NAMESPACE = `${CLUSTER}-${PROJECT}`;

let simulator: RunningSimulator;
/** Worker whose policy needs no approval for rancherApiRequest. */
let open: TestWorker;
/** Worker with the built-in policy, which requires approval for every change. */
let gated: TestWorker;
let openWorker: Worker;
let openRun: Promise<void>;
let serial = 0;
const exercised = new Set<string>();

const resourceTypes = Object.values(simulatorResources).filter(
  (value): value is ResourceType => typeof value === 'object' && value !== null && 'plural' in value && 'kind' in value,
);

function resourceOf(operation: CatalogOperation): ResourceType {
  const found = resourceTypes.find((type) => type.group === operation.group && type.version === operation.version && type.plural === operation.resource);
  if (!found) throw new Error(`the simulator defines no resource type for ${operation.group}/${operation.version}/${operation.resource}`);
  return found;
}

function uniqueName(operation: CatalogOperation): string {
  serial += 1;
  return `${operation.resource.slice(0, 8)}-t${serial}`;
}

/** Returns the namespace that test objects of a namespaced kind live in. */
function namespaceOf(operation: CatalogOperation): string | undefined {
  if (!operation.namespaced) return undefined;
  return operation.kind === 'ProjectRoleTemplateBinding' ? BACKING_NAMESPACE : CLUSTER;
}

/** Returns a valid new object of the operation's kind. */
function newObject(operation: CatalogOperation, name: string, labels: Record<string, string> = {}): Record<string, unknown> & { metadata: { name: string } } {
  const namespace = namespaceOf(operation);
  const metadata = { name, ...(namespace ? { namespace } : {}), labels: { test: 'api-request', ...labels } };
  const header = { apiVersion: `${operation.group}/${operation.version}`, kind: operation.kind, metadata };
  const admin = simulator.users.adminUserId;
  switch (operation.kind) {
    case 'User':
      return { ...header, username: name, displayName: `Test ${name}`, enabled: true };
    case 'GlobalRole':
      return { ...header, displayName: `Test ${name}`, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] };
    case 'GlobalRoleBinding':
      return { ...header, globalRoleName: 'user', userName: admin };
    case 'RoleTemplate':
      return { ...header, displayName: `Test ${name}`, context: 'cluster', rules: [] };
    case 'Project':
      return { ...header, spec: { clusterName: CLUSTER, displayName: `Test ${name}` } };
    case 'ClusterRoleTemplateBinding':
      return { ...header, clusterName: CLUSTER, roleTemplateName: 'cluster-member', userName: admin };
    case 'ProjectRoleTemplateBinding':
      return { ...header, projectName: `${CLUSTER}:${PROJECT}`, roleTemplateName: 'project-member', userName: admin };
    case 'Token':
      return { ...header, spec: { description: `test ${name}`, ttl: 3_600_000 } };
    case 'Kubeconfig':
      return { ...header, spec: { clusters: [CLUSTER], description: `test ${name}`, ttl: 3600 } };
    case 'AuditPolicy':
      return { ...header, spec: { enabled: false, filters: [{ action: 'allow', requestURI: '/test' }] } };
    default:
      throw new Error(`no test object for kind ${operation.kind}`);
  }
}

/** Puts an object of the operation's kind into the simulator's store and returns its name. */
function seed(operation: CatalogOperation, labels: Record<string, string> = {}): string {
  if (operation.kind === 'Token') {
    // Ext tokens need a hashed secret that only the simulator can make.
    const { name } = simulator.addExtToken({ userId: simulator.users.adminUserId, description: 'api-request test' });
    if (Object.keys(labels).length > 0) {
      const stored = storedObject(operation, name)!;
      stored.metadata.labels = { ...stored.metadata.labels, ...labels };
      simulator.store.update(resourceOf(operation), stored, false);
    }
    return name;
  }
  const name = uniqueName(operation);
  const object = newObject(operation, name, labels);
  if (operation.kind === 'Kubeconfig') object.status = { summary: 'Complete', tokens: [], value: '' };
  simulator.store.create(resourceOf(operation), object as Parameters<RunningSimulator['store']['create']>[1]);
  return name;
}

function storedObject(operation: CatalogOperation, name: string): StoredObject | undefined {
  return simulator.store.get(resourceOf(operation), name, namespaceOf(operation));
}

function paramsFor(operation: CatalogOperation, name?: string): Record<string, string> {
  const params: Record<string, string> = {};
  const namespace = namespaceOf(operation);
  if (operation.pathParams.includes('namespace') && namespace) params.namespace = namespace;
  if (operation.pathParams.includes('name') && name) params.name = name;
  return params;
}

function request(worker: TestWorker, input: ApiRequestInput, workflowId = testWorkflowId('request')) {
  return worker.client.workflow.execute<typeof rancherApiRequest>('rancherApiRequest', { taskQueue: worker.taskQueue, workflowId, args: [input] });
}

const testCondition = { type: 'Tested', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'ApiRequestTest', message: 'set by the test' };

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  const clusters = (simulatorResources as Record<string, unknown>).clustersResource as ResourceType | undefined;
  if (clusters && !simulator.store.get(clusters, CLUSTER)) {
    simulator.store.create(clusters, { apiVersion: 'management.cattle.io/v3', kind: 'Cluster', metadata: { name: CLUSTER }, spec: { displayName: 'API test cluster' } });
  }
  simulator.store.create(simulatorResources.projectsResource, {
    apiVersion: 'management.cattle.io/v3',
    kind: 'Project',
    metadata: { name: PROJECT, namespace: CLUSTER },
    spec: { clusterName: CLUSTER, displayName: 'API test project' },
    status: { backingNamespace: BACKING_NAMESPACE },
  });

  const policyFolder = await mkdtemp(path.join(os.tmpdir(), 'api-request-policy-'));
  const policyFile = path.join(policyFolder, 'policy.json');
  await writeFile(policyFile, JSON.stringify({ workflows: { rancherApiRequest: { requireApproval: false } } }));
  const connections = staticConnectionSource([{ id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem }]);
  open = await startTestWorker({ connections, policyFile });
  gated = await startTestWorker({ connections });
  openWorker = await open.createWorker();
  openRun = openWorker.run();
});

afterAll(async () => {
  openWorker?.shutdown();
  await openRun;
  await open?.close();
  await gated?.close();
  await simulator?.close();
});

/** Runs one catalog operation against a fresh fixture and checks its effect on the simulator's store. */
async function exercise(operation: CatalogOperation): Promise<void> {
  const { kind, action } = operation;
  const call = (input: Omit<ApiRequestInput, 'operationId'>) =>
    request(open, { operationId: operation.operationId, ...(operation.mutating ? { requestedBy: 'api-request-test' } : {}), ...input });

  switch (action) {
    case 'list': {
      const name = seed(operation);
      const result = await call({ params: paramsFor(operation), query: { limit: 500 } });
      expect(result.status).toBe(200);
      expect((result.body as { kind: string }).kind).toBe(`${kind}List`);
      expect((result.body as { items: StoredObject[] }).items.map((item) => item.metadata.name)).toContain(name);
      return;
    }
    case 'get': {
      const name = seed(operation);
      const result = await call({ params: paramsFor(operation, name) });
      expect(result.status).toBe(200);
      expect((result.body as StoredObject).kind).toBe(kind);
      expect((result.body as StoredObject).metadata.name).toBe(name);
      return;
    }
    case 'post': {
      const name = uniqueName(operation);
      const result = await call({ params: paramsFor(operation), body: newObject(operation, name) });
      expect(result.status).toBe(201);
      expect(result.approval?.state).toBe('not-required');
      const created = result.body as StoredObject;
      expect(created.kind).toBe(kind);
      expect(storedObject(operation, created.metadata.name)).toBeDefined();
      if (kind === 'Token' || kind === 'Kubeconfig') {
        const value = (created as { status?: { value?: string } }).status?.value;
        expect(value === undefined || value === '' || value === REDACTED).toBe(true);
      }
      return;
    }
    case 'put': {
      const name = seed(operation);
      const current = storedObject(operation, name)!;
      const body = structuredClone(current) as StoredObject & { status?: Record<string, unknown> };
      if (operation.subresource === 'status') body.status = { ...(body.status ?? {}), conditions: [testCondition] };
      else body.metadata.labels = { ...body.metadata.labels, updated: 'put' };
      const result = await call({ params: paramsFor(operation, name), body });
      expect(result.status).toBe(200);
      const after = storedObject(operation, name)! as StoredObject & { status?: { conditions?: { type: string }[] } };
      if (operation.subresource === 'status') expect(after.status?.conditions?.map((condition) => condition.type)).toContain('Tested');
      else expect(after.metadata.labels?.updated).toBe('put');
      return;
    }
    case 'patch': {
      const name = seed(operation);
      const body = operation.subresource === 'status' ? { status: { conditions: [testCondition] } } : { metadata: { labels: { patched: 'yes' } } };
      const result = await call({ params: paramsFor(operation, name), body });
      expect(result.status).toBe(200);
      const after = storedObject(operation, name)! as StoredObject & { status?: { conditions?: { type: string }[] } };
      if (operation.subresource === 'status') expect(after.status?.conditions?.map((condition) => condition.type)).toContain('Tested');
      else expect(after.metadata.labels?.patched).toBe('yes');
      return;
    }
    case 'delete': {
      const name = seed(operation);
      const result = await call({ params: paramsFor(operation, name) });
      expect(result.status).toBe(200);
      const after = storedObject(operation, name);
      expect(after === undefined || after.metadata.deletionTimestamp !== undefined).toBe(true);
      return;
    }
    case 'deletecollection': {
      const batch = `b${serial + 1}`;
      const doomed = [seed(operation, { batch }), seed(operation, { batch })];
      const survivor = seed(operation);
      const result = await call({ params: paramsFor(operation), query: { labelSelector: `batch=${batch}` } });
      expect(result.status).toBe(200);
      for (const name of doomed) {
        const after = storedObject(operation, name);
        expect(after === undefined || after.metadata.deletionTimestamp !== undefined).toBe(true);
      }
      expect(storedObject(operation, survivor)).toBeDefined();
      return;
    }
    case 'watch':
    case 'watchlist': {
      const name = seed(operation);
      const result = await call({ params: paramsFor(operation, action === 'watch' ? name : undefined), query: { timeoutSeconds: 1 } });
      expect(result.status).toBe(200);
      const events = result.body as { type: string; object: StoredObject }[];
      expect(Array.isArray(events)).toBe(true);
      expect(events.some((event) => event.type === 'ADDED' && event.object.metadata.name === name)).toBe(true);
      expect(result.watchTruncated).toBe(false);
      return;
    }
  }
}

describe('rancherApiRequest over the catalog', () => {
  it('has 89 operations to exercise', () => {
    expect(catalog).toHaveLength(89);
    expect(new Set(catalog.map((operation) => operation.operationId)).size).toBe(89);
  });

  it.each(catalog.map((operation) => [operation.operationId, operation] as const))('%s', async (_id, operation) => {
    await exercise(operation);
    exercised.add(operation.operationId);
  });

  it('exercised all 89 operations', () => {
    expect(exercised.size).toBe(89);
  });
});

describe('rancherApiRequest checks before any activity', () => {
  async function rejected(input: ApiRequestInput): Promise<{ failure: ApplicationFailure; activities: number }> {
    const workflowId = testWorkflowId('request');
    const error = await request(open, input, workflowId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const history = await open.client.workflow.getHandle(workflowId).fetchHistory();
    const activities = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes).length;
    return { failure: (error as WorkflowFailedError).cause as ApplicationFailure, activities };
  }

  it.each(['/api/v1/secrets', '/v3/users'])('rejects %s off the allowlist', async (offPath) => {
    const { failure, activities } = await rejected({ method: 'GET', path: offPath });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(offPath);
    expect(failure.message).toContain('not in the endpoint catalog');
    expect(activities).toBe(0);
  });

  it('rejects a method the path does not allow', async () => {
    const { failure, activities } = await rejected({ method: 'POST', path: '/apis/management.cattle.io/v3/users/u-abcde' });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.message).toContain('allows only DELETE, GET, PATCH, PUT');
    expect(activities).toBe(0);
  });

  it.each([
    ['../x', '"../x"'],
    ['a/b', '"a/b"'],
    ['%2F', '"%2F"'],
    ['', '""'],
    ['x'.repeat(300), '(300 characters)'],
  ])('rejects the path parameter %j', async (name, shown) => {
    const { failure, activities } = await rejected({ operationId: 'readManagementCattleIoV3User', params: { name } });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.message).toContain('Invalid path parameter name');
    expect(failure.message).toContain(shown);
    expect(failure.message).toContain('at most 253 characters');
    expect(activities).toBe(0);
  });

  it('rejects an encoded slash in a path', async () => {
    const { failure, activities } = await rejected({ method: 'GET', path: '/apis/management.cattle.io/v3/users/a%2Fb' });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.message).toContain('"a%2Fb"');
    expect(activities).toBe(0);
  });

  it('rejects an invalid body naming the field', async () => {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name: 'grb-nobody' } };
    const { failure, activities } = await rejected({ operationId: 'createManagementCattleIoV3GlobalRoleBinding', body, requestedBy: 'ana' });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.message).toContain('globalRoleName');
    expect(activities).toBe(0);
  });

  it('rejects an unbounded watch', async () => {
    const { failure } = await rejected({ operationId: 'watchExtCattleIoV1TokenList', query: { timeoutSeconds: 61 } });

    expect(failure.type).toBe('InvalidRancherRequest');
    expect(failure.message).toContain('timeoutSeconds between 1 and 60');
  });

  it('requires requestedBy for a change', async () => {
    const { failure, activities } = await rejected({ operationId: 'deleteManagementCattleIoV3GlobalRoleBinding', params: { name: 'grb-any' } });

    expect(failure.type).toBe('InvalidWorkflowInput');
    expect(failure.message).toContain('requestedBy');
    expect(activities).toBe(0);
  });

  it('accepts method and path for a read', async () => {
    const result = await request(open, { method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/admin' });

    expect(result.status).toBe(200);
    expect(result.operationId).toBe('readManagementCattleIoV3GlobalRole');
    expect((result.body as StoredObject).metadata.name).toBe('admin');
    expect(result.approval).toBeUndefined();
  });
});

describe('rancherApiRequest approval', () => {
  const operationId = 'createManagementCattleIoV3GlobalRoleBinding';
  const bindingBody = (name: string) => ({ apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name }, globalRoleName: 'user', userName: simulator.users.adminUserId });

  it('waits for approval by default', async () => {
    const workflowId = testWorkflowId('request');
    const result = await gated.runUntil(async () => {
      const handle = await gated.client.workflow.start<typeof rancherApiRequest>('rancherApiRequest', {
        taskQueue: gated.taskQueue,
        workflowId,
        args: [{ operationId, body: bindingBody('grb-approved'), requestedBy: 'ana' }],
      });
      let state = await handle.query(approvalStateQuery);
      for (let tries = 0; state.state !== 'pending' || !state.policy; tries += 1) {
        expect(tries).toBeLessThan(50);
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = await handle.query(approvalStateQuery);
      }
      expect(simulator.store.get(simulatorResources.globalRoleBindingsResource, 'grb-approved')).toBeUndefined();
      await handle.signal(approveSignal, { approver: 'ana' });
      await handle.signal(approveSignal, { approver: 'ben' });
      return handle.result();
    });

    expect(result.outcome).toBe('done');
    expect(result.status).toBe(201);
    expect(result.approval?.decision?.by).toBe('ben');
    expect(result.approval?.refusedDecisions.map((refused) => refused.by)).toEqual(['ana']);
    expect(simulator.store.get(simulatorResources.globalRoleBindingsResource, 'grb-approved')).toBeDefined();
  });

  it('ends rejected without a request', async () => {
    const result = await gated.runUntil(async () => {
      const handle = await gated.client.workflow.start<typeof rancherApiRequest>('rancherApiRequest', {
        taskQueue: gated.taskQueue,
        workflowId: testWorkflowId('request'),
        args: [{ operationId, body: bindingBody('grb-rejected'), requestedBy: 'ana' }],
      });
      await handle.signal(rejectSignal, { approver: 'ben', reason: 'not needed' });
      return handle.result();
    });

    expect(result.outcome).toBe('rejected');
    expect(result.status).toBeUndefined();
    expect(result.approval?.state).toBe('rejected');
    expect(simulator.store.get(simulatorResources.globalRoleBindingsResource, 'grb-rejected')).toBeUndefined();
  });
});
