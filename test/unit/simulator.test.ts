import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { requestSimulator, type TestRequest } from './simulator-http.js';

const usersPath = '/apis/management.cattle.io/v3/users';
const bindingsPath = '/apis/management.cattle.io/v3/globalrolebindings';
const rancherUnauthorizedBody = { type: 'error', status: '401', message: 'Unauthorized 401: must authenticate' };

interface ListBody {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string; labels?: Record<string, string> }; [field: string]: unknown }[];
}

interface StatusBody {
  kind: string;
  status: string;
  reason?: string;
  code?: number;
  message?: string;
  details?: Record<string, unknown>;
}

let simulator: RunningSimulator;
const logLines: string[] = [];

function call(request: TestRequest) {
  return requestSimulator(simulator.port, simulator.caPem, request);
}

function admin(request: TestRequest) {
  return call({ ...request, token: simulator.tokens.admin });
}

async function listAll(pathWithQuery: string): Promise<ListBody> {
  const response = await admin({ path: pathWithQuery });
  expect(response.status).toBe(200);
  return response.body as ListBody;
}

beforeAll(async () => {
  simulator = await startSimulator({ users: 30, seed: 7, log: (line) => logLines.push(line) });
});

afterAll(async () => {
  await simulator.close();
});

describe('simulator authentication', () => {
  const wrongSecret = 'a'.repeat(54);

  const cases: [string, () => Omit<TestRequest, 'path'>][] = [
    ['missing header', () => ({})],
    ['value without colon', () => ({ authorization: 'Bearer token-abcde' })],
    ['basic scheme', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['unknown token name', () => ({ token: `token-zzzzz:${wrongSecret}` })],
    ['wrong secret', () => ({ token: `${simulator.tokens.admin.split(':')[0]}:${wrongSecret}` })],
    ['expired token', () => ({ token: simulator.tokens.expired })],
  ];

  it.each(cases)('rejects %s with Rancher 401 body', async (_label, build) => {
    const response = await call({ path: usersPath, ...build() });

    expect(response.status).toBe(401);
    expect(response.contentType).toBe('application/json');
    expect(response.body).toEqual(rancherUnauthorizedBody);
  });

  it('rejects disabled and cluster-scoped keys', async () => {
    const disabled = simulator.addToken({ userId: simulator.users.adminUserId, enabled: false });
    const scoped = simulator.addToken({ userId: simulator.users.adminUserId, clusterName: 'c-m-4bx2q7dz' });

    expect((await call({ path: usersPath, token: disabled.bearer })).status).toBe(401);
    expect((await call({ path: usersPath, token: scoped.bearer })).status).toBe(401);
  });

  it('accepts a key added at runtime', async () => {
    const added = simulator.addToken({ userId: simulator.users.localUserIds[0] ?? '' });

    expect(added.bearer).toMatch(/^token-[bcdfghjklmnpqrstvwxz2456789]{5}:[a-z0-9]{54}$/);
    expect((await call({ path: usersPath, token: added.bearer })).status).toBe(200);
  });

  it('issues tokens in Rancher format', () => {
    for (const token of [simulator.tokens.admin, simulator.tokens.expired]) {
      expect(token).toMatch(/^token-[bcdfghjklmnpqrstvwxz2456789]{5}:[a-z0-9]{54}$/);
    }
  });

  it('answers 401 before routing', async () => {
    const response = await call({ path: '/no/such/path' });

    expect(response.status).toBe(401);
  });

  it('sends Kubernetes Status body when configured', async () => {
    const kubernetesStyle = await startSimulator({ users: 3, unauthorizedBody: 'kubernetes' });
    try {
      const response = await requestSimulator(kubernetesStyle.port, kubernetesStyle.caPem, { path: usersPath, token: kubernetesStyle.tokens.expired });

      expect(response.status).toBe(401);
      expect(response.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    } finally {
      await kubernetesStyle.close();
    }
  });
});

describe('simulator users', () => {
  it('lists 30 users over 5 pages of 7', async () => {
    const names: string[] = [];
    const pageSizes: number[] = [];
    const remainingCounts: (number | undefined)[] = [];
    let continueToken: string | undefined;
    let firstResourceVersion: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '7' });
      if (continueToken) {
        query.set('continue', continueToken);
      }
      const page = await listAll(`${usersPath}?${query}`);
      expect(page.apiVersion).toBe('management.cattle.io/v3');
      expect(page.kind).toBe('UserList');
      firstResourceVersion ??= page.metadata.resourceVersion;
      expect(page.metadata.resourceVersion).toBe(firstResourceVersion);
      names.push(...page.items.map((item) => item.metadata.name));
      pageSizes.push(page.items.length);
      remainingCounts.push(page.metadata.remainingItemCount);
      continueToken = page.metadata.continue;
    } while (continueToken);

    expect(pageSizes).toEqual([7, 7, 7, 7, 2]);
    expect(remainingCounts).toEqual([23, 16, 9, 2, undefined]);
    expect(new Set(names).size).toBe(30);
    expect(names).toEqual([...names].sort());
  });

  it('omits continue without a limit', async () => {
    const list = await listAll(usersPath);

    expect(list.items).toHaveLength(30);
    expect(list.metadata).not.toHaveProperty('continue');
    expect(list.metadata).not.toHaveProperty('remainingItemCount');
  });

  it('rejects a malformed continue token', async () => {
    for (const token of ['not-base64!', Buffer.from('{"rv":1}').toString('base64url'), 'e30']) {
      const response = await admin({ path: `${usersPath}?limit=5&continue=${encodeURIComponent(token)}` });

      expect(response.status).toBe(400);
      const body = response.body as StatusBody;
      expect(body.kind).toBe('Status');
      expect(body.reason).toBe('BadRequest');
      expect(body.code).toBe(400);
    }
  });

  it('rejects a non-numeric limit', async () => {
    const response = await admin({ path: `${usersPath}?limit=ten` });

    expect(response.status).toBe(400);
  });

  it('seeds admin, local and external users', async () => {
    const list = await listAll(usersPath);
    const adminUser = list.items.find((item) => item.metadata.name === simulator.users.adminUserId);
    const externals = list.items.filter((item) => simulator.users.externalUserIds.includes(item.metadata.name));
    const locals = list.items.filter((item) => simulator.users.localUserIds.includes(item.metadata.name));

    expect(simulator.users.adminUserId).toMatch(/^user-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(adminUser).toMatchObject({ username: 'admin', displayName: 'Default Admin', enabled: true, principalIds: [`local://${simulator.users.adminUserId}`] });
    expect(externals).toHaveLength(5);
    expect(locals).toHaveLength(24);
    for (const user of locals) {
      expect(user.metadata.name).toMatch(/^u-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(user.principalIds).toEqual([`local://${user.metadata.name}`]);
      expect(typeof user.username).toBe('string');
    }
    for (const user of externals) {
      expect(user.metadata.name).toMatch(/^u-[a-z0-9]{10}$/);
      expect(user).not.toHaveProperty('username');
      expect(user).not.toHaveProperty('enabled');
      expect((user.principalIds as string[])[0]).toMatch(/^activedirectory_user:\/\/CN=/);
    }
    const nonAscii = locals.filter((user) => /[^\u0020-\u007e]/.test(String(user.displayName)));
    expect(nonAscii.length).toBeGreaterThanOrEqual(5);
  });

  it('returns user objects with full metadata', async () => {
    const name = simulator.users.localUserIds[0] ?? '';
    const response = await admin({ path: `${usersPath}/${name}` });

    expect(response.status).toBe(200);
    const user = response.body as { apiVersion: string; kind: string; metadata: Record<string, unknown>; status: { conditions: unknown[] } };
    expect(user.apiVersion).toBe('management.cattle.io/v3');
    expect(user.kind).toBe('User');
    expect(user.metadata).toMatchObject({ name, generateName: 'u-', generation: 1, labels: { 'cattle.io/creator': 'norman' } });
    expect(user.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(user.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(user.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(user.metadata.finalizers).toEqual(['controller.cattle.io/mgmt-auth-users-controller']);
    expect(user.status.conditions).toHaveLength(1);
  });

  it('returns 404 Status for a missing user', async () => {
    const response = await admin({ path: `${usersPath}/u-zz9q2` });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'users.management.cattle.io "u-zz9q2" not found',
      reason: 'NotFound',
      details: { name: 'u-zz9q2', group: 'management.cattle.io', kind: 'users' },
      code: 404,
    });
  });

  it('produces the same users for the same seed', async () => {
    const twin = await startSimulator({ users: 30, seed: 7 });
    const other = await startSimulator({ users: 30, seed: 8 });
    try {
      expect(twin.users).toEqual(simulator.users);
      expect(other.users.adminUserId).not.toBe(simulator.users.adminUserId);
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

describe('simulator selectors', () => {
  const names = (list: ListBody) => list.items.map((item) => item.metadata.name);

  it('filters by label equality', async () => {
    const list = await listAll(`${usersPath}?labelSelector=${encodeURIComponent('cattle.io/creator=norman')}`);

    expect(names(list).sort()).toEqual([...simulator.users.localUserIds].sort());
  });

  it('filters by label inequality and absence', async () => {
    const expected = [simulator.users.adminUserId, ...simulator.users.externalUserIds].sort();
    const notEqual = await listAll(`${usersPath}?labelSelector=${encodeURIComponent('cattle.io/creator!=norman')}`);
    const absent = await listAll(`${usersPath}?labelSelector=${encodeURIComponent('!cattle.io/creator')}`);

    expect(names(notEqual).sort()).toEqual(expected);
    expect(names(absent).sort()).toEqual(expected);
  });

  it('combines label terms with AND', async () => {
    const list = await listAll(`${usersPath}?labelSelector=${encodeURIComponent('authz.management.cattle.io/bootstrapping,authz.management.cattle.io/bootstrapping==admin-user')}`);

    expect(names(list)).toEqual([simulator.users.adminUserId]);
  });

  it('pages through a label-filtered list', async () => {
    const selector = encodeURIComponent('cattle.io/creator=norman');
    const first = await listAll(`${usersPath}?labelSelector=${selector}&limit=20`);
    const second = await listAll(`${usersPath}?labelSelector=${selector}&limit=20&continue=${encodeURIComponent(first.metadata.continue ?? '')}`);

    expect(first.items).toHaveLength(20);
    expect(first.metadata).not.toHaveProperty('remainingItemCount');
    expect(second.items).toHaveLength(4);
    expect(second.metadata).not.toHaveProperty('continue');
  });

  it('filters by metadata.name', async () => {
    const target = simulator.users.externalUserIds[0] ?? '';
    const equal = await listAll(`${usersPath}?fieldSelector=${encodeURIComponent(`metadata.name=${target}`)}`);
    const notEqual = await listAll(`${usersPath}?fieldSelector=${encodeURIComponent(`metadata.name!=${target}`)}`);

    expect(names(equal)).toEqual([target]);
    expect(notEqual.items).toHaveLength(29);
    expect(names(notEqual)).not.toContain(target);
  });

  it.each([
    ['labelSelector', 'cattle.io/creator in (norman)'],
    ['labelSelector', 'bad key!=x'],
    ['fieldSelector', 'spec.displayName=x'],
    ['fieldSelector', 'metadata.name'],
  ])('rejects %s %s with 400', async (parameter, value) => {
    const response = await admin({ path: `${usersPath}?${parameter}=${encodeURIComponent(value)}` });

    expect(response.status).toBe(400);
    expect((response.body as StatusBody).reason).toBe('BadRequest');
  });
});

describe('simulator global role bindings', () => {
  const target = () => simulator.users.localUserIds[1] ?? '';

  it('seeds one binding per user', async () => {
    const list = await listAll(bindingsPath);

    expect(list.kind).toBe('GlobalRoleBindingList');
    const adminBindings = list.items.filter((item) => item.userName === simulator.users.adminUserId);
    expect(adminBindings).toHaveLength(1);
    expect(adminBindings[0]?.globalRoleName).toBe('admin');
    expect(adminBindings[0]?.metadata.name).toMatch(/^globalrolebinding-/);
    expect(list.items.filter((item) => item.globalRoleName === 'user')).toHaveLength(29);
  });

  it('creates a binding from generateName', async () => {
    const response = await admin({
      method: 'POST',
      path: bindingsPath,
      body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'users-manage', userName: target() },
    });

    expect(response.status).toBe(201);
    const created = response.body as { metadata: { name: string; ownerReferences: { kind: string; name: string }[]; annotations: Record<string, string> }; status: { summary: string } };
    expect(created.metadata.name).toMatch(/^grb-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'GlobalRole', name: 'users-manage' })]);
    expect(created.metadata.annotations['cleanup.cattle.io/grbUpgradeCluster']).toBe('true');
    expect(created.status.summary).toBe('Complete');

    const fetched = await admin({ path: `${bindingsPath}/${created.metadata.name}` });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created);
  });

  it('answers 409 for a taken name', async () => {
    const body = { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name: 'grb-fixed-name' }, globalRoleName: 'user', userName: target() };
    const first = await admin({ method: 'POST', path: bindingsPath, body });
    const second = await admin({ method: 'POST', path: bindingsPath, body });

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'globalrolebindings.management.cattle.io "grb-fixed-name" already exists',
      reason: 'AlreadyExists',
      details: { name: 'grb-fixed-name', group: 'management.cattle.io', kind: 'globalrolebindings' },
      code: 409,
    });
  });

  it('answers 422 without globalRoleName', async () => {
    const response = await admin({
      method: 'POST',
      path: bindingsPath,
      body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name: 'grb-new1' }, userName: target() },
    });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'GlobalRoleBinding.management.cattle.io "grb-new1" is invalid: globalRoleName: Required value',
      reason: 'Invalid',
      details: {
        name: 'grb-new1',
        group: 'management.cattle.io',
        kind: 'GlobalRoleBinding',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'globalRoleName' }],
      },
      code: 422,
    });
  });

  it('answers 400 for an unknown role', async () => {
    const response = await admin({
      method: 'POST',
      path: bindingsPath,
      body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'no-such-role', userName: target() },
    });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'admission webhook "rancher.cattle.io.globalrolebindings.management.cattle.io" denied the request: globalrolebinding.globalRoleName: Not found: "no-such-role"',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it.each([
    ['no name', { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: {}, globalRoleName: 'user' }, 422],
    ['invalid name', { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name: 'Bad_Name' }, globalRoleName: 'user' }, 422],
    ['wrong kind', { apiVersion: 'management.cattle.io/v3', kind: 'User', metadata: { name: 'x' }, globalRoleName: 'user' }, 400],
    ['missing kind', { metadata: { name: 'x' }, globalRoleName: 'user' }, 400],
    ['array body', [], 400],
  ])('rejects a create with %s', async (_label, body, status) => {
    const response = await admin({ method: 'POST', path: bindingsPath, body });

    expect(response.status).toBe(status);
    expect((response.body as StatusBody).kind).toBe('Status');
  });

  it('deletes a binding and answers 404 after', async () => {
    const created = await admin({
      method: 'POST',
      path: bindingsPath,
      body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'user', userName: target() },
    });
    const { name, uid } = (created.body as { metadata: { name: string; uid: string } }).metadata;

    const removed = await admin({ method: 'DELETE', path: `${bindingsPath}/${name}` });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: 'management.cattle.io', kind: 'globalrolebindings', uid },
    });

    const again = await admin({ method: 'DELETE', path: `${bindingsPath}/${name}` });
    expect(again.status).toBe(404);
    expect((again.body as StatusBody).message).toBe(`globalrolebindings.management.cattle.io "${name}" not found`);
    expect((await admin({ path: `${bindingsPath}/${name}` })).status).toBe(404);
  });

  it('moves the list resourceVersion on writes', async () => {
    const before = await listAll(bindingsPath);
    await admin({
      method: 'POST',
      path: bindingsPath,
      body: { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { generateName: 'grb-' }, globalRoleName: 'user', userName: target() },
    });
    const after = await listAll(bindingsPath);

    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(after.items).toHaveLength(before.items.length + 1);
  });
});

