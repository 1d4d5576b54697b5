/**
 * The HTTP request handler: authentication, routing, body reading, JSON and watch responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticate } from './auth.js';
import { forbiddenResponse } from './authorization.js';
import { explainedUnauthorizedMessage, injectFault, takeRequestFault, type SimulatorFaults } from './faults.js';
import type { SimulatorContext } from './operations.js';
import { matchRoute, type HttpMethod, type Route } from './routes.js';
import {
  badRequest,
  internalError,
  kubernetesUnauthorized,
  methodNotAllowed,
  rancherUnauthorized,
  requestEntityTooLarge,
  serverError,
  SimulatorResponseError,
  tooManyRequests,
  unknownPath,
  unsupportedMediaType,
  type SimulatorResponse,
} from './status.js';

/** Largest request body accepted, the same 3 MiB limit kube-apiserver applies. */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Settings of the request handler. */
export interface HandlerOptions {
  context: SimulatorContext;
  routes: readonly Route[];
  unauthorizedBody: 'rancher' | 'kubernetes';
  log: (line: string) => void;
  /** Fault settings, read on every request. */
  faults?: SimulatorFaults;
  /** Receives every JSON response and every watch event the simulator sends. */
  onResponse?: (record: RecordedResponse) => void;
}

/** One response body as the simulator sent it, with the catalog operation of the request. */
export interface RecordedResponse {
  method: string;
  /** The request path without the query string. */
  path: string;
  /** The catalog operation id, when the path and method matched one. */
  operationId?: string;
  status: number;
  contentType: string;
  body: unknown;
  /** True for one event of a watch stream; `body` is then the event. */
  watchEvent?: boolean;
}

/** Facts about a request that the response record needs, filled in while handling it. */
interface RequestInfo {
  operationId?: string;
}

