/**
 * Response bodies for errors: Kubernetes `Status` objects with the `reason` and `code` that
 * kube-apiserver uses for each case, and Rancher's own authentication error body.
 */
import type { ResourceType } from './resources.js';

/** A Kubernetes `Status` body (`kind: Status`, `apiVersion: v1`). */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** `Status.details`: the object the status is about and, for `Invalid`, the field causes. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** One entry of `Status.details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** An HTTP response the request handlers produce or throw. */
export interface SimulatorResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /**
   * For watch responses: writes newline-delimited events through `send` and resolves when the
   * watch ends. `body` is ignored when this is set.
   */
  stream?: (send: (event: unknown) => void, closed: AbortSignal) => Promise<void>;
}

/** An error a handler throws to end the request with a given response, usually a `Status`. */
export class SimulatorResponseError extends Error {
  readonly response: SimulatorResponse;

  constructor(response: SimulatorResponse) {
    super(describeResponse(response));
    this.name = 'SimulatorResponseError';
    this.response = response;
  }
}

function describeResponse(response: SimulatorResponse): string {
  const body = response.body as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : 'no message';
  return `HTTP ${response.status}: ${message}`;
}

/** Returns a `Failure` status body with the given code, reason, message and details. */
export function failureBody(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) {
    body.details = details;
  }
  body.code = code;
  return body;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): SimulatorResponse {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) {
    body.details = details;
  }
  body.code = code;
  return { status: code, body };
}

/** Returns Rancher's 401 body, `{"type":"error","status":"401","message":"Unauthorized 401: must authenticate"}`. */
export function rancherUnauthorized(): SimulatorResponse {
  return { status: 401, body: { type: 'error', status: '401', message: 'Unauthorized 401: must authenticate' } };
}

/** Returns the 401 `Status` kube-apiserver sends for a request without valid credentials. */
export function kubernetesUnauthorized(): SimulatorResponse {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** Returns the 404 `Status` for a path that no route serves. */
export function unknownPath(): SimulatorResponse {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Returns the 405 `Status` for a method that a known path does not accept. */
export function methodNotAllowed(): SimulatorResponse {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** Returns the 404 `Status` for a missing object, e.g. `users.management.cattle.io "u-x" not found`. */
export function notFound(resource: ResourceType, name: string): SimulatorResponse {
  return failure(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, { name, group: resource.group, kind: resource.plural });
}

/** Returns the 409 `AlreadyExists` `Status` for a create whose name is taken. */
export function alreadyExists(resource: ResourceType, name: string): SimulatorResponse {
  return failure(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, { name, group: resource.group, kind: resource.plural });
}

/** Returns the 422 `Invalid` `Status` listing each field that failed validation. */
export function invalid(resource: ResourceType, name: string, causes: StatusCause[]): SimulatorResponse {
  const summaries = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const joined = summaries.length === 1 ? summaries[0] : `[${summaries.join(', ')}]`;
  return failure(422, 'Invalid', `${resource.kind}.${resource.group} "${name}" is invalid: ${joined}`, {
    name,
    group: resource.group,
    kind: resource.kind,
    causes,
  });
}

/** Returns the 409 `Conflict` `Status` for a write with a stale resourceVersion or a failed precondition. */
export function conflict(resource: ResourceType, name: string, problem = 'the object has been modified; please apply your changes to the latest version and try again'): SimulatorResponse {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${problem}`, {
    name,
    group: resource.group,
    kind: resource.plural,
  });
}

/** Returns a 403 `Forbidden` `Status` for `verb` on a resource, with the reason it was denied. */
export function forbidden(resource: ResourceType, name: string, verb: string, reason: string): SimulatorResponse {
  const target = name === '' ? `${qualifiedResource(resource)} is forbidden` : `${qualifiedResource(resource)} "${name}" is forbidden`;
  return failure(403, 'Forbidden', `${target}: cannot ${verb}: ${reason}`, { ...(name === '' ? {} : { name }), group: resource.group, kind: resource.plural });
}

/**
 * Returns the 410 `Expired` `Status` for a continue token whose snapshot is gone. `continueToken`
 * lets the client read the rest of the list at the latest revision instead.
 */
export function expiredContinue(continueToken: string): SimulatorResponse {
  const response = failure(
    410,
    'Expired',
    'The continue token is too old: the snapshot it pointed to has been compacted, so the rest of a consistent list can no longer be read. ' +
      'Start the list again without a continue parameter, or pass the continue token in this response to read the remaining objects as they are now; ' +
      'that list may then miss or repeat objects that were changed after the first page.',
  );
  (response.body as StatusBody).metadata = { continue: continueToken };
  return response;
}

/** Returns the 410 `Expired` `Status` for a list or watch that requests a compacted resourceVersion. */
export function expiredResourceVersion(requested: number, oldest: number): SimulatorResponse {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** Returns the 504 `Timeout` `Status` for a resourceVersion newer than the server has. */
export function tooLargeResourceVersion(requested: number, current: number): SimulatorResponse {
  return failure(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }], retryAfterSeconds: 1 });
}

/** Returns the 429 `TooManyRequests` `Status` with a `Retry-After` header. */
export function tooManyRequests(retryAfterSeconds: number): SimulatorResponse {
  const response = failure(429, 'TooManyRequests', 'The server has received too many requests and has asked us to try again later', { retryAfterSeconds });
  response.headers = { 'Retry-After': String(retryAfterSeconds) };
  return response;
}

/** Returns a 5xx `Status` of the given code, with the reason kube-apiserver uses for it. */
export function serverError(code: number, message: string): SimulatorResponse {
  const reasons: Record<number, string> = { 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };
  return failure(code, reasons[code] ?? 'InternalError', message);
}

/** Returns a 400 `BadRequest` `Status` with the given message and no details. */
export function badRequest(message: string): SimulatorResponse {
  return failure(400, 'BadRequest', message);
}

/** Returns a 413 `RequestEntityTooLarge` `Status`. */
export function requestEntityTooLarge(limitBytes: number): SimulatorResponse {
  return failure(413, 'RequestEntityTooLarge', `request body is larger than ${limitBytes} bytes`);
}

/** Returns a 415 `UnsupportedMediaType` `Status` that lists the accepted media types. */
export function unsupportedMediaType(contentType: string, accepted: readonly string[] = ['application/json']): SimulatorResponse {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')} (got ${contentType})`);
}

/** Returns a 500 `InternalError` `Status`. */
export function internalError(message: string): SimulatorResponse {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** Returns the `Success` `Status` that a single delete returns, naming the deleted object. */
export function deleted(resource: ResourceType, name: string, uid: string): SimulatorResponse {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: resource.group, kind: resource.plural, uid },
  };
  return { status: 200, body };
}

/** Returns the `Success` `Status` that a collection delete returns. */
export function deletedCollection(resource: ResourceType): SimulatorResponse {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { group: resource.group, kind: resource.plural } };
  return { status: 200, body };
}

function qualifiedResource(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}
