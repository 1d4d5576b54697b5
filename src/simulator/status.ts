/**
 * Response bodies for errors: Kubernetes `Status` objects with the `reason` and `code` that
 * kube-apiserver uses for each case, and Rancher's own authentication error body.
 */
import type { ResourceType } from './resources.js';

/** A Kubernetes `Status` body (`kind: Status`, `apiVersion: v1`). */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
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

/** Returns a 400 `BadRequest` `Status` with the given message and no details. */
export function badRequest(message: string): SimulatorResponse {
  return failure(400, 'BadRequest', message);
}

/** Returns a 413 `RequestEntityTooLarge` `Status`. */
export function requestEntityTooLarge(limitBytes: number): SimulatorResponse {
  return failure(413, 'RequestEntityTooLarge', `request body is larger than ${limitBytes} bytes`);
}

/** Returns a 415 `UnsupportedMediaType` `Status`. */
export function unsupportedMediaType(contentType: string): SimulatorResponse {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json (got ${contentType})`);
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

function qualifiedResource(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}