/** Returns a `request` listener for `https.createServer`. */
export function createRequestHandler(options: HandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    // Log lines carry the path without the query string, so query values never reach the log.
    const url = new URL(request.url ?? '/', 'https://simulator.invalid');
    const info: RequestInfo = {};
    const record = (status: number, contentType: string, body: unknown, watchEvent?: boolean): void => {
      options.onResponse?.({ method, path: url.pathname, ...(info.operationId ? { operationId: info.operationId } : {}), status, contentType, body, ...(watchEvent ? { watchEvent } : {}) });
    };

    handleWithFaults(options, request, response, url, info)
      .catch((error: unknown) => {
        if (error instanceof SimulatorResponseError) {
          return error.response;
        }
        options.log(`request failed with an internal error: ${method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
        return internalError('the simulator failed to handle the request');
      })
      .then((result) => {
        if (result === undefined) {
          options.log(`${method} ${url.pathname} answered by an injected fault ${(performance.now() - started).toFixed(1)}ms`);
          return;
        }
        if (result.stream) {
          options.log(`${method} ${url.pathname} ${result.status} watch started`);
          return sendStream(response, result, (event) => record(result.status, 'application/json;stream=watch', event, true)).then(() => {
            options.log(`${method} ${url.pathname} watch ended after ${(performance.now() - started).toFixed(1)}ms`);
          });
        }
        sendJson(response, result);
        record(result.status, 'application/json', result.body);
        const elapsed = (performance.now() - started).toFixed(1);
        options.log(`${method} ${url.pathname} ${result.status} ${elapsed}ms`);
      })
      .catch((error: unknown) => {
        options.log(`failed to send a response: ${method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
        response.destroy();
      });
  };
}

/** Applies injected faults; returns undefined when a fault already sent the response. */
async function handleWithFaults(options: HandlerOptions, request: IncomingMessage, response: ServerResponse, url: URL, info: RequestInfo): Promise<SimulatorResponse | undefined> {
  const fault = options.faults ? await injectFault(options.faults) : undefined;
  if (!fault) {
    return handleWithRequestFault(options, request, response, url, info);
  }

  await discardBody(request);
  response.writeHead(fault.status, { 'Content-Type': fault.contentType, 'Content-Length': Buffer.byteLength(fault.body), 'Cache-Control': 'no-cache, private' });
  response.end(fault.body);
  return undefined;
}

/** Applies the first queued request fault that matches, if any, around the normal handling. */
async function handleWithRequestFault(options: HandlerOptions, request: IncomingMessage, response: ServerResponse, url: URL, info: RequestInfo): Promise<SimulatorResponse | undefined> {
  const method = request.method ?? 'GET';
  const fault = options.faults ? takeRequestFault(options.faults, method, url.pathname) : undefined;
  if (!fault) {
    return handleRequest(options, request, url, info);
  }

  options.log(`injecting fault ${fault.kind}: ${method} ${url.pathname}`);
  switch (fault.kind) {
    case 'latency':
      await delay(fault.latencyMs ?? 0);
      return handleRequest(options, request, url, info);
    case 'server-error':
      await discardBody(request);
      return serverError(fault.status ?? 503, 'the server is currently unable to handle the request');
    case 'rate-limit':
      await discardBody(request);
      return tooManyRequests(fault.retryAfterSeconds ?? 1);
    case 'reset-after-commit': {
      // The write is stored first; then the client loses the connection without a response.
      const result = await handleRequest(options, request, url, info).catch((error: unknown) => (error instanceof SimulatorResponseError ? error.response : undefined));
      options.log(`resetting the connection after ${method} ${url.pathname} finished with ${result?.status ?? 'an internal error'}`);
      // `resetAndDestroy` cannot reset a TLS socket, so the connection is closed without a
      // response instead; Node clients report that as ECONNRESET "socket hang up".
      request.socket.destroy();
      response.destroy();
      return undefined;
    }
  }
}

async function handleRequest(options: HandlerOptions, request: IncomingMessage, url: URL, info: RequestInfo = {}): Promise<SimulatorResponse> {
  const { context } = options;
  const method = request.method ?? 'GET';

  const authentication = authenticate(context.store, context.clock, request.headers.authorization);
  if (!authentication.ok) {
    // The reason names the check that failed, never the token or its secret.
    options.log(`authentication failed (${authentication.reason}): ${method} ${url.pathname}`);
    await discardBody(request);
    const unauthorized = options.unauthorizedBody === 'kubernetes' ? kubernetesUnauthorized() : rancherUnauthorized();
    if (options.faults?.explainUnauthorized) {
      const message = explainedUnauthorizedMessage(authentication.reason, authentication.clusterName);
      return { ...unauthorized, body: { ...(unauthorized.body as Record<string, unknown>), message } };
    }
    return unauthorized;
  }

  const match = matchRoute(options.routes, url.pathname);
  if (!match) {
    await discardBody(request);
    return unknownPath();
  }

  const operation = match.route.operations[method as HttpMethod];
  if (!operation) {
    await discardBody(request);
    return methodNotAllowed();
  }
  info.operationId = match.route.catalogOperations[method as HttpMethod]?.operationId;

  const forbidden = options.faults?.enforceRbac ? forbiddenResponse(context.store, authentication.userId, method as HttpMethod, match) : undefined;
  if (forbidden) {
    await discardBody(request);
    return forbidden;
  }

  return operation({
    context,
    resource: match.route.resource,
    name: match.name,
    namespace: match.namespace,
    ...(match.route.subresource ? { subresource: match.route.subresource } : {}),
    query: url.searchParams,
    userId: authentication.userId,
    tokenName: authentication.tokenName,
    readBody: () => readJsonBody(request),
    readRawBody: () => readRawBody(request),
  });
}

/** Reads a body as text with its media type; returns undefined when the request has none. */
async function readRawBody(request: IncomingMessage): Promise<{ mediaType: string; text: string } | undefined> {
  const mediaType = (request.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = await readText(request);
  return text === '' ? undefined : { mediaType, text };
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) {
      throw new SimulatorResponseError(requestEntityTooLarge(maxBodyBytes));
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const contentType = (request.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json') {
    await discardBody(request);
    // TODO(simulator): accept application/yaml, which the OpenAPI document lists for writes — no client of this project sends it yet.
    throw new SimulatorResponseError(unsupportedMediaType(contentType));
  }

  const text = await readText(request);
  if (text.trim() === '') {
    throw new SimulatorResponseError(badRequest('the request body is empty; expected a JSON object'));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SimulatorResponseError(badRequest(`the request body is not valid JSON: ${(error as Error).message}`));
  }
}

/** Reads and drops an unread body so that the connection can be reused for the next request. */
async function discardBody(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) {
    return;
  }
  request.resume();
  await new Promise<void>((resolve) => {
    request.once('end', resolve);
    request.once('error', () => resolve());
    request.once('close', resolve);
  });
}

/** Sends a watch: headers at once, then one JSON line per event until the stream function ends. */
async function sendStream(response: ServerResponse, result: SimulatorResponse, onEvent: (event: unknown) => void): Promise<void> {
  const closed = new AbortController();
  response.once('close', () => closed.abort());
  response.writeHead(result.status, { ...result.headers, 'Content-Type': 'application/json;stream=watch', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();

  await result.stream?.((event) => {
    if (!closed.signal.aborted) {
      response.write(`${JSON.stringify(event)}\n`);
      onEvent(event);
    }
  }, closed.signal);
  response.end();
}

function sendJson(response: ServerResponse, result: SimulatorResponse): void {
  const payload = JSON.stringify(result.body);
  response.writeHead(result.status, {
    ...result.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
  });
  response.end(payload);
}
