import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { requestSimulator, type TestRequest, type TestResponse } from './simulator-http.js';

const management = '/apis/management.cattle.io/v3';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion: string; uid: string; generation: number; labels?: Record<string, string>; [field: string]: unknown };
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

interface ListBody {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  reason?: string;
  code?: number;
  message?: string;
  metadata: { continue?: string };
  details?: { name?: string; kind?: string; causes?: { reason: string; field: string; message: string }[] };
}

let simulator: RunningSimulator;

function admin(request: TestRequest): Promise<TestResponse> {
  return requestSimulator(simulator.port, simulator.caPem, { ...request, token: request.token ?? simulator.tokens.admin });
}

async function expectStatus(request: TestRequest, status: number): Promise<TestResponse> {
  const response = await admin(request);
  expect(response.status, `${request.method ?? 'GET'} ${request.path}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

async function list(path: string): Promise<ListBody> {
  return (await expectStatus({ path }, 200)).body as ListBody;
}

/** Reads every page of a list and returns the pages. */
async function readPages(path: string, limit: number): Promise<ListBody[]> {
  const pages: ListBody[] = [];
  let continueToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(limit) });
    if (continueToken) {
      query.set('continue', continueToken);
    }
    const page = await list(`${path}${path.includes('?') ? '&' : '?'}${query}`);
    pages.push(page);
    continueToken = page.metadata.continue;
  } while (continueToken);
  return pages;
}

const cluster = () => simulator.clusters.clusters[1]?.id ?? '';
const project = () => simulator.clusters.clusters[1]?.projectIds[2] ?? '';
const backingNamespace = () => `${cluster()}-${project()}`;
const member = () => simulator.users.localUserIds[5] ?? '';

beforeAll(async () => {
  simulator = await startSimulator({ users: 12, seed: 11 });
});

afterAll(async () => {
  await simulator.close();
});

describe('simulator seed', () => {
  it('seeds local and two downstream clusters', () => {
    const ids = simulator.clusters.clusters.map((seeded) => seeded.id);

    expect(ids[0]).toBe('local');
    expect(ids).toHaveLength(3);
    expect(ids[1]).toMatch(/^c-m-[bcdfghjklmnpqrstvwxz2456789]{8}$/);
    expect(ids[2]).toMatch(/^c-m-[bcdfghjklmnpqrstvwxz2456789]{8}$/);
  });

  it('lists projects spanning three clusters', async () => {
    const projects = await list(`${management}/projects`);
    const namespaces = new Set(projects.items.map((item) => item.metadata.namespace));

    expect(projects.kind).toBe('ProjectList');
    expect([...namespaces].sort()).toEqual(simulator.clusters.clusters.map((seeded) => seeded.id).sort());
    for (const item of projects.items) {
      expect(item.metadata.name).toMatch(/^p-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(item.spec?.clusterName).toBe(item.metadata.namespace);
      expect(item.status?.backingNamespace).toBe(`${item.metadata.namespace}-${item.metadata.name}`);
    }
    for (const seeded of simulator.clusters.clusters) {
      const names = projects.items.filter((item) => item.metadata.namespace === seeded.id).map((item) => item.spec?.displayName);
      expect(names, seeded.id).toContain('Default');
      expect(names, seeded.id).toContain('System');
    }
  });

  it('lists one cluster projects by namespace', async () => {
    const projects = await list(`${management}/namespaces/${cluster()}/projects`);

    expect(projects.items.map((item) => item.metadata.name).sort()).toEqual([...(simulator.clusters.clusters[1]?.projectIds ?? [])].sort());
  });

  it('filters projects by metadata.namespace', async () => {
    const selector = encodeURIComponent(`metadata.namespace=${cluster()}`);
    const projects = await list(`${management}/projects?fieldSelector=${selector}`);

    expect(projects.items.length).toBeGreaterThan(0);
    expect(projects.items.every((item) => item.metadata.namespace === cluster())).toBe(true);
  });

  it('seeds 42 built-in role templates', async () => {
    const templates = await list(`${management}/roletemplates`);

    expect(templates.items).toHaveLength(42);
    expect(templates.items.filter((item) => item.context === 'cluster')).toHaveLength(14);
    expect(templates.items.filter((item) => item.context === 'project')).toHaveLength(28);
  });

  it('seeds bindings in every cluster and project', async () => {
    const crtbs = await list(`${management}/clusterroletemplatebindings`);
    const prtbs = await list(`${management}/projectroletemplatebindings`);

    for (const seeded of simulator.clusters.clusters) {
      expect(crtbs.items.some((item) => item.metadata.namespace === seeded.id && item.roleTemplateName === 'cluster-owner')).toBe(true);
      for (const projectId of seeded.projectIds) {
        expect(prtbs.items.some((item) => item.metadata.namespace === `${seeded.id}-${projectId}` && item.projectName === `${seeded.id}:${projectId}`)).toBe(true);
      }
    }
  });

  it('seeds one audit policy and one kubeconfig', async () => {
    const policies = await list('/apis/auditlog.cattle.io/v1/auditpolicies');
    const kubeconfigs = await list('/apis/ext.cattle.io/v1/kubeconfigs');

    expect(policies.items.map((item) => item.metadata.name)).toEqual([simulator.clusters.auditPolicyName]);
    expect(kubeconfigs.items.map((item) => item.metadata.name)).toEqual([simulator.clusters.kubeconfigName]);
    expect(kubeconfigs.items[0]?.status).not.toHaveProperty('value');
  });
});

describe('simulator list paging', () => {
  it('pages 50 bindings seven at a time', async () => {
    const labels = { 'simulator.test/batch': 'fifty' };
    for (let index = 0; index < 50; index += 1) {
      await expectStatus(
        {
          method: 'POST',
          path: `${management}/namespaces/${backingNamespace()}/projectroletemplatebindings`,
          body: {
            apiVersion: 'management.cattle.io/v3',
            kind: 'ProjectRoleTemplateBinding',
            metadata: { generateName: 'prtb-', labels },
            projectName: `${cluster()}:${project()}`,
            roleTemplateName: 'read-only',
            userName: simulator.users.localUserIds[index % simulator.users.localUserIds.length],
          },
        },
        201,
      );
    }

    const selector = encodeURIComponent('simulator.test/batch=fifty');
    const pages = await readPages(`${management}/namespaces/${backingNamespace()}/projectroletemplatebindings?labelSelector=${selector}`, 7);
    const names = pages.flatMap((page) => page.items.map((item) => item.metadata.name));

    expect(pages).toHaveLength(8);
    expect(pages.map((page) => page.items.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(new Set(names).size).toBe(50);
    expect(new Set(pages.map((page) => page.metadata.resourceVersion)).size).toBe(1);
  });

  it('answers 410 Expired for an expired continue token mid-list', async () => {
    const first = await list(`${management}/roletemplates?limit=10`);
    const second = await list(`${management}/roletemplates?limit=10&continue=${encodeURIComponent(first.metadata.continue ?? '')}`);
    simulator.expireContinueTokens();

    const expired = await expectStatus({ path: `${management}/roletemplates?limit=10&continue=${encodeURIComponent(second.metadata.continue ?? '')}` }, 410);
    const body = expired.body as StatusBody;
    expect(body.kind).toBe('Status');
    expect(body.status).toBe('Failure');
    expect(body.reason).toBe('Expired');
    expect(body.code).toBe(410);
    expect(body.message).toMatch(/continue token is too old/);

    // The token in the Status continues after the same key at the latest revision.
    const rest = await readPages(`${management}/roletemplates?continue=${encodeURIComponent(body.metadata.continue ?? '')}`, 100);
    const names = [...first.items, ...second.items, ...rest.flatMap((page) => page.items)].map((item) => item.metadata.name);
    expect(new Set(names).size).toBe(42);
  });

  it('expires continue tokens after the history limit', async () => {
    const small = await startSimulator({ users: 3, historyLimit: 2 });
    try {
      const call = (request: TestRequest) => requestSimulator(small.port, small.caPem, { ...request, token: small.tokens.admin });
      const first = (await call({ path: `${management}/globalroles?limit=5` })).body as ListBody;
      for (const name of ['history-a', 'history-b', 'history-c']) {
        const created = await call({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name } } });
        expect(created.status).toBe(201);
      }

      const next = await call({ path: `${management}/globalroles?limit=5&continue=${encodeURIComponent(first.metadata.continue ?? '')}` });
      expect(next.status).toBe(410);
      expect((next.body as StatusBody).reason).toBe('Expired');
    } finally {
      await small.close();
    }
  });

  it('reads later pages from the first page snapshot', async () => {
    const first = await list(`${management}/globalroles?limit=3`);
    await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'zz-created-between-pages' } } }, 201);
    await expectStatus({ method: 'DELETE', path: `${management}/globalroles/zz-created-between-pages` }, 200);
    await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'zz-created-after-first-page' } } }, 201);

    const rest = await readPages(`${management}/globalroles?continue=${encodeURIComponent(first.metadata.continue ?? '')}`, 100);
    const names = rest.flatMap((page) => page.items.map((item) => item.metadata.name));
    expect(names).not.toContain('zz-created-after-first-page');
    expect(rest[0]?.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    const fresh = await list(`${management}/globalroles`);
    expect(fresh.items.map((item) => item.metadata.name)).toContain('zz-created-after-first-page');
  });

  it('serves resourceVersionMatch=Exact from history', async () => {
    const before = await list(`${management}/globalroles`);
    await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'exact-read' } } }, 201);

    const exact = await list(`${management}/globalroles?resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.items.map((item) => item.metadata.name)).not.toContain('exact-read');
    expect(exact.items).toHaveLength(before.items.length);
  });

  it('rejects resourceVersion with continue', async () => {
    const first = await list(`${management}/globalroles?limit=2`);
    const response = await expectStatus({ path: `${management}/globalroles?limit=2&resourceVersion=5&continue=${encodeURIComponent(first.metadata.continue ?? '')}` }, 400);

    expect((response.body as StatusBody).reason).toBe('BadRequest');
  });
});

