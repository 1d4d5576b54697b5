import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, type CatalogOperation } from '../../src/rancher/catalog.js';
import { startSimulator, type RecordedResponse, type RunningSimulator } from '../../src/simulator/index.js';
import { describeReport, OpenApiConformance } from '../helpers/openapi-conformance.js';
import { requestSimulator, type TestResponse } from './simulator-http.js';

let simulator: RunningSimulator;
const records: RecordedResponse[] = [];
let conformance: OpenApiConformance;

interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion: string };
  [field: string]: unknown;
}

/** Returns a valid new object of a kind, with the namespace its collection path needs. */
function sample(kind: string): { namespace?: string; body: Record<string, unknown> } {
  const cluster = simulator.clusters.clusters[2]?.id ?? '';
  const project = simulator.clusters.clusters[2]?.projectIds[0] ?? '';
  const user = simulator.users.localUserIds[0] ?? '';
  const metadata = { generateName: 'conformance-', labels: { 'simulator.test/conformance': 'yes' } };
  const management = { apiVersion: 'management.cattle.io/v3', kind, metadata };
  switch (kind) {
    case 'User':
      return { body: { ...management, username: 'conformance', displayName: 'Conformance' } };
    case 'GlobalRole':
      return { body: { ...management, displayName: 'Conformance', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } };
    case 'GlobalRoleBinding':
      return { body: { ...management, globalRoleName: 'user-base', userName: user } };
    case 'RoleTemplate':
      return { body: { ...management, context: 'cluster', displayName: 'Conformance' } };
    case 'Project':
      return { namespace: cluster, body: { ...management, spec: { clusterName: cluster, displayName: 'conformance' } } };
    case 'ClusterRoleTemplateBinding':
      return { namespace: cluster, body: { ...management, clusterName: cluster, roleTemplateName: 'cluster-member', userName: user } };
    case 'ProjectRoleTemplateBinding':
      return { namespace: `${cluster}-${project}`, body: { ...management, projectName: `${cluster}:${project}`, roleTemplateName: 'project-member', userName: user } };
    case 'Token':
      return { body: { apiVersion: 'ext.cattle.io/v1', kind, metadata, spec: { description: 'conformance', ttl: 600_000 } } };
    case 'Kubeconfig':
      return { body: { apiVersion: 'ext.cattle.io/v1', kind, metadata, spec: { clusters: [cluster] } } };
    case 'AuditPolicy':
      return { body: { apiVersion: 'auditlog.cattle.io/v1', kind, metadata, spec: { enabled: true } } };
    default:
      throw new Error(`no sample object for kind ${kind}`);
  }
}

function send(method: string, path: string, body?: unknown, contentType?: string): Promise<TestResponse> {
  return requestSimulator(simulator.port, simulator.caPem, { method, path, token: simulator.tokens.admin, ...(body === undefined ? {} : { body }), ...(contentType ? { contentType } : {}) });
}

function fillPath(operation: CatalogOperation, object: KubeObject): string {
  return operation.pathTemplate.replace('{namespace}', object.metadata.namespace ?? '').replace('{name}', object.metadata.name);
}

/** Sends one request for an operation, against a freshly created object where it needs one. */
async function exercise(operation: CatalogOperation): Promise<TestResponse> {
  const { namespace, body } = sample(operation.kind);
  const collection = catalog.find((candidate) => candidate.kind === operation.kind && candidate.action === 'post');
  const createPath = (collection?.pathTemplate ?? '').replace('{namespace}', namespace ?? '');
  if (operation.action === 'post') {
    return send('POST', createPath, body);
  }

  const created = await send('POST', createPath, body);
  expect(created.status, `create for ${operation.operationId}: ${JSON.stringify(created.body)}`).toBe(201);
  const object = created.body as KubeObject;
  const path = fillPath(operation, object);
  const current = async () => (await send('GET', fillPath({ ...operation, pathTemplate: createPath + '/{name}' }, object))).body as KubeObject;

  switch (operation.action) {
    case 'list':
      return send('GET', `${path}?limit=2`);
    case 'get':
      return send('GET', path);
    case 'put':
      return send('PUT', path, await current());
    case 'patch':
      return send('PATCH', path, { metadata: { annotations: { 'simulator.test/patched': 'yes' } } }, 'application/merge-patch+json');
    case 'delete':
      return send('DELETE', path);
    case 'deletecollection':
      return send('DELETE', `${path}?labelSelector=${encodeURIComponent('simulator.test/conformance=yes')}`);
    case 'watch':
    case 'watchlist':
      return send('GET', `${path}?timeoutSeconds=1`);
  }
}

