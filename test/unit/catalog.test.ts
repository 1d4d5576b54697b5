import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  catalog,
  CatalogError,
  type CatalogErrorCode,
  findOperation,
  isKubernetesName,
  MAX_WATCH_EVENTS,
  MAX_WATCH_SECONDS,
  resolveRequest,
} from '../../src/rancher/catalog.js';

// The OpenAPI document lives beside the repository (`<clone>/../shared/...`) and is never copied in.
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const openApiFile = process.env.RANCHER_OPENAPI_FILE ?? resolve(repositoryRoot, '../shared/rancher-reference/swagger-v2.13.json');

interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  required?: boolean;
  schema?: { $ref?: string };
}
interface Operation {
  operationId: string;
  description?: string;
  deprecated?: boolean;
  parameters?: Parameter[];
  responses: Record<string, { schema?: { $ref?: string } }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
}
type PathItem = { parameters?: Parameter[] } & Record<string, Operation | Parameter[] | undefined>;
interface OpenApiDocument {
  paths: Record<string, PathItem>;
  parameters: Record<string, Parameter>;
}

const openApi = JSON.parse(readFileSync(openApiFile, 'utf8')) as OpenApiDocument;

function resolveParameter(parameter: Parameter): Parameter {
  if (parameter.$ref === undefined) return parameter;
  const resolved = openApi.parameters[parameter.$ref.replace('#/parameters/', '')];
  if (resolved === undefined) throw new Error(`unresolved parameter ${parameter.$ref}`);
  return resolved;
}

function definitionName(ref: string | undefined): string | undefined {
  return ref?.replace('#/definitions/', '');
}

/** Rebuild each operation's catalog fields from the OpenAPI document. */
function expectedOperations() {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
  return Object.entries(openApi.paths).flatMap(([pathTemplate, pathItem]) =>
    methods.flatMap((method) => {
      const operation = pathItem[method] as Operation | undefined;
      if (operation === undefined) return [];

      const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map(resolveParameter);
      const pathParams = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name ?? '');
      const body = parameters.find((parameter) => parameter.in === 'body');
      const gvk = operation['x-kubernetes-group-version-kind'];

      return [
        {
          operationId: operation.operationId,
          method: method.toUpperCase(),
          pathTemplate,
          pathParams: pathParams.sort((a, b) => pathTemplate.indexOf(`{${a}}`) - pathTemplate.indexOf(`{${b}}`)),
          queryParams: [...new Set(parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name ?? ''))].sort(),
          action: operation['x-kubernetes-action'],
          deprecated: operation.deprecated === true || /\bdeprecated:/i.test(operation.description ?? ''),
          group: gvk.group,
          version: gvk.version,
          kind: gvk.kind,
          bodyDefinition: definitionName(body?.schema?.$ref),
          bodyRequired: body?.required === true,
          responseDefinition: definitionName(operation.responses['200']?.schema?.$ref),
        },
      ];
    }),
  );
}

function catalogProjection() {
  return catalog.map((operation) => ({
    operationId: operation.operationId,
    method: operation.method,
    pathTemplate: operation.pathTemplate,
    pathParams: [...operation.pathParams],
    queryParams: [...operation.queryParams],
    action: operation.action,
    deprecated: operation.deprecated,
    group: operation.group,
    version: operation.version,
    kind: operation.kind,
    bodyDefinition: operation.bodyDefinition,
    bodyRequired: operation.bodyRequired,
    responseDefinition: operation.responseDefinition,
  }));
}

function catchCatalogError(run: () => unknown): CatalogError {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a CatalogError, but the call succeeded');
}

function expectRejection(run: () => unknown, code: CatalogErrorCode, messageParts: (string | RegExp)[] = []): CatalogError {
  const error = catchCatalogError(run);
  expect(error.code, error.message).toBe(code);
  for (const part of messageParts) expect(error.message).toMatch(part);
  return error;
}

/** Build plausible values for the given path parameters. */
function sampleParams(pathParams: readonly string[]): Record<string, string> {
  const samples: Record<string, string> = { namespace: 'c-m-4bx2q7dz', name: 'sample-1.example' };
  return Object.fromEntries(pathParams.map((name) => [name, samples[name] ?? 'x']));
}