/** One family's paths and a valid new object, for the CRUD table. */
interface Family {
  label: string;
  collection: () => string;
  newObject: () => Record<string, unknown>;
  /** A field change that an update may make. */
  change: (object: KubeObject) => void;
  /** A required field to drop for the 422 case, when the schema has one. */
  required?: string;
  /** An immutable field and a new value for it. */
  immutable?: [string, unknown];
  /** Whether the server always generates names, so a client name never conflicts. */
  generatedNames?: boolean;
}

const families: Family[] = [
  {
    label: 'users',
    collection: () => `${management}/users`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'User', metadata: { generateName: 'u-' }, username: 'crud.user', displayName: 'CRUD User' }),
    change: (object) => (object.displayName = 'Changed Name'),
  },
  {
    label: 'global roles',
    collection: () => `${management}/globalroles`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { generateName: 'gr-' }, displayName: 'CRUD role', rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }),
    change: (object) => (object.description = 'changed'),
    immutable: ['builtin', true],
  },
  {
    label: 'global role bindings',
    collection: () => `${management}/globalrolebindings`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'user-base', userName: member() }),
    change: (object) => (object.metadata.labels = { changed: 'true' }),
    required: 'globalRoleName',
    immutable: ['globalRoleName', 'admin'],
  },
  {
    label: 'role templates',
    collection: () => `${management}/roletemplates`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'RoleTemplate', metadata: { generateName: 'rt-' }, context: 'project', displayName: 'CRUD template', roleTemplateNames: ['view'] }),
    change: (object) => (object.locked = true),
    immutable: ['builtin', true],
  },
  {
    label: 'projects',
    collection: () => `${management}/namespaces/${cluster()}/projects`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'Project', metadata: { generateName: 'p-' }, spec: { clusterName: cluster(), displayName: 'crud project' } }),
    change: (object) => ((object.spec as Record<string, unknown>).description = 'changed'),
    required: 'spec.displayName',
    immutable: ['spec.clusterName', 'local'],
  },
  {
    label: 'cluster role template bindings',
    collection: () => `${management}/namespaces/${cluster()}/clusterroletemplatebindings`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'ClusterRoleTemplateBinding', metadata: { generateName: 'crtb-' }, clusterName: cluster(), roleTemplateName: 'projects-view', userName: member() }),
    change: (object) => (object.metadata.labels = { changed: 'true' }),
    required: 'roleTemplateName',
    immutable: ['roleTemplateName', 'cluster-member'],
  },
  {
    label: 'project role template bindings',
    collection: () => `${management}/namespaces/${backingNamespace()}/projectroletemplatebindings`,
    newObject: () => ({ apiVersion: 'management.cattle.io/v3', kind: 'ProjectRoleTemplateBinding', metadata: { generateName: 'prtb-' }, projectName: `${cluster()}:${project()}`, roleTemplateName: 'project-member', userName: member() }),
    change: (object) => (object.metadata.labels = { changed: 'true' }),
    required: 'projectName',
    immutable: ['roleTemplateName', 'read-only'],
  },
  {
    label: 'ext tokens',
    collection: () => '/apis/ext.cattle.io/v1/tokens',
    newObject: () => ({ apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: { name: 'ignored-name' }, spec: { description: 'crud token', ttl: 3_600_000 } }),
    change: (object) => ((object.spec as Record<string, unknown>).description = 'changed'),
    immutable: ['spec.kind', 'session'],
    generatedNames: true,
  },
  {
    label: 'kubeconfigs',
    collection: () => '/apis/ext.cattle.io/v1/kubeconfigs',
    newObject: () => ({ apiVersion: 'ext.cattle.io/v1', kind: 'Kubeconfig', metadata: {}, spec: { clusters: [cluster()], description: 'crud kubeconfig' } }),
    change: (object) => (object.metadata.labels = { ...object.metadata.labels, changed: 'true' }),
    required: 'spec.clusters',
    immutable: ['spec.currentContext', 'local'],
    generatedNames: true,
  },
  {
    label: 'audit policies',
    collection: () => '/apis/auditlog.cattle.io/v1/auditpolicies',
    newObject: () => ({ apiVersion: 'auditlog.cattle.io/v1', kind: 'AuditPolicy', metadata: { generateName: 'ap-' }, spec: { enabled: false, filters: [{ action: 'deny', requestURI: '^/healthz$' }] } }),
    change: (object) => ((object.spec as Record<string, unknown>).enabled = true),
    required: 'spec.enabled',
  },
];

