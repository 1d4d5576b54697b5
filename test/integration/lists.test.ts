import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { listGlobalRoleBindings, listProjects, listRoleTemplates } from '../../workflows/index.js';
import { listProgressQuery, MAX_LIST_RESTARTS } from '../../workflows/lists.js';
import { staticConnectionSource } from '../../src/connections/source.js';
import { simulatorResources, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startTestWorker, testWorkflowId, type TestWorker } from '../helpers/temporal.js';

const { globalRoleBindingsResource, projectsResource, roleTemplatesResource, usersResource } = simulatorResources;
const BINDINGS_PATH = '/apis/management.cattle.io/v3/globalrolebindings';
const CLUSTERS = { 'c-m-alpha01': 4, 'c-m-bravo02': 3, local: 2 } as const;

let simulator: RunningSimulator;
let temporal: TestWorker;

/** When set, a write and a store compaction follow the listed bindings pages, which expires their continue token. */
let expireAfterPage: ((page: number) => boolean) | undefined;
let bindingPages = 0;

function expireContinueTokens(): void {
  // A write moves the store past the list's revision, and compaction drops that revision.
  simulator.store.create(usersResource, { apiVersion: 'management.cattle.io/v3', kind: 'User', metadata: { name: `u-compact${bindingPages}` }, username: `compact${bindingPages}` });
  simulator.store.compact();
}

function onSimulatorLog(line: string): void {
  if (!line.startsWith(`GET ${BINDINGS_PATH} 200`)) return;
  bindingPages += 1;
  if (expireAfterPage?.(bindingPages)) expireContinueTokens();
}

function addBindingsUpTo(total: number): void {
  const existing = simulator.store.list(globalRoleBindingsResource).length;
  for (let index = existing; index < total; index += 1) {
    simulator.store.create(globalRoleBindingsResource, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'GlobalRoleBinding',
      metadata: { name: `grb-list${String(index).padStart(3, '0')}` },
      globalRoleName: 'user',
      userName: simulator.users.adminUserId,
    });
  }
}

function addProjects(): void {
  for (const [cluster, count] of Object.entries(CLUSTERS)) {
    for (let index = 0; index < count; index += 1) {
      const name = `p-${cluster.slice(-2)}x${index}`;
      simulator.store.create(projectsResource, {
        apiVersion: 'management.cattle.io/v3',
        kind: 'Project',
        metadata: { name, namespace: cluster },
        spec: { clusterName: cluster, displayName: `Project ${index} of ${cluster}` },
        status: { backingNamespace: `${cluster}-${name}` },
      });
    }
  }
}

function addRoleTemplates(): void {
  const contexts = ['cluster', 'cluster', 'project', 'project', 'project', ''] as const;
  contexts.forEach((context, index) => {
    simulator.store.create(roleTemplatesResource, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'RoleTemplate',
      metadata: { name: `rt-list-${context || 'none'}-${index}` },
      displayName: `List test ${index}`,
      context,
      rules: [],
    });
  });
}

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, log: onSimulatorLog });
  addBindingsUpTo(50);
  addProjects();
  addRoleTemplates();
  temporal = await startTestWorker({
    connections: staticConnectionSource([{ id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem }]),
  });
});

afterAll(async () => {
  await temporal?.close();
  await simulator?.close();
});

function storeNames(resource: typeof projectsResource, namespace?: string): string[] {
  return simulator.store
    .list(resource, namespace)
    .map(({ object }) => object.metadata.name)
    .sort();
}

async function pageActivities(workflowId: string): Promise<{ scheduled: number; failed: number }> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduledIds = new Set(
    events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'listRancherPage').map((event) => String(event.eventId)),
  );
  const failed = events.filter((event) => scheduledIds.has(String(event.activityTaskFailedEventAttributes?.scheduledEventId))).length;
  return { scheduled: scheduledIds.size, failed };
}

describe('listGlobalRoleBindings', () => {
  function listBindings(workflowId: string, input: Parameters<typeof listGlobalRoleBindings>[0]) {
    return temporal.client.workflow.execute<typeof listGlobalRoleBindings>('listGlobalRoleBindings', { taskQueue: temporal.taskQueue, workflowId, args: [input] });
  }

  it('pages 50 bindings seven at a time', async () => {
    const workflowId = testWorkflowId('bindings');
    const result = await temporal.runUntil(() => listBindings(workflowId, { pageSize: 7 }));

    expect(simulator.store.list(globalRoleBindingsResource)).toHaveLength(50);
    expect(result.kind).toBe('GlobalRoleBinding');
    expect(result.count).toBe(50);
    expect(result.truncated).toBe(false);
    expect(new Set(result.items.map((binding) => binding.id)).size).toBe(50);
    expect(result.items.map((binding) => binding.id).sort()).toEqual(storeNames(globalRoleBindingsResource));
    expect(result.items.every((binding) => binding.globalRoleName.length > 0)).toBe(true);
    expect((await pageActivities(workflowId)).scheduled).toBe(Math.ceil(50 / 7));
  });

  it('restarts after an expired continue token', async () => {
    const workflowId = testWorkflowId('bindings');
    const firstPage = bindingPages + 1;
    expireAfterPage = (page) => page === firstPage + 1;
    try {
      const { result, progress } = await temporal.runUntil(async () => {
        const listed = await listBindings(workflowId, { pageSize: 7 });
        return { result: listed, progress: await temporal.client.workflow.getHandle(workflowId).query(listProgressQuery) };
      });

      expect(result.count).toBe(50);
      expect(new Set(result.items.map((binding) => binding.id)).size).toBe(50);
      expect(result.items.map((binding) => binding.id).sort()).toEqual(storeNames(globalRoleBindingsResource));
      expect(progress.restarts).toBe(1);
      const pages = await pageActivities(workflowId);
      expect(pages.failed).toBe(1);
      // Two pages read, the third expired, then a full list of eight pages.
      expect(pages.scheduled).toBe(3 + Math.ceil(50 / 7));
    } finally {
      expireAfterPage = undefined;
    }
  });

  it('fails when restarts run out', async () => {
    const workflowId = testWorkflowId('bindings');
    expireAfterPage = () => true;
    try {
      const error = await temporal.runUntil(() => listBindings(workflowId, { pageSize: 7 })).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(WorkflowFailedError);
      const failure = (error as WorkflowFailedError).cause;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe('ListRestartsExhausted');
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      expect((failure as ApplicationFailure).message).toContain('no partial list');
      const pages = await pageActivities(workflowId);
      expect(pages.failed).toBe(MAX_LIST_RESTARTS + 1);
      expect(pages.scheduled).toBe(2 * (MAX_LIST_RESTARTS + 1));
    } finally {
      expireAfterPage = undefined;
    }
  });
});