describe('catalog against the OpenAPI document', () => {
  const expected = expectedOperations();

  it('has 31 paths and 89 operations', () => {
    expect(new Set(expected.map((operation) => operation.pathTemplate)).size).toBe(31);
    expect(expected).toHaveLength(89);
    expect(new Set(catalog.map((operation) => operation.pathTemplate)).size).toBe(31);
    expect(catalog).toHaveLength(89);
  });

  it('has the same operation ids', () => {
    const catalogIds = catalog.map((operation) => operation.operationId).sort();
    expect(new Set(catalogIds).size).toBe(catalogIds.length);
    expect(catalogIds).toEqual(expected.map((operation) => operation.operationId).sort());
  });

  it('matches every operation field by field', () => {
    const actual = new Map(catalogProjection().map((operation) => [operation.operationId, operation]));
    for (const operation of expected) {
      expect(actual.get(operation.operationId), operation.operationId).toEqual(operation);
    }
  });

  it('marks the four watch paths deprecated', () => {
    const deprecated = catalog.filter((operation) => operation.deprecated).map((operation) => operation.pathTemplate);
    expect(deprecated.sort()).toEqual([
      '/apis/ext.cattle.io/v1/watch/kubeconfigs',
      '/apis/ext.cattle.io/v1/watch/kubeconfigs/{name}',
      '/apis/ext.cattle.io/v1/watch/tokens',
      '/apis/ext.cattle.io/v1/watch/tokens/{name}',
    ]);
  });

  it('marks writes and collection deletes as mutating', () => {
    for (const operation of catalog) {
      const isWrite = ['post', 'put', 'patch', 'delete', 'deletecollection'].includes(operation.action);
      expect(operation.mutating, operation.operationId).toBe(isWrite);
      expect(operation.mutating, operation.operationId).toBe(operation.method !== 'GET');
    }
  });

  it('records kind, resource and scope consistently', () => {
    for (const operation of catalog) {
      expect(operation.pathTemplate, operation.operationId).toContain(`/${operation.resource}`);
      expect(operation.namespaced, operation.operationId).toBe(
        catalog.some((other) => other.kind === operation.kind && other.pathParams.includes('namespace')),
      );
      expect(operation.subresource === 'status', operation.operationId).toBe(operation.pathTemplate.endsWith('/status'));
      expect(operation.responseSchema, operation.operationId).toBeDefined();
      expect(operation.bodySchema === undefined, operation.operationId).toBe(operation.bodyDefinition === undefined);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog[0])).toBe(true);
    expect(Object.isFrozen(catalog[0]?.queryParams)).toBe(true);
  });
});