function setField(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = object;
  for (const part of parts.slice(0, -1)) {
    target = target[part] as Record<string, unknown>;
  }
  const last = parts.at(-1) ?? '';
  if (value === undefined) {
    delete target[last];
  } else {
    target[last] = value;
  }
}

describe.each(families)('simulator CRUD of $label', (family) => {
  let created: KubeObject;
  const itemPath = () => `${family.collection()}/${created.metadata.name}`;

  it('creates with 201 and reads it back', async () => {
    const response = await expectStatus({ method: 'POST', path: family.collection(), body: family.newObject() }, 201);
    created = response.body as KubeObject;

    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    const fetched = await expectStatus({ path: itemPath() }, 200);
    expect((fetched.body as KubeObject).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('updates with the current resourceVersion', async () => {
    const current = (await expectStatus({ path: itemPath() }, 200)).body as KubeObject;
    family.change(current);
    const updated = (await expectStatus({ method: 'PUT', path: itemPath(), body: current }, 200)).body as KubeObject;

    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
    expect(updated.metadata.uid).toBe(created.metadata.uid);
  });

  it('answers 409 Conflict for a stale resourceVersion', async () => {
    const stale = structuredClone(created);
    family.change(stale);
    const response = await expectStatus({ method: 'PUT', path: itemPath(), body: stale }, 409);
    const body = response.body as StatusBody;

    expect(body.reason).toBe('Conflict');
    expect(body.code).toBe(409);
    expect(body.message).toMatch(/^Operation cannot be fulfilled on .+ "[^"]+": the object has been modified; please apply your changes to the latest version and try again$/);
    expect(body.details?.name).toBe(created.metadata.name);
  });

  it('answers 422 for an update without resourceVersion', async () => {
    const current = (await expectStatus({ path: itemPath() }, 200)).body as KubeObject;
    delete (current.metadata as Record<string, unknown>).resourceVersion;
    const response = await expectStatus({ method: 'PUT', path: itemPath(), body: current }, 422);

    expect((response.body as StatusBody).details?.causes?.[0]?.field).toBe('metadata.resourceVersion');
  });

  it('answers 422 for a missing required field', async () => {
    if (!family.required) {
      return;
    }
    const object = family.newObject();
    setField(object, family.required, undefined);
    const response = await expectStatus({ method: 'POST', path: family.collection(), body: object }, 422);
    const body = response.body as StatusBody;

    expect(body.reason).toBe('Invalid');
    expect(body.details?.causes?.map((cause) => cause.field)).toContain(family.required);
  });

  it('answers 422 for a changed immutable field', async () => {
    if (!family.immutable) {
      return;
    }
    const [field, value] = family.immutable;
    const current = (await expectStatus({ path: itemPath() }, 200)).body as KubeObject;
    setField(current, field, value);
    const response = await expectStatus({ method: 'PUT', path: itemPath(), body: current }, 422);
    const causes = (response.body as StatusBody).details?.causes ?? [];

    expect(causes.map((cause) => cause.field)).toContain(field);
    expect(causes[0]?.message).toMatch(/field is immutable/);
  });

  it('applies a merge patch', async () => {
    const response = await expectStatus({ method: 'PATCH', path: itemPath(), contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'simulator.test/merge': 'yes' } } } }, 200);

    expect((response.body as KubeObject).metadata.annotations).toMatchObject({ 'simulator.test/merge': 'yes' });
  });

  it('applies a JSON patch', async () => {
    const response = await expectStatus(
      { method: 'PATCH', path: itemPath(), contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/metadata/labels', value: { 'simulator.test/json-patch': 'yes' } }] },
      200,
    );

    expect((response.body as KubeObject).metadata.labels).toEqual({ 'simulator.test/json-patch': 'yes' });
  });

  it('answers 409 AlreadyExists for a taken name', async () => {
    if (family.generatedNames) {
      return;
    }
    const object = family.newObject();
    (object.metadata as Record<string, unknown>) = { name: created.metadata.name };
    const response = await expectStatus({ method: 'POST', path: family.collection(), body: object }, 409);

    expect((response.body as StatusBody).reason).toBe('AlreadyExists');
  });

  it('deletes, then answers 404', async () => {
    const response = await expectStatus({ method: 'DELETE', path: itemPath() }, 200);

    expect(response.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: created.metadata.name, uid: created.metadata.uid } });
    const missing = await expectStatus({ path: itemPath() }, 404);
    expect((missing.body as StatusBody).reason).toBe('NotFound');
    await expectStatus({ method: 'DELETE', path: itemPath() }, 404);
  });
});