beforeAll(async () => {
  conformance = new OpenApiConformance();
  simulator = await startSimulator({ users: 6, seed: 3, onResponse: (record) => records.push(record) });
});

afterAll(async () => {
  await simulator.close();
});

describe('simulator OpenAPI conformance', () => {
  it('serves all 89 catalog operations', { timeout: 90_000 }, async () => {
    expect(catalog).toHaveLength(89);
    expect(conformance.operationCount).toBe(89);

    for (const operation of catalog) {
      const response = await exercise(operation);

      expect(response.status, `${operation.operationId}: ${JSON.stringify(response.body)}`).toBeGreaterThanOrEqual(200);
      expect(response.status, `${operation.operationId}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    }

    const answered = new Set(records.filter((record) => record.status < 300).map((record) => record.operationId));
    expect(catalog.filter((operation) => !answered.has(operation.operationId)).map((operation) => operation.operationId)).toEqual([]);
  });

  it('sends only responses the document allows', async () => {
    // Error responses of every kind the simulator produces, next to the successes above.
    await send('GET', '/apis/management.cattle.io/v3/users/u-missing');
    await send('POST', '/apis/management.cattle.io/v3/globalrolebindings', { apiVersion: 'management.cattle.io/v3', kind: 'GlobalRoleBinding', metadata: { name: 'x' } });
    await send('GET', '/apis/management.cattle.io/v3/users?limit=abc');
    await send('PATCH', '/apis/management.cattle.io/v3/globalroles/admin', '{}', 'text/plain');
    await requestSimulator(simulator.port, simulator.caPem, { path: '/apis/management.cattle.io/v3/users', token: simulator.tokens.expired });
    simulator.faults.add({ kind: 'rate-limit', pathPattern: '/apis/management.cattle.io/v3/users' });
    await send('GET', '/apis/management.cattle.io/v3/users');

    const report = conformance.check(records);
    console.log(describeReport(report).join('\n'));

    expect(report.invalid.map((problem) => `${problem.record.operationId}: ${problem.errors.join('; ')}`)).toEqual([]);
    expect(report.checked).toBeGreaterThan(150);
    expect(report.rancherUnauthorized).toBe(1);
  });
});

describe('OpenAPI conformance checker', () => {
  const base = { method: 'GET', path: '/apis/ext.cattle.io/v1/tokens/token-abcde', contentType: 'application/json' };

  it('flags a token without status', () => {
    const report = conformance.check([
      { ...base, operationId: 'readExtCattleIoV1Token', status: 200, body: { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: { name: 'token-abcde' }, spec: { userPrincipal: { name: 'local://u-1' } } } },
    ]);

    expect(report.invalid).toHaveLength(1);
    expect(report.invalid[0]?.errors.join()).toMatch(/must have required property 'status'/);
  });

  it('flags a wrong kind', () => {
    const report = conformance.check([{ ...base, operationId: 'readExtCattleIoV1Token', status: 200, body: { apiVersion: 'v1', kind: 'Status', spec: { userPrincipal: { name: 'x' } }, status: { current: true, expired: false, expiresAt: '', lastUpdateTime: '' } } }]);

    expect(report.invalid).toHaveLength(1);
  });

  it('flags an undeclared status code', () => {
    const report = conformance.check([{ ...base, operationId: 'readExtCattleIoV1Token', status: 201, body: {} }]);

    expect(report.invalid[0]?.errors.join()).toMatch(/declares no 201 response/);
  });

  it('flags an error body that is not a Status', () => {
    const report = conformance.check([{ ...base, status: 500, body: { kind: 'Status', code: '500' } }]);

    expect(report.invalid[0]?.errors.join()).toMatch(/\/code must be integer/);
  });

  it('flags a watch event of an unknown kind', () => {
    const report = conformance.check([{ ...base, operationId: 'watchExtCattleIoV1Token', status: 200, watchEvent: true, body: { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod' } } }]);

    expect(report.invalid[0]?.errors.join()).toMatch(/has no definition/);
  });

  it('counts Rancher 401 bodies apart', () => {
    const report = conformance.check([{ ...base, status: 401, body: { type: 'error', status: '401', message: 'Unauthorized 401: must authenticate' } }]);

    expect(report.checked).toBe(0);
    expect(report.rancherUnauthorized).toBe(1);
  });
});
