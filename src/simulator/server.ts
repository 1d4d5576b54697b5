/**
 * The HTTP request handler: authentication, routing, body reading and JSON responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import { forbiddenResponse } from './authorization.js';
import { explainedUnauthorizedMessage, injectFault, type SimulatorFaults } from './faults.js';
import type { SimulatorContext } from './operations.js';
import { matchRoute, type HttpMethod, type Route } from './routes.js';
import {
  badRequest,
  internalError,
  kubernetesUnauthorized,
  methodNotAllowed,
  rancherUnauthorized,
  requestEntityTooLarge,
  SimulatorResponseError,
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
}

/** Returns a `request` listener for `https.createServer`. */
export function createRequestHandler(options: HandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    // Log lines carry the path without the query string, so query values never reach the log.
    const url = new URL(request.url ?? '/', 'https://simulator.invalid');

    handleWithFaults(options, request, response, url)
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
        sendJson(response, result);
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
async function handleWithFaults(options: HandlerOptions, request: IncomingMessage, response: ServerResponse, url: URL): Promise<SimulatorResponse | undefined> {
  const fault = options.faults ? await injectFault(options.faults) : undefined;
  if (!fault) {
    return handleRequest(options, request, url);
  }

  await discardBody(request);
  response.writeHead(fault.status, { 'Content-Type': fault.contentType, 'Content-Length': Buffer.byteLength(fault.body), 'Cache-Control': 'no-cache, private' });
  response.end(fault.body);
  return undefined;
}

async function handleRequest(options: HandlerOptions, request: IncomingMessage, url: URL): Promise<SimulatorResponse> {
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
    query: url.searchParams,
    userId: authentication.userId,
    readBody: () => readJsonBody(request),
  });
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const contentType = (request.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json') {
    await discardBody(request);
    // TODO(simulator): accept application/yaml, which the OpenAPI document lists for writes — no client of this project sends it yet.
    throw new SimulatorResponseError(unsupportedMediaType(contentType));
  }

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

  const text = Buffer.concat(chunks).toString('utf8');
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