describe('simulator writes', () => {
  const bindingsPath = `${management}/globalrolebindings`;

  async function newBinding(): Promise<KubeObject> {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'user-base', userName: member() };
    return (await expectStatus({ method: 'POST', path: bindingsPath, body }, 201)).body as KubeObject;
  }

  it('rejects dryRun instead of writing', async () => {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'dry-run-role' } };
    const response = await expectStatus({ method: 'POST', path: `${management}/globalroles?dryRun=All`, body }, 400);

    expect((response.body as StatusBody).message).toMatch(/dryRun=All is not supported/);
    await expectStatus({ path: `${management}/globalroles/dry-run-role` }, 404);
  });

  it('rejects unsupported patch types with 415', async () => {
    const binding = await newBinding();
    for (const contentType of ['text/plain', 'application/strategic-merge-patch+json']) {
      const response = await expectStatus({ method: 'PATCH', path: `${bindingsPath}/${binding.metadata.name}`, contentType, body: '{}' }, 415);

      expect((response.body as StatusBody).reason).toBe('UnsupportedMediaType');
    }
  });

  it('answers 409 for a patch with a stale resourceVersion', async () => {
    const binding = await newBinding();
    await expectStatus({ method: 'PATCH', path: `${bindingsPath}/${binding.metadata.name}`, contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } }, 200);

    const stale = await expectStatus(
      { method: 'PATCH', path: `${bindingsPath}/${binding.metadata.name}`, contentType: 'application/merge-patch+json', body: { metadata: { resourceVersion: binding.metadata.resourceVersion, labels: { a: 'c' } } } },
      409,
    );
    expect((stale.body as StatusBody).reason).toBe('Conflict');
  });

  it('answers 422 for a failed JSON patch test', async () => {
    const binding = await newBinding();
    const response = await expectStatus(
      { method: 'PATCH', path: `${bindingsPath}/${binding.metadata.name}`, contentType: 'application/json-patch+json', body: [{ op: 'test', path: '/globalRoleName', value: 'admin' }] },
      422,
    );

    expect((response.body as StatusBody).reason).toBe('Invalid');
  });

  it('changes only status through /status', async () => {
    const binding = await newBinding();
    const statusPath = `${bindingsPath}/${binding.metadata.name}/status`;
    const current = (await expectStatus({ path: statusPath }, 200)).body as KubeObject;
    const request = structuredClone(current);
    request.status = { ...request.status, summary: 'Error' };
    request.userName = 'someone-else';

    const updated = (await expectStatus({ method: 'PUT', path: statusPath, body: request }, 200)).body as KubeObject;
    expect(updated.status?.summary).toBe('Error');
    expect(updated.userName).toBe(member());
    expect(updated.metadata.generation).toBe(current.metadata.generation);
  });

  it('keeps status on a main resource update', async () => {
    const binding = await newBinding();
    binding.status = { summary: 'Error' };
    binding.metadata.labels = { touched: 'yes' };

    const updated = (await expectStatus({ method: 'PUT', path: `${bindingsPath}/${binding.metadata.name}`, body: binding }, 200)).body as KubeObject;
    expect(updated.status?.summary).toBe('Complete');
    expect(updated.metadata.labels).toEqual({ touched: 'yes' });
  });

  it('patches status through /status', async () => {
    const response = await expectStatus(
      { method: 'PATCH', path: `/apis/auditlog.cattle.io/v1/auditpolicies/${simulator.clusters.auditPolicyName}/status`, contentType: 'application/merge-patch+json', body: { status: { conditions: [] }, spec: { enabled: false } } },
      200,
    );

    expect((response.body as KubeObject).spec?.enabled).toBe(true);
    expect((response.body as KubeObject).status).toEqual({ conditions: [] });
  });

  it('answers 409 for a failed delete precondition', async () => {
    const binding = await newBinding();
    const response = await expectStatus({ method: 'DELETE', path: `${bindingsPath}/${binding.metadata.name}`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } } }, 409);

    expect((response.body as StatusBody).reason).toBe('Conflict');
    await expectStatus({ path: `${bindingsPath}/${binding.metadata.name}` }, 200);
  });

  it('deletes a collection by label selector', async () => {
    for (let index = 0; index < 3; index += 1) {
      await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { generateName: 'temp-', labels: { 'simulator.test/temporary': 'yes' } } } }, 201);
    }
    const selector = encodeURIComponent('simulator.test/temporary=yes');

    const response = await expectStatus({ method: 'DELETE', path: `${management}/globalroles?labelSelector=${selector}` }, 200);
    expect(response.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await list(`${management}/globalroles?labelSelector=${selector}`)).items).toHaveLength(0);
    expect((await list(`${management}/globalroles`)).items.length).toBeGreaterThan(17);
  });

  it('deletes bindings owned by a deleted global role', async () => {
    await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'owned-role' } } }, 201);
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'owned-role', userName: member() };
    const binding = (await expectStatus({ method: 'POST', path: bindingsPath, body }, 201)).body as KubeObject;

    await expectStatus({ method: 'DELETE', path: `${management}/globalroles/owned-role` }, 200);
    await expectStatus({ path: `${bindingsPath}/${binding.metadata.name}` }, 404);
  });
});