describe('findOperation', () => {
  it('finds an operation by id', () => {
    const operation = findOperation({ operationId: 'listManagementCattleIoV3User' });
    expect(operation.method).toBe('GET');
    expect(operation.pathTemplate).toBe('/apis/management.cattle.io/v3/users');
  });

  it('finds the same entry by template and concrete path', () => {
    const byId = findOperation({ operationId: 'readManagementCattleIoV3GlobalRole' });
    expect(findOperation({ method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/{name}' })).toBe(byId);
    expect(findOperation({ method: 'get', path: '/apis/management.cattle.io/v3/globalroles/admin' })).toBe(byId);
  });

  it('prefers literal segments over placeholders', () => {
    expect(findOperation({ method: 'GET', path: '/apis/ext.cattle.io/v1/watch/tokens' }).operationId).toBe('watchExtCattleIoV1TokenList');
    expect(findOperation({ method: 'GET', path: '/apis/ext.cattle.io/v1/tokens/watch' }).operationId).toBe('readExtCattleIoV1Token');
  });

  it('rejects an unknown operation id', () => {
    expectRejection(() => findOperation({ operationId: 'listUsers' }), 'unknown-operation', ['"listUsers"', /listManagementCattleIoV3User/]);
  });

  it('suggests the spelling for a wrong-case id', () => {
    expectRejection(() => findOperation({ operationId: 'listmanagementcattleiov3user' }), 'unknown-operation', [
      /Did you mean listManagementCattleIoV3User\?/,
    ]);
  });

  it('rejects paths outside the catalog', () => {
    for (const path of ['/api/v1/secrets', '/v3/users', '/apis/management.cattle.io/v3/clusters']) {
      expectRejection(() => findOperation({ method: 'GET', path }), 'not-in-catalog', [path, /users, globalroles/]);
    }
  });

  it('lists allowed methods for a wrong method', () => {
    expectRejection(() => findOperation({ method: 'POST', path: '/apis/management.cattle.io/v3/projects' }), 'method-not-allowed', [
      /POST \/apis\/management\.cattle\.io\/v3\/projects/,
      /allows only GET\./,
    ]);
    expectRejection(() => findOperation({ method: 'POST', path: '/apis/management.cattle.io/v3/users/u-7fk2m' }), 'method-not-allowed', [
      /allows only DELETE, GET, PATCH, PUT\./,
    ]);
  });
});

describe('resolveRequest', () => {
  it('resolves both naming forms to the same entry', () => {
    for (const operation of catalog) {
      const params = sampleParams(operation.pathParams);
      const query: Record<string, number> = operation.action === 'watch' || operation.action === 'watchlist' ? { timeoutSeconds: 30 } : {};
      const byId = resolveRequest({ operationId: operation.operationId, params, query });
      const byPath = resolveRequest({ method: operation.method, path: byId.path, query });

      expect(byId.operation, operation.operationId).toBe(operation);
      expect(byPath.operation, operation.operationId).toBe(operation);
      expect(byPath.path).toBe(byId.path);
      expect(byPath.query).toEqual(byId.query);
    }
  });

  it('fills in path parameters', () => {
    const request = resolveRequest({
      operationId: 'readManagementCattleIoV3NamespacedProject',
      params: { namespace: 'c-m-4bx2q7dz', name: 'p-9kq4t' },
    });
    expect(request.path).toBe('/apis/management.cattle.io/v3/namespaces/c-m-4bx2q7dz/projects/p-9kq4t');
  });

  it('extracts path parameters from a concrete path', () => {
    const request = resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/admin' });
    expect(request.operation.operationId).toBe('readManagementCattleIoV3GlobalRole');
    expect(request.path).toBe('/apis/management.cattle.io/v3/globalroles/admin');
    expect(request.query).toEqual({});
  });

  it('accepts params that agree with the path', () => {
    const request = resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/admin', params: { name: 'admin' } });
    expect(request.operation.operationId).toBe('readManagementCattleIoV3GlobalRole');
  });

  it('accepts an operation id with its own method', () => {
    const request = resolveRequest({ operationId: 'listManagementCattleIoV3User', method: 'get' });
    expect(request.path).toBe('/apis/management.cattle.io/v3/users');
  });

  it('converts query values to strings', () => {
    const request = resolveRequest({
      operationId: 'listManagementCattleIoV3User',
      query: { limit: 50, labelSelector: 'cattle.io/creator=norman', watch: false, pretty: true },
    });
    expect(request.query).toEqual({ limit: '50', labelSelector: 'cattle.io/creator=norman', watch: 'false', pretty: 'true' });
  });

  it('reads a query string in the path', () => {
    const request = resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/users?limit=5&labelSelector=a%3Db+c' });
    expect(request.path).toBe('/apis/management.cattle.io/v3/users');
    expect(request.query).toEqual({ limit: '5', labelSelector: 'a=b c' });
  });

  it('allows a bounded watch', () => {
    const watch = resolveRequest({ operationId: 'watchExtCattleIoV1Token', params: { name: 'token-xhw9s' }, query: { timeoutSeconds: 60 } });
    expect(watch.path).toBe('/apis/ext.cattle.io/v1/watch/tokens/token-xhw9s');
    const listWatch = resolveRequest({ operationId: 'listExtCattleIoV1Token', query: { watch: true, timeoutSeconds: '30' } });
    expect(listWatch.query).toEqual({ watch: 'true', timeoutSeconds: '30' });
  });

  it('exports the watch limits', () => {
    expect(MAX_WATCH_SECONDS).toBe(60);
    expect(MAX_WATCH_EVENTS).toBeGreaterThan(0);
  });
});

describe('resolveRequest rejections', () => {
  it('rejects paths outside the catalog', () => {
    for (const path of [
      '/api/v1/secrets',
      '/v3/users',
      '/apis/management.cattle.io/v3/clusters',
      '/apis/management.cattle.io/v3/clusters/local',
      '/apis/management.cattle.io/v3/users/',
      '/apis/management.cattle.io/v3/users/a/b',
      '/apis/management.cattle.io/v3/users/../x',
      '/apis/management.cattle.io/v3//users',
    ]) {
      expectRejection(() => resolveRequest({ method: 'GET', path }), 'not-in-catalog', [path]);
    }
  });

  it('rejects a method the path does not allow', () => {
    expectRejection(() => resolveRequest({ method: 'PUT', path: '/apis/management.cattle.io/v3/users' }), 'method-not-allowed', [
      /allows only DELETE, GET, POST/,
    ]);
    expectRejection(() => resolveRequest({ method: 'DELETE', path: '/apis/management.cattle.io/v3/globalroles/admin/status' }), 'method-not-allowed', [
      /allows only GET, PATCH, PUT/,
    ]);
    expectRejection(() => resolveRequest({ method: 'TRACE', path: '/apis/ext.cattle.io/v1/tokens' }), 'method-not-allowed', [/TRACE/]);
  });

  it('rejects a path without a method', () => {
    expectRejection(() => resolveRequest({ path: '/apis/management.cattle.io/v3/users' }), 'method-not-allowed', [/allows DELETE, GET, POST/]);
  });

  it('rejects a request that names no operation', () => {
    expectRejection(() => resolveRequest({}), 'unknown-operation', [/operationId/]);
  });

  it('rejects an operation id that contradicts the path', () => {
    expectRejection(
      () => resolveRequest({ operationId: 'deleteManagementCattleIoV3User', method: 'GET', path: '/apis/management.cattle.io/v3/users/u-1' }),
      'unknown-operation',
      [/readManagementCattleIoV3User/],
    );
    expectRejection(() => resolveRequest({ operationId: 'listManagementCattleIoV3User', method: 'POST' }), 'method-not-allowed', [
      /GET \/apis\/management\.cattle\.io\/v3\/users/,
    ]);
  });

  const badNames: [string, string][] = [
    ['dot-dot traversal', '../x'],
    ['slash', 'a/b'],
    ['encoded slash', '%2F'],
    ['empty string', ''],
    ['300 characters', 'a'.repeat(300)],
    ['whitespace', 'jane doe'],
    ['trailing newline', 'admin\n'],
    ['upper case', 'Admin'],
    ['leading hyphen', '-admin'],
  ];

  it.each(badNames)('rejects a name param with %s', (_label, value) => {
    const error = expectRejection(
      () => resolveRequest({ operationId: 'readManagementCattleIoV3GlobalRole', params: { name: value } }),
      'invalid-param',
      [/path parameter name/, /at most 253 characters/],
    );
    expect(error.parameter).toBe('name');
    expect(error.operationId).toBe('readManagementCattleIoV3GlobalRole');
  });

  it.each(badNames)('rejects a namespace param with %s', (_label, value) => {
    expectRejection(
      () => resolveRequest({ operationId: 'listManagementCattleIoV3NamespacedProject', params: { namespace: value } }),
      'invalid-param',
      [/path parameter namespace/],
    );
  });

  it('rejects bad names inside a concrete path', () => {
    for (const name of ['Admin', '%2F', 'a%2Fb', 'jane%20doe', 'x'.repeat(300), '..']) {
      expectRejection(() => resolveRequest({ method: 'GET', path: `/apis/management.cattle.io/v3/users/${name}` }), 'invalid-param', [
        /path parameter name/,
      ]);
    }
  });

  it('accepts the longest valid name', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    expect(isKubernetesName(name)).toBe(true);
    expect(isKubernetesName(`${name}e`)).toBe(false);
    expect(resolveRequest({ operationId: 'readManagementCattleIoV3User', params: { name } }).path).toContain(name);
  });

  it('rejects a missing path param', () => {
    const error = expectRejection(
      () => resolveRequest({ operationId: 'readManagementCattleIoV3NamespacedProject', params: { name: 'p-9kq4t' } }),
      'missing-param',
      [/namespace/],
    );
    expect(error.parameter).toBe('namespace');
  });

  it('rejects a path param the operation does not take', () => {
    expectRejection(() => resolveRequest({ operationId: 'listManagementCattleIoV3User', params: { name: 'u-1' } }), 'invalid-param', [
      /Unknown path parameter name/,
      /no path parameters/,
    ]);
    expectRejection(
      () => resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/users/u-1', params: { name: 'u-2' } }),
      'invalid-param',
      [/conflicts/],
    );
  });

  it('rejects unknown query params', () => {
    const error = expectRejection(() => resolveRequest({ operationId: 'listManagementCattleIoV3User', query: { foo: 'bar' } }), 'invalid-query', [
      /Query parameter foo is not allowed for listManagementCattleIoV3User/,
      /labelSelector/,
    ]);
    expect(error.parameter).toBe('foo');
  });

  it('rejects query params of another operation', () => {
    expectRejection(() => resolveRequest({ operationId: 'readExtCattleIoV1Token', params: { name: 't-1' }, query: { resourceVersion: '1' } }), 'invalid-query');
    expectRejection(
      () => resolveRequest({ operationId: 'readManagementCattleIoV3User', params: { name: 'u-1' }, query: { watch: true, timeoutSeconds: 10 } }),
      'invalid-query',
      [/watch/],
    );
    expectRejection(() => resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/users?dryRun=All' }), 'invalid-query', [/dryRun/]);
  });

  it('rejects query values of the wrong type', () => {
    const cases: [string, Record<string, string | number | boolean>][] = [
      ['listManagementCattleIoV3User', { limit: 'ten' }],
      ['listManagementCattleIoV3User', { limit: -1 }],
      ['listManagementCattleIoV3User', { limit: 2.5 }],
      ['listManagementCattleIoV3User', { watch: 'yes' }],
      ['createManagementCattleIoV3GlobalRoleBinding', { dryRun: 'true' }],
      ['createManagementCattleIoV3GlobalRoleBinding', { fieldValidation: 'strict' }],
    ];
    for (const [operationId, query] of cases) {
      expectRejection(() => resolveRequest({ operationId, query }), 'invalid-query', [`${Object.keys(query)[0]}=`]);
    }
  });

  it('rejects a query param given twice', () => {
    expectRejection(
      () => resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/users?limit=5', query: { limit: 6 } }),
      'invalid-query',
      [/limit/],
    );
  });

  it('rejects watch operations without a bound', () => {
    const watchToken = { operationId: 'watchExtCattleIoV1Token', params: { name: 'token-xhw9s' } };
    expectRejection(() => resolveRequest(watchToken), 'unbounded-watch', [/no timeoutSeconds/, /between 1 and 60/]);
    expectRejection(() => resolveRequest({ ...watchToken, query: { timeoutSeconds: 61 } }), 'unbounded-watch', [/timeoutSeconds=61/]);
    expectRejection(() => resolveRequest({ ...watchToken, query: { timeoutSeconds: 0 } }), 'unbounded-watch', [/timeoutSeconds=0/]);
    expectRejection(() => resolveRequest({ method: 'GET', path: '/apis/ext.cattle.io/v1/watch/kubeconfigs' }), 'unbounded-watch');
  });

  it('rejects watch=true on lists without a bound', () => {
    for (const operationId of ['listManagementCattleIoV3User', 'listManagementCattleIoV3ProjectForAllNamespaces', 'listExtCattleIoV1Token']) {
      expectRejection(() => resolveRequest({ operationId, query: { watch: true } }), 'unbounded-watch', [operationId]);
      expectRejection(() => resolveRequest({ operationId, query: { watch: 'true', timeoutSeconds: 3600 } }), 'unbounded-watch', [
        /timeoutSeconds=3600/,
      ]);
    }
    expectRejection(() => resolveRequest({ method: 'GET', path: '/apis/management.cattle.io/v3/globalrolebindings?watch=true' }), 'unbounded-watch');
  });

  it('allows a list without watch and without a timeout', () => {
    expect(resolveRequest({ operationId: 'listManagementCattleIoV3User', query: { watch: false } }).query).toEqual({ watch: 'false' });
  });
});