describe('simulator routing', () => {
  it('answers 404 Status for unknown paths', async () => {
    for (const unknown of ['/apis/management.cattle.io/v3/clusters', '/v3/users', `${usersPath}/a/b`]) {
      const response = await admin({ path: unknown });

      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });

  it('answers 405 Status for a wrong method', async () => {
    const response = await admin({ method: 'PUT', path: bindingsPath, body: {} });

    expect(response.status).toBe(405);
    expect((response.body as StatusBody).reason).toBe('MethodNotAllowed');
    expect((response.body as StatusBody).code).toBe(405);
  });

  it('serves global roles by name', async () => {
    const response = await admin({ path: '/apis/management.cattle.io/v3/globalroles/user' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ kind: 'GlobalRole', builtin: true, newUserDefault: true, displayName: 'User' });
  });
});

describe('simulator TLS', () => {
  it('serves 127.0.0.1 with the same certificate', async () => {
    const response = await requestSimulator(simulator.port, simulator.caPem, { path: usersPath, token: simulator.tokens.admin, host: '127.0.0.1' });

    expect(response.status).toBe(200);
  });

  it('reuses the CA across restarts', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'simulator-ca-test-'));
    const first = await startSimulator({ users: 2, stateDir });
    const firstPem = first.caPem;
    await first.close();

    const second = await startSimulator({ users: 2, stateDir });
    try {
      expect(second.caFile).toBe(path.join(stateDir, 'ca.pem'));
      expect(second.caPem).toBe(firstPem);
      expect(await readFile(second.caFile, 'utf8')).toBe(firstPem);
      expect((await stat(path.join(stateDir, 'ca-key.pem'))).mode & 0o077).toBe(0);
      const response = await requestSimulator(second.port, firstPem, { path: usersPath, token: second.tokens.admin });
      expect(response.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('rejects a client that trusts another CA', async () => {
    const other = await startSimulator({ users: 2 });
    try {
      await expect(requestSimulator(simulator.port, other.caPem, { path: usersPath, token: simulator.tokens.admin })).rejects.toThrow();
    } finally {
      await other.close();
    }
  });
});

describe('simulator logging', () => {
  it('never logs a token or secret', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const secrets = [simulator.tokens.admin, simulator.tokens.expired].flatMap((token) => token.split(':'));
    for (const line of logLines) {
      for (const secret of secrets) {
        expect(line).not.toContain(secret);
      }
    }
  });
});