describe('simulator admission checks', () => {
  const crtbPath = () => `${management}/namespaces/${cluster()}/clusterroletemplatebindings`;
  const crtb = (fields: Record<string, unknown>) => ({ apiVersion: 'management.cattle.io/v3', kind: 'ClusterRoleTemplateBinding', metadata: { generateName: 'crtb-' }, clusterName: cluster(), roleTemplateName: 'cluster-member', userName: member(), ...fields });

  it.each([
    ['a project role template', { roleTemplateName: 'project-member' }, /context is "project", expected "cluster"/],
    ['a missing role template', { roleTemplateName: 'no-such-template' }, /roleTemplateName: Not found: "no-such-template"/],
    ['another cluster name', { clusterName: 'local' }, /clusterName must equal the namespace/],
    ['two subject kinds', { groupPrincipalName: 'local://g-abcde' }, /either a user .* OR a group/],
  ])('rejects a CRTB with %s', async (_label, fields, message) => {
    const response = await expectStatus({ method: 'POST', path: crtbPath(), body: crtb(fields) }, 400);
    const body = response.body as StatusBody;

    expect(body.reason).toBe('BadRequest');
    expect(body.message).toMatch(/^admission webhook "rancher\.cattle\.io\.clusterroletemplatebindings\.management\.cattle\.io" denied the request: /);
    expect(body.message).toMatch(message);
  });

  it('rejects a locked role template', async () => {
    await expectStatus({ method: 'POST', path: `${management}/roletemplates`, body: { apiVersion: 'management.cattle.io/v3', kind: 'RoleTemplate', metadata: { name: 'locked-template' }, context: 'cluster', locked: true } }, 201);

    const response = await expectStatus({ method: 'POST', path: crtbPath(), body: crtb({ roleTemplateName: 'locked-template' }) }, 400);
    expect((response.body as StatusBody).message).toMatch(/locked/);
  });

  it('rejects a PRTB outside the project backing namespace', async () => {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'ProjectRoleTemplateBinding', metadata: { generateName: 'prtb-' }, projectName: `${cluster()}:${project()}`, roleTemplateName: 'project-member', userName: member() };
    const response = await expectStatus({ method: 'POST', path: `${management}/namespaces/${cluster()}/projectroletemplatebindings`, body }, 400);

    expect((response.body as StatusBody).message).toMatch(/backing namespace/);
  });

  it('rejects a project whose clusterName is not its namespace', async () => {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'Project', metadata: { generateName: 'p-' }, spec: { clusterName: 'local', displayName: 'misplaced' } };
    const response = await expectStatus({ method: 'POST', path: `${management}/namespaces/${cluster()}/projects`, body }, 400);

    expect((response.body as StatusBody).reason).toBe('BadRequest');
  });

  it('rejects a role template context outside the enum', async () => {
    const response = await expectStatus({ method: 'POST', path: `${management}/roletemplates`, body: { apiVersion: 'management.cattle.io/v3', kind: 'RoleTemplate', metadata: { name: 'bad-context' }, context: 'global' } }, 422);

    expect((response.body as StatusBody).details?.causes?.[0]).toMatchObject({ reason: 'FieldValueNotSupported', field: 'context' });
  });
});

