import { once } from 'node:events';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type LookupFunction } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RancherClient, type RancherClientOptions } from '../../src/rancher/client.js';
import { parseRetryAfter } from '../../src/rancher/classify.js';
import { parseRancherDomain } from '../../src/rancher/domain.js';
import {
  RancherAuthError,
  RancherDomainError,
  RancherError,
  RancherForbiddenError,
  RancherHttpError,
  RancherNetworkError,
  RancherNotFoundError,
  RancherResponseError,
  RancherTimeoutError,
  RancherTlsError,
} from '../../src/rancher/errors.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';

// A made-up key in Rancher's format: access key, colon, 54-character secret.
const secret = 'q8xk2m4vd7rz9wbn3hcf6tj5lp2gs8ykq4mzx7dn2vb9rh3wc6tf5j';
const token = `token-t7x2k:${secret}`;
const usersPath = '/apis/management.cattle.io/v3/users';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  server: Server;
  port: number;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  handle: (handler: Handler) => void;
}

async function startServer(certificates: TestCertificates): Promise<TestServer> {
  let handler: Handler = (_request, response) => {
    response.writeHead(500).end();
  };
  const requests: TestServer['requests'] = [];
  const server = createHttpsServer({ cert: certificates.cert, key: certificates.key }, (request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handler(request, response, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests,
    handle: (next) => {
      handler = next;
    },
  };
}

async function stopServer(testServer: TestServer | undefined): Promise<void> {
  if (!testServer) return;

  testServer.server.closeAllConnections();
  await new Promise((resolve) => testServer.server.close(resolve));
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function kubernetesStatus(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}

function user(name: string) {
  return { apiVersion: 'management.cattle.io/v3', kind: 'User', metadata: { name } };
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Resolves every name to 127.0.0.1, so no real DNS lookup happens. */
const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all) {
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  } else {
    callback(null, '127.0.0.1', 4);
  }
};

/** Fails every lookup with ENOTFOUND, the way the system resolver does for an unknown name. */
const failingLookup: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
  callback(error, '', 4);
};

/** Returns a loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));

  return port;
}

let certificates: TestCertificates;
let rancher: TestServer;
const clients: RancherClient[] = [];

function clientFor(options: Partial<RancherClientOptions> = {}): RancherClient {
  const client = new RancherClient({ domain: `127.0.0.1:${rancher.port}`, token, ca: certificates.caCert, ...options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  certificates = await createTestCertificates({ dnsNames: ['localhost', 'rancher.test'] });
  rancher = await startServer(certificates);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  rancher.requests.length = 0;
});

afterAll(async () => {
  await stopServer(rancher);
});

describe('RancherClient.request', () => {
  it('returns 200 JSON with headers', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-7fk2m'), { 'x-request-id': 'r1' }));

    const result = await clientFor().request({ method: 'GET', path: `${usersPath}/u-7fk2m` });

    expect(result.status).toBe(200);
    expect(result.body).toEqual(user('u-7fk2m'));
    expect(result.headers['x-request-id']).toBe('r1');
    expect(result.headers['content-type']).toBe('application/json');
  });

  it('sends the bearer token and Accept header', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-7fk2m')));

    await clientFor().request({ method: 'GET', path: `${usersPath}/u-7fk2m` });

    expect(rancher.requests).toHaveLength(1);
    expect(rancher.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(rancher.requests[0]?.headers.accept).toBe('application/json');
  });

  it('encodes query parameters and skips undefined', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, { apiVersion: 'v1', kind: 'UserList', metadata: {}, items: [] }));

    await clientFor().request({ method: 'GET', path: usersPath, query: { limit: 5, labelSelector: 'a=b,c in (d)', watch: false, continue: undefined } });

    const url = new URL(rancher.requests[0]?.url ?? '', 'https://127.0.0.1');
    expect(url.pathname).toBe(usersPath);
    expect(url.searchParams.get('limit')).toBe('5');
    expect(url.searchParams.get('labelSelector')).toBe('a=b,c in (d)');
    expect(url.searchParams.get('watch')).toBe('false');
    expect(url.searchParams.has('continue')).toBe(false);
  });

  it('sends a POST body as JSON', async () => {
    rancher.handle((_request, response, body) => sendJson(response, 201, { ...user('u-new'), echo: JSON.parse(body) as unknown }));

    const result = await clientFor().request({ method: 'POST', path: usersPath, body: { metadata: { name: 'u-new' } } });

    expect(result.status).toBe(201);
    expect(rancher.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(rancher.requests[0]?.body ?? '')).toEqual({ metadata: { name: 'u-new' } });
  });

  it('sends PATCH as a merge patch', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-7fk2m')));

    await clientFor().request({ method: 'PATCH', path: `${usersPath}/u-7fk2m`, body: { enabled: false } });

    expect(rancher.requests[0]?.method).toBe('PATCH');
    expect(rancher.requests[0]?.headers['content-type']).toBe('application/merge-patch+json');
  });

  it('returns a DELETE Status with 200', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'u-7fk2m', kind: 'users' } };
    rancher.handle((_request, response) => sendJson(response, 200, status));

    const result = await clientFor().request({ method: 'DELETE', path: `${usersPath}/u-7fk2m` });

    expect(result.body).toEqual(status);
  });

  it('returns undefined for an empty body', async () => {
    rancher.handle((_request, response) => response.writeHead(204).end());

    const result = await clientFor().request({ method: 'DELETE', path: `${usersPath}/u-7fk2m` });

    expect(result.status).toBe(204);
    expect(result.body).toBeUndefined();
  });

  it('parses a watch stream into events', async () => {
    const events = [
      { type: 'ADDED', object: user('u-1') },
      { type: 'MODIFIED', object: user('u-1') },
    ];
    rancher.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json;stream=watch' });
      response.end(events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    });

    const result = await clientFor().request({ method: 'GET', path: usersPath, query: { watch: true, timeoutSeconds: 1 } });

    expect(result.body).toEqual(events);
  });

  it('resolves names through the injected lookup', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-7fk2m')));
    const client = clientFor({ domain: `rancher.test:${rancher.port}`, lookup: loopbackLookup });

    const result = await client.request({ method: 'GET', path: `${usersPath}/u-7fk2m` });

    expect(result.status).toBe(200);
    expect(rancher.requests[0]?.headers.host).toBe(`rancher.test:${rancher.port}`);
  });

  it('connects to an IPv6 literal', async (context) => {
    const server = createHttpsServer({ cert: certificates.cert, key: certificates.key }, (_request, response) => sendJson(response, 200, user('u-7fk2m')));
    server.listen(0, '::1');
    const outcome = await Promise.race([once(server, 'listening').then(() => 'listening'), once(server, 'error').then(() => 'no IPv6')]);
    if (outcome !== 'listening') context.skip();

    try {
      const port = (server.address() as AddressInfo).port;
      const result = await clientFor({ domain: `[::1]:${port}` }).request({ method: 'GET', path: `${usersPath}/u-7fk2m` });

      expect(result.status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('accepts a parsed domain', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-7fk2m')));
    const client = clientFor({ domain: parseRancherDomain(`localhost:${rancher.port}`) });

    const result = await client.request({ method: 'GET', path: `${usersPath}/u-7fk2m` });

    expect(client.domain.baseUrl).toBe(`https://localhost:${rancher.port}`);
    expect(result.status).toBe(200);
  });
});

describe('RancherClient HTTP errors', () => {
  it('401 Rancher body as RancherAuthError', async () => {
    rancher.handle((_request, response) => sendJson(response, 401, { type: 'error', status: '401', message: 'Unauthorized 401: must authenticate' }));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherAuthError;

    expect(error).toBeInstanceOf(RancherAuthError);
    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.method).toBe('GET');
    expect(error.path).toBe(usersPath);
    expect(error.serverMessage).toBe('Unauthorized 401: must authenticate');
    expect(error.message).toMatch(/^GET \/apis\/management\.cattle\.io\/v3\/users failed: 401 Unauthorized/);
    expect(error.message).toContain('Rancher rejected the API key');
    expect(error.message).toContain('token-xxxxx:secret');
    expect(error.message).toContain('expired');
    expect(error.message).toContain('deleted');
    expect(error.message).toContain('No Scope');
    expect(error.message).toContain('user is enabled');
  });

  it('401 Kubernetes Status as RancherAuthError', async () => {
    rancher.handle((_request, response) => sendJson(response, 401, kubernetesStatus(401, 'Unauthorized', 'Unauthorized')));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherAuthError;

    expect(error).toBeInstanceOf(RancherAuthError);
    expect(error.reason).toBe('Unauthorized');
  });

  it('403 Status as RancherForbiddenError', async () => {
    const message = 'globalrolebindings.management.cattle.io is forbidden: User "u-7fk2m" cannot create resource "globalrolebindings"';
    rancher.handle((_request, response) =>
      sendJson(response, 403, kubernetesStatus(403, 'Forbidden', message, { group: 'management.cattle.io', kind: 'globalrolebindings' })),
    );
    const path = '/apis/management.cattle.io/v3/globalrolebindings';

    const error = (await catchError(clientFor().request({ method: 'POST', path, body: {} }))) as RancherForbiddenError;

    expect(error).toBeInstanceOf(RancherForbiddenError);
    expect(error.status).toBe(403);
    expect(error.code).toBe('forbidden');
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe('Forbidden');
    expect(error.details).toEqual({ group: 'management.cattle.io', kind: 'globalrolebindings' });
    expect(error.message).toContain(`POST ${path} failed: 403 Forbidden`);
    expect(error.message).toContain("lacks permission to create globalrolebindings.management.cattle.io");
  });

  it('404 Status as RancherNotFoundError', async () => {
    rancher.handle((_request, response) =>
      sendJson(response, 404, kubernetesStatus(404, 'NotFound', 'users.management.cattle.io "u-zz9q2" not found', { name: 'u-zz9q2', kind: 'users' })),
    );

    const error = (await catchError(clientFor().request({ method: 'GET', path: `${usersPath}/u-zz9q2` }))) as RancherNotFoundError;

    expect(error).toBeInstanceOf(RancherNotFoundError);
    expect(error.code).toBe('not-found');
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe('NotFound');
    expect(error.message).toContain('users.management.cattle.io "u-zz9q2" was not found');
  });

  it('409 AlreadyExists as conflict', async () => {
    rancher.handle((_request, response) => sendJson(response, 409, kubernetesStatus(409, 'AlreadyExists', 'users "u-1" already exists')));

    const error = (await catchError(clientFor().request({ method: 'POST', path: usersPath, body: {} }))) as RancherHttpError;

    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.code).toBe('conflict');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('already exists');
  });

  it('410 Expired continue token', async () => {
    rancher.handle((_request, response) => sendJson(response, 410, kubernetesStatus(410, 'Expired', 'The provided continue parameter is too old')));

    const error = (await catchError(clientFor().listPage(usersPath, { continue: 'old' }))) as RancherHttpError;

    expect(error.code).toBe('expired');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Start the list again');
  });

  it('400 as non-retryable', async () => {
    const message = 'admission webhook denied the request: globalrolebinding.globalRoleName: Not found: "nope"';
    rancher.handle((_request, response) => sendJson(response, 400, kubernetesStatus(400, 'BadRequest', message)));

    const error = (await catchError(clientFor().request({ method: 'POST', path: usersPath, body: {} }))) as RancherHttpError;

    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('bad-request');
    expect(error.retryable).toBe(false);
    expect(error.serverMessage).toBe(message);
    expect(error.message).toContain(message);
  });

  it('429 with Retry-After seconds', async () => {
    rancher.handle((_request, response) => sendJson(response, 429, kubernetesStatus(429, 'TooManyRequests', 'slow down'), { 'retry-after': '3' }));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherHttpError;

    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).toContain('Retry after 3 s');
  });

  it('408 as retryable', async () => {
    rancher.handle((_request, response) => sendJson(response, 408, kubernetesStatus(408, 'Timeout', 'request timed out')));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherHttpError;

    expect(error.status).toBe(408);
    expect(error.retryable).toBe(true);
  });

  it('500 as retryable', async () => {
    rancher.handle((_request, response) => sendJson(response, 500, kubernetesStatus(500, 'InternalError', 'etcd timeout')));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherHttpError;

    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.status).toBe(500);
    expect(error.code).toBe('server-error');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('503 HTML from a proxy as retryable', async () => {
    rancher.handle((_request, response) => response.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>'));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherHttpError;

    expect(error).toBeInstanceOf(RancherHttpError);
    expect(error.retryable).toBe(true);
  });
});

describe('RancherClient non-Rancher responses', () => {
  it('200 HTML as RancherResponseError', async () => {
    rancher.handle((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Rancher</title>'));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherResponseError;

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(error.code).toBe('not-rancher');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(200);
    expect(error.contentType).toBe('text/html');
    expect(error.message).toContain('an HTML page');
    expect(error.message).toContain(`127.0.0.1:${rancher.port} is the Rancher server`);
  });

  it('404 HTML as RancherResponseError', async () => {
    rancher.handle((_request, response) => response.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>'));

    const error = await catchError(clientFor().request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherResponseError);
  });

  it('invalid JSON as RancherResponseError', async () => {
    rancher.handle((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"kind": "User",'));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherResponseError;

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(error.message).toContain('not valid JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('foreign JSON as RancherResponseError', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, { hello: 'world' }));

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherResponseError;

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(error.message).toContain('not a Kubernetes object, list or Status');
  });

  it('redirect as RancherResponseError', async () => {
    rancher.handle((_request, response) => response.writeHead(302, { location: '/dashboard/auth/login' }).end());

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherResponseError;

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(error.status).toBe(302);
    expect(error.message).toContain('/dashboard/auth/login');
    expect(rancher.requests).toHaveLength(1);
  });

  it('object from listPage as RancherResponseError', async () => {
    rancher.handle((_request, response) => sendJson(response, 200, user('u-1')));

    const error = (await catchError(clientFor().listPage(usersPath))) as RancherResponseError;

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(error.message).toContain('not a Kubernetes list');
  });
});

describe('RancherClient transport errors', () => {
  it('times out without a response', async () => {
    rancher.handle(() => undefined);

    const started = Date.now();
    const error = (await catchError(clientFor({ timeoutMs: 300 }).request({ method: 'GET', path: usersPath }))) as RancherTimeoutError;

    expect(error).toBeInstanceOf(RancherTimeoutError);
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('connection refused as RancherNetworkError', async () => {
    const port = await closedPort();

    const error = (await catchError(clientFor({ domain: `127.0.0.1:${port}` }).request({ method: 'GET', path: usersPath }))) as RancherNetworkError;

    expect(error).toBeInstanceOf(RancherNetworkError);
    expect(error.code).toBe('connection-refused');
    expect(error.systemCode).toBe('ECONNREFUSED');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeDefined();
    expect(error.message).toContain(`127.0.0.1:${port} refused the connection`);
  });

  it('DNS failure as RancherNetworkError', async () => {
    const client = clientFor({ domain: 'rancher.test:8443', lookup: failingLookup });

    const error = (await catchError(client.request({ method: 'GET', path: usersPath }))) as RancherNetworkError;

    expect(error).toBeInstanceOf(RancherNetworkError);
    expect(error.code).toBe('dns');
    expect(error.systemCode).toBe('ENOTFOUND');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('"rancher.test" could not be resolved');
  });

  it('reset connection as RancherNetworkError', async () => {
    rancher.handle((request) => request.socket.destroy());

    const error = (await catchError(clientFor().request({ method: 'GET', path: usersPath }))) as RancherNetworkError;

    expect(error).toBeInstanceOf(RancherNetworkError);
    expect(error.code).toBe('connection-reset');
    expect(error.retryable).toBe(true);
  });

  it('untrusted certificate as RancherTlsError', async () => {
    const client = clientFor({ ca: undefined });

    const error = (await catchError(client.request({ method: 'GET', path: usersPath }))) as RancherTlsError;

    expect(error).toBeInstanceOf(RancherTlsError);
    expect(error.code).toBe('tls-untrusted');
    expect(error.systemCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('is not trusted');
    expect(error.message).toContain('CA certificate');
  });

  it('name mismatch as RancherTlsError', async () => {
    // The certificate names localhost and rancher.test; this name resolves to the same server.
    const client = clientFor({ domain: `other.test:${rancher.port}`, lookup: loopbackLookup });

    const error = (await catchError(client.request({ method: 'GET', path: usersPath }))) as RancherTlsError;

    expect(error).toBeInstanceOf(RancherTlsError);
    expect(error.code).toBe('tls-hostname-mismatch');
    expect(error.systemCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.retryable).toBe(false);
  });

  it('expired certificate as RancherTlsError', async () => {
    const expired = await createTestCertificates({ notAfter: new Date(Date.now() - 60_000) });
    const server = await startServer(expired);
    try {
      const client = clientFor({ domain: `127.0.0.1:${server.port}`, ca: expired.caCert });

      const error = (await catchError(client.request({ method: 'GET', path: usersPath }))) as RancherTlsError;

      expect(error).toBeInstanceOf(RancherTlsError);
      expect(error.code).toBe('tls-expired');
      expect(error.retryable).toBe(false);
    } finally {
      await stopServer(server);
    }
  });
});

describe('RancherClient input checks', () => {
  const badPaths = [
    'https://127.0.0.1/apis/management.cattle.io/v3/users',
    '//127.0.0.1/apis/x',
    '/api/v1/namespaces',
    '/apis/management.cattle.io/v3/../../../v3/users',
    '/apis/management.cattle.io/v3/%2e%2e/users',
    '/apis/management.cattle.io/v3/users?limit=1',
    'apis/management.cattle.io/v3/users',
  ];

  it.each(badPaths)('rejects path %s', async (path) => {
    const error = (await catchError(clientFor().request({ method: 'GET', path }))) as RancherError;

    expect(error).toBeInstanceOf(RancherError);
    expect(error.code).toBe('invalid-request');
    expect(error.retryable).toBe(false);
    expect(rancher.requests).toHaveLength(0);
  });

  it('rejects an http:// domain', () => {
    expect(() => new RancherClient({ domain: 'http://127.0.0.1:1', token })).toThrow(RancherDomainError);
  });

  it('rejects an empty token', () => {
    expect(() => new RancherClient({ domain: '127.0.0.1:1', token: '  ' })).toThrow(/API key is empty/);
  });

  it('rejects a token with inner whitespace', () => {
    expect(() => new RancherClient({ domain: '127.0.0.1:1', token: 'token-abcde: secret' })).toThrow(/whitespace/);
  });

  it('rejects a zero timeout', () => {
    expect(() => new RancherClient({ domain: '127.0.0.1:1', token, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe('RancherClient listing', () => {
  const names = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'];

  /** Serves `names` in pages, with the continue token as the next start index. */
  function servePages(): void {
    rancher.handle((request, response) => {
      const url = new URL(request.url ?? '', 'https://127.0.0.1');
      const limit = Number(url.searchParams.get('limit') ?? names.length);
      const start = Number(url.searchParams.get('continue') ?? 0);
      const end = Math.min(start + limit, names.length);
      const metadata = { resourceVersion: '100', ...(end < names.length ? { continue: String(end), remainingItemCount: names.length - end } : {}) };
      sendJson(response, 200, { apiVersion: 'management.cattle.io/v3', kind: 'UserList', metadata, items: names.slice(start, end).map(user) });
    });
  }

  it('listPage returns items and continue', async () => {
    servePages();

    const page = await clientFor().listPage(usersPath, { limit: 2, labelSelector: 'x=y' });

    expect(page.items).toEqual([user('u-1'), user('u-2')]);
    expect(page.continue).toBe('2');
    expect(page.resourceVersion).toBe('100');
    expect(page.remainingItemCount).toBe(3);
    expect(rancher.requests[0]?.url).toContain('labelSelector=x%3Dy');
  });

  it('listPage leaves out continue on the last page', async () => {
    servePages();

    const page = await clientFor().listPage(usersPath, { limit: 10 });

    expect(page.items).toHaveLength(5);
    expect(page).not.toHaveProperty('continue');
  });

  it('listAll follows continue across pages', async () => {
    servePages();
    const totals: number[] = [];

    const result = await clientFor().listAll(usersPath, { pageSize: 2, onPage: (_page, total) => totals.push(total) });

    expect(result.items).toEqual(names.map(user));
    expect(result.truncated).toBe(false);
    expect(totals).toEqual([2, 4, 5]);
    expect(rancher.requests.map((request) => new URL(request.url, 'https://127.0.0.1').searchParams.get('continue'))).toEqual([null, '2', '4']);
  });

  it('listAll stops at maxItems', async () => {
    servePages();

    const result = await clientFor().listAll(usersPath, { pageSize: 2, maxItems: 3 });

    expect(result.items).toEqual(names.slice(0, 3).map(user));
    expect(result.truncated).toBe(true);
    expect(rancher.requests.map((request) => new URL(request.url, 'https://127.0.0.1').searchParams.get('limit'))).toEqual(['2', '1']);
  });

  it('listAll with maxItems equal to the total', async () => {
    servePages();

    const result = await clientFor().listAll(usersPath, { pageSize: 5, maxItems: 5 });

    expect(result.items).toHaveLength(5);
    expect(result.truncated).toBe(false);
  });

  it('listAll rejects a repeated continue token', async () => {
    rancher.handle((_request, response) =>
      sendJson(response, 200, { apiVersion: 'v1', kind: 'UserList', metadata: { continue: 'same' }, items: [user('u-1')] }),
    );

    const error = await catchError(clientFor().listAll(usersPath, { pageSize: 1 }));

    expect(error).toBeInstanceOf(RancherResponseError);
    expect(rancher.requests).toHaveLength(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay seconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(0);
  });

  it('reads an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2025 07:28:00 GMT');

    expect(parseRetryAfter('Wed, 21 Oct 2025 07:28:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2025 07:27:00 GMT', now)).toBe(0);
  });

  it('ignores missing or invalid values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('token never appears in errors', () => {
  function expectNoToken(error: unknown): void {
    expect(error).toBeInstanceOf(RancherError);
    const rancherError = error as RancherError;
    const texts = [
      String(rancherError),
      rancherError.message,
      JSON.stringify({ ...rancherError }),
      inspect(rancherError, { depth: 6 }),
      rancherError.stack ?? '',
    ];
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('token-t7x2k');
    }
  }

  it('RancherAuthError with an echoed token', async () => {
    rancher.handle((_request, response) => sendJson(response, 401, { type: 'error', status: '401', message: `bad token ${token}` }));

    const error = await catchError(clientFor().request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherAuthError);
    expectNoToken(error);
  });

  it('RancherForbiddenError with an echoed token', async () => {
    rancher.handle((_request, response) => sendJson(response, 403, kubernetesStatus(403, 'Forbidden', `key ${secret}`, { name: token })));

    const error = await catchError(clientFor().request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherForbiddenError);
    expectNoToken(error);
  });

  it('RancherNotFoundError', async () => {
    rancher.handle((_request, response) => sendJson(response, 404, kubernetesStatus(404, 'NotFound', 'not found')));

    const error = await catchError(clientFor().request({ method: 'GET', path: `${usersPath}/u-1` }));

    expect(error).toBeInstanceOf(RancherNotFoundError);
    expectNoToken(error);
  });

  it('RancherHttpError', async () => {
    rancher.handle((_request, response) => sendJson(response, 500, kubernetesStatus(500, 'InternalError', `failed for ${token}`)));

    const error = await catchError(clientFor().request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherHttpError);
    expectNoToken(error);
  });

  it('RancherTimeoutError', async () => {
    rancher.handle(() => undefined);

    const error = await catchError(clientFor({ timeoutMs: 200 }).request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherTimeoutError);
    expectNoToken(error);
  });

  it('RancherNetworkError', async () => {
    const port = await closedPort();

    const error = await catchError(clientFor({ domain: `127.0.0.1:${port}` }).request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherNetworkError);
    expectNoToken(error);
  });

  it('RancherNetworkError for DNS', async () => {
    const error = await catchError(clientFor({ domain: 'rancher.test', lookup: failingLookup }).request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherNetworkError);
    expectNoToken(error);
  });

  it('RancherTlsError', async () => {
    const error = await catchError(clientFor({ ca: undefined }).request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherTlsError);
    expectNoToken(error);
  });

  it('RancherResponseError with an echoed token', async () => {
    rancher.handle((_request, response) => response.writeHead(302, { location: `/login?key=${token}` }).end());

    const error = await catchError(clientFor().request({ method: 'GET', path: usersPath }));

    expect(error).toBeInstanceOf(RancherResponseError);
    expectNoToken(error);
  });

  it('RancherError for a rejected path', async () => {
    const error = await catchError(clientFor().request({ method: 'GET', path: `/apis/x?token=${token}` }));

    expect((error as RancherError).code).toBe('invalid-request');
    expectNoToken(error);
  });

  it('RancherError for a token with whitespace', () => {
    let caught: unknown;
    try {
      new RancherClient({ domain: '127.0.0.1:1', token: `token-t7x2k: ${secret}` });
    } catch (error) {
      caught = error;
    }

    expectNoToken(caught);
  });
});