describe('listProjects', () => {
  function list(input: Parameters<typeof listProjects>[0]) {
    return temporal.runUntil(() =>
      temporal.client.workflow.execute<typeof listProjects>('listProjects', { taskQueue: temporal.taskQueue, workflowId: testWorkflowId('projects'), args: [input] }),
    );
  }

  it('lists projects of three clusters', async () => {
    const result = await list({ pageSize: 2 });
    const byCluster = new Map<string, number>();
    for (const project of result.items) byCluster.set(project.cluster, (byCluster.get(project.cluster) ?? 0) + 1);

    expect(result.kind).toBe('Project');
    expect(result.items.map((project) => project.id).sort()).toEqual(storeNames(projectsResource));
    expect(new Set(result.items.map((project) => `${project.cluster}/${project.id}`)).size).toBe(result.count);
    for (const [cluster, count] of Object.entries(CLUSTERS)) {
      expect(byCluster.get(cluster) ?? 0).toBeGreaterThanOrEqual(count);
    }
    const alpha = result.items.find((project) => project.id === 'p-01x0');
    expect(alpha).toEqual({ id: 'p-01x0', cluster: 'c-m-alpha01', displayName: 'Project 0 of c-m-alpha01', backingNamespace: 'c-m-alpha01-p-01x0' });
  });

  it('lists one cluster', async () => {
    const result = await list({ cluster: 'c-m-bravo02', pageSize: 2 });

    expect(result.items.map((project) => project.id).sort()).toEqual(storeNames(projectsResource, 'c-m-bravo02'));
    expect(result.count).toBeGreaterThanOrEqual(CLUSTERS['c-m-bravo02']);
    expect(result.items.every((project) => project.cluster === 'c-m-bravo02')).toBe(true);
  });

  it('rejects a cluster id that is no name', async () => {
    const error = await list({ cluster: 'a/b' }).catch((caught: unknown) => caught);

    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidWorkflowInput');
    expect(failure.message).toContain('cluster');
  });
});

describe('listRoleTemplates', () => {
  function list(input: Parameters<typeof listRoleTemplates>[0]) {
    return temporal.runUntil(() =>
      temporal.client.workflow.execute<typeof listRoleTemplates>('listRoleTemplates', { taskQueue: temporal.taskQueue, workflowId: testWorkflowId('role-templates'), args: [input] }),
    );
  }

  function storeIdsOfContext(context: string): string[] {
    return simulator.store
      .list(roleTemplatesResource)
      .filter(({ object }) => (object.context ?? '') === context)
      .map(({ object }) => object.metadata.name)
      .sort();
  }

  it('lists every role template', async () => {
    const result = await list({ pageSize: 3 });

    expect(result.kind).toBe('RoleTemplate');
    expect(result.items.map((template) => template.id).sort()).toEqual(storeNames(roleTemplatesResource));
  });

  it('keeps only the requested context', async () => {
    const project = await list({ context: 'project', pageSize: 3 });
    const cluster = await list({ context: 'cluster', pageSize: 3 });

    expect(project.items.map((template) => template.id).sort()).toEqual(storeIdsOfContext('project'));
    expect(project.items.every((template) => template.context === 'project')).toBe(true);
    expect(project.truncated).toBe(false);
    expect(cluster.items.map((template) => template.id).sort()).toEqual(storeIdsOfContext('cluster'));
    expect(cluster.items.every((template) => template.context === 'cluster')).toBe(true);
  });

  it('counts kept items against maxItems', async () => {
    const all = storeIdsOfContext('project');
    const cut = await list({ context: 'project', pageSize: 2, maxItems: all.length - 1 });
    const exact = await list({ context: 'project', pageSize: 2, maxItems: all.length });

    expect(cut.count).toBe(all.length - 1);
    expect(cut.truncated).toBe(true);
    expect(exact.count).toBe(all.length);
    expect(exact.truncated).toBe(false);
  });
});