describe('simulator ext tokens and kubeconfigs', () => {
  const tokensPath = '/apis/ext.cattle.io/v1/tokens';

  it('marks the admin key as current', async () => {
    const tokens = await list(tokensPath);
    const adminName = simulator.tokens.admin.split(':')[0];
    const current = tokens.items.filter((item) => item.status?.current === true);

    expect(current.map((item) => item.metadata.name)).toEqual([adminName]);
    expect(current[0]?.status?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(current[0]?.spec?.ttl).toBe(129_600 * 60 * 1000);
    for (const item of tokens.items) {
      expect(item.status).not.toHaveProperty('hash');
      expect(item.status).not.toHaveProperty('value');
    }
  });

  it('creates a token whose bearer value authenticates', async () => {
    const response = await expectStatus({ method: 'POST', path: tokensPath, body: { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: { name: 'my-name' }, spec: { description: 'bearer test', ttl: 3_600_000 } } }, 201);
    const token = response.body as KubeObject;
    const status = token.status as { value: string; bearerToken: string; expiresAt: string; current: boolean };

    expect(token.metadata.name).toMatch(/^token-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(status.value).toMatch(/^[a-z0-9]{54}$/);
    expect(status.bearerToken).toBe(`ext/${token.metadata.name}:${status.value}`);
    expect(status.current).toBe(false);
    expect(Date.parse(status.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);

    const withPrefix = await admin({ path: tokensPath, token: status.bearerToken });
    expect(withPrefix.status).toBe(200);
    const seen = (withPrefix.body as ListBody).items.find((item) => item.metadata.name === token.metadata.name);
    expect(seen?.status?.current).toBe(true);
    expect(seen?.status).not.toHaveProperty('value');
    expect(seen?.status).not.toHaveProperty('bearerToken');

    const withoutPrefix = await admin({ path: `${management}/users`, token: `${token.metadata.name}:${status.value}` });
    expect(withoutPrefix.status).toBe(200);

    await expectStatus({ method: 'DELETE', path: `${tokensPath}/${token.metadata.name}` }, 200);
    expect((await admin({ path: tokensPath, token: status.bearerToken })).status).toBe(401);
  });

  it('forbids a token for another user', async () => {
    const response = await expectStatus({ method: 'POST', path: tokensPath, body: { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: {}, spec: { userID: member() } } }, 403);

    expect((response.body as StatusBody).reason).toBe('Forbidden');
  });

  it('shows a user only their own tokens', async () => {
    const key = simulator.addToken({ userId: member() });
    const own = await admin({ method: 'POST', path: tokensPath, token: key.bearer, body: { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: {}, spec: {} } });
    expect(own.status).toBe(201);

    const seen = await admin({ path: tokensPath, token: key.bearer });
    expect((seen.body as ListBody).items.map((item) => item.spec?.userID)).toEqual([member()]);
    const adminKeyName = simulator.tokens.admin.split(':')[0] ?? '';
    expect((await admin({ path: `${tokensPath}/${adminKeyName}`, token: key.bearer })).status).toBe(404);
  });

  it('moves the expiry when the ttl changes', async () => {
    const created = (await expectStatus({ method: 'POST', path: tokensPath, body: { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: {}, spec: { ttl: 3_600_000 } } }, 201)).body as KubeObject;
    const patched = await expectStatus({ method: 'PATCH', path: `${tokensPath}/${created.metadata.name}`, contentType: 'application/merge-patch+json', body: { spec: { ttl: 60_000 } } }, 200);
    const expiresAt = Date.parse(String((patched.body as KubeObject).status?.expiresAt));

    expect(expiresAt - Date.parse(created.metadata.creationTimestamp as string)).toBe(60_000);
  });

  it('returns the kubeconfig value only on create', async () => {
    const body = { apiVersion: 'ext.cattle.io/v1', kind: 'Kubeconfig', metadata: { name: 'ignored' }, spec: { clusters: [cluster(), 'local'] } };
    const created = (await expectStatus({ method: 'POST', path: '/apis/ext.cattle.io/v1/kubeconfigs', body }, 201)).body as KubeObject;
    const status = created.status as { value: string; tokens: string[]; summary: string };

    expect(created.metadata.name).toMatch(/^kubeconfig-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(status.summary).toBe('Complete');
    expect(status.tokens).toHaveLength(1);
    expect(status.value).toContain('kind: Config');
    expect(status.value).toContain(`current-context: ${cluster()}`);
    const bearer = /token: (\S+)/.exec(status.value)?.[1] ?? '';
    expect(bearer).toMatch(/^ext\/token-[a-z0-9]{5}:[a-z0-9]{54}$/);
    expect((await admin({ path: `${management}/users`, token: bearer })).status).toBe(200);

    const fetched = (await expectStatus({ path: `/apis/ext.cattle.io/v1/kubeconfigs/${created.metadata.name}` }, 200)).body as KubeObject;
    expect(fetched.status).not.toHaveProperty('value');
    expect(fetched.status?.tokens).toEqual(status.tokens);

    await expectStatus({ method: 'DELETE', path: `/apis/ext.cattle.io/v1/kubeconfigs/${created.metadata.name}` }, 200);
    await expectStatus({ path: `${tokensPath}/${status.tokens[0] ?? ''}` }, 404);
    expect((await admin({ path: `${management}/users`, token: bearer })).status).toBe(401);
  });

  it('rejects a kubeconfig for an unknown cluster', async () => {
    const body = { apiVersion: 'ext.cattle.io/v1', kind: 'Kubeconfig', metadata: {}, spec: { clusters: ['c-m-nosuch00'] } };
    const response = await expectStatus({ method: 'POST', path: '/apis/ext.cattle.io/v1/kubeconfigs', body }, 400);

    expect((response.body as StatusBody).message).toMatch(/Not found: "c-m-nosuch00"/);
  });
});

describe('simulator watch', () => {
  it('ends the watch after timeoutSeconds', async () => {
    const started = Date.now();
    const response = await expectStatus({ path: `${management}/globalroles?watch=true&timeoutSeconds=1` }, 200);
    const elapsed = Date.now() - started;
    const events = response.body as { type: string; object: KubeObject }[];

    expect(response.contentType).toBe('application/json;stream=watch');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    expect(events.length).toBeGreaterThanOrEqual(17);
    expect(events.every((event) => event.type === 'ADDED' && event.object.kind === 'GlobalRole')).toBe(true);
  });

  it('streams changes after a resourceVersion', async () => {
    const before = await list(`${management}/globalroles`);
    const watch = expectStatus({ path: `${management}/globalroles?watch=1&timeoutSeconds=1&resourceVersion=${before.metadata.resourceVersion}` }, 200);
    await expectStatus({ method: 'POST', path: `${management}/globalroles`, body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'watched-role' } } }, 201);
    await expectStatus({ method: 'PATCH', path: `${management}/globalroles/watched-role`, contentType: 'application/merge-patch+json', body: { displayName: 'Watched' } }, 200);
    await expectStatus({ method: 'DELETE', path: `${management}/globalroles/watched-role` }, 200);

    const events = (await watch).body as { type: string; object: KubeObject }[];
    expect(events.map((event) => `${event.type} ${event.object.metadata.name}`)).toEqual(['ADDED watched-role', 'MODIFIED watched-role', 'DELETED watched-role']);
  });

  it('watches one token on the deprecated path', async () => {
    const name = simulator.tokens.admin.split(':')[0] ?? '';
    const response = await expectStatus({ path: `/apis/ext.cattle.io/v1/watch/tokens/${name}?timeoutSeconds=1` }, 200);
    const events = response.body as { type: string; object: KubeObject }[];

    expect(events).toHaveLength(1);
    expect(events[0]?.object.metadata.name).toBe(name);
    expect(events[0]?.object.status?.current).toBe(true);
  });

  it('sends 410 as an ERROR event for a compacted resourceVersion', async () => {
    const before = await list(`${management}/users`);
    simulator.expireContinueTokens();
    const response = await expectStatus({ path: `${management}/users?watch=true&timeoutSeconds=1&resourceVersion=${before.metadata.resourceVersion}` }, 200);
    const events = response.body as { type: string; object: StatusBody }[];

    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});

describe('simulator request faults', () => {
  it('answers 429 with Retry-After', async () => {
    simulator.faults.add({ kind: 'rate-limit', method: 'GET', pathPattern: `${management}/users`, retryAfterSeconds: 7 });

    const limited = await expectStatus({ path: `${management}/users` }, 429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 7 } });
    await expectStatus({ path: `${management}/users` }, 200);
  });

  it('answers a queued 5xx count times', async () => {
    simulator.faults.add({ kind: 'server-error', status: 500, pathPattern: /\/globalroles$/, count: 2 });

    expect((await expectStatus({ path: `${management}/globalroles` }, 500)).body).toMatchObject({ reason: 'InternalError', code: 500 });
    await expectStatus({ path: `${management}/globalroles` }, 500);
    await expectStatus({ path: `${management}/globalroles` }, 200);
  });

  it('delays matching requests', async () => {
    simulator.faults.add({ kind: 'latency', latencyMs: 400, pathPattern: `${management}/roletemplates` });
    const started = Date.now();
    await expectStatus({ path: `${management}/roletemplates/admin` }, 200);

    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('resets the connection after the write committed', async () => {
    simulator.faults.add({ kind: 'reset-after-commit', method: 'POST', pathPattern: `${management}/globalroles` });
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRole', metadata: { name: 'committed-before-reset' } };

    await expect(admin({ method: 'POST', path: `${management}/globalroles`, body })).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expectStatus({ path: `${management}/globalroles/committed-before-reset` }, 200);
  });

  it('rejects a fault with a bad count', () => {
    expect(() => simulator.faults.add({ kind: 'latency', count: 0 })).toThrow(RangeError);
  });
});
