/**
 * Preparation of one allowlisted Rancher API request: the catalog check of operation, path,
 * parameters and query, plus the check of the request body against the operation's schema.
 * Both the `rancherApiRequest` workflow and the `rancherRequest` activity run it.
 *
 * This module has no I/O so that workflow code may import it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { CatalogError, MAX_WATCH_EVENTS, resolveRequest, type CatalogOperation } from './catalog.js';
import { WatchEventSchema } from './schemas.js';

/** An API request as a caller names it: by operation id, or by method and concrete path. */
export interface ApiRequestSpec {
  operationId?: string;
  method?: string;
  path?: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
}

/** A request that passed every check, ready for the HTTP client. */
export interface PreparedApiRequest {
  operation: CatalogOperation;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** True when the response is a watch stream: a watch operation, or a list with `watch=true`. */
  watch: boolean;
}

/** A request body that the operation does not take, or that does not match its schema. */
export class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';

  constructor(
    message: string,
    readonly operationId: string,
    /** The body field at fault, as a dotted path; empty for the body as a whole. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Returns the path of a zod issue as `a.b.0.c`, or the empty string for the root. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : '';
}

/**
 * Checks a request against the endpoint catalog and the operation's body schema.
 * @throws {CatalogError} when the catalog does not allow the operation, path, parameters or query.
 * @throws {RequestBodyError} when a body is missing, not taken by the operation, or invalid.
 */
export function prepareApiRequest(spec: ApiRequestSpec): PreparedApiRequest {
  const resolved = resolveRequest({
    ...(spec.operationId !== undefined ? { operationId: spec.operationId } : {}),
    ...(spec.method !== undefined ? { method: spec.method } : {}),
    ...(spec.path !== undefined ? { path: spec.path } : {}),
    ...(spec.params !== undefined ? { params: spec.params } : {}),
    ...(spec.query !== undefined ? { query: spec.query } : {}),
  });
  const { operation } = resolved;

  if (spec.body === undefined) {
    if (operation.bodyRequired) {
      throw new RequestBodyError(`Missing body for ${operation.operationId}: it takes a ${operation.bodyDefinition ?? 'JSON'} object.`, operation.operationId, '');
    }
  } else {
    if (operation.bodySchema === undefined) {
      throw new RequestBodyError(`Unexpected body for ${operation.operationId} (${operation.method} ${operation.pathTemplate}): the operation takes no body.`, operation.operationId, '');
    }
    const parsed = operation.bodySchema.safeParse(spec.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? issuePath(issue.path) : '';
      throw new RequestBodyError(
        `Invalid body for ${operation.operationId}: ${field || '(body)'}: ${issue?.message ?? 'invalid'}. The body must be a ${operation.bodyDefinition ?? 'JSON'} object.`,
        operation.operationId,
        field,
      );
    }
  }

  const watch = operation.action === 'watch' || operation.action === 'watchlist' || resolved.query.watch === 'true';
  return { operation, path: resolved.path, query: resolved.query, ...(spec.body !== undefined ? { body: spec.body } : {}), watch };
}

/**
 * Turns a {@link CatalogError} or {@link RequestBodyError} into the non-retryable
 * `InvalidRancherRequest` failure; any other error is returned unchanged.
 */
export function toInvalidRequestFailure(error: unknown): unknown {
  if (error instanceof CatalogError) {
    return ApplicationFailure.create({
      type: 'InvalidRancherRequest',
      message: error.message,
      nonRetryable: true,
      details: [{ code: error.code, ...(error.operationId ? { operationId: error.operationId } : {}), ...(error.parameter ? { field: error.parameter } : {}) }],
    });
  }
  if (error instanceof RequestBodyError) {
    return ApplicationFailure.create({
      type: 'InvalidRancherRequest',
      message: error.message,
      nonRetryable: true,
      details: [{ code: 'invalid-body', operationId: error.operationId, field: error.field ? `body.${error.field}` : 'body' }],
    });
  }
  return error;
}

/** The checked response of one request. */
export interface CheckedResponse {
  body: unknown;
  /** For a watch: how many events the server sent before the cap of {@link MAX_WATCH_EVENTS}. */
  watchEvents?: number;
  /** For a watch: true when events beyond {@link MAX_WATCH_EVENTS} were dropped. */
  watchTruncated?: boolean;
  /** Dotted paths of secret fields replaced by {@link REDACTED}. */
  redacted?: string[];
}

/** The text that replaces a secret field in a response. */
export const REDACTED = '(redacted: secrets never enter workflow history)';

/** Secret fields by kind: a new key's value and bearer token, and a kubeconfig's text (which contains tokens). */
const secretFields: Readonly<Record<string, readonly string[]>> = {
  Token: ['value', 'bearerToken'],
  Kubeconfig: ['value'],
};

/**
 * Replaces the secret `status` fields of one object of `kind` in place and returns the dotted
 * paths replaced. The kind comes from the operation because list items may omit their own.
 */
function redactObject(object: unknown, kind: string, prefix: string): string[] {
  const fields = secretFields[kind];
  if (!fields || object === null || typeof object !== 'object') return [];
  const { status } = object as { status?: unknown };
  if (status === null || typeof status !== 'object') return [];

  const replaced: string[] = [];
  const statusRecord = status as Record<string, unknown>;
  for (const field of fields) {
    if (typeof statusRecord[field] === 'string' && statusRecord[field] !== '') {
      statusRecord[field] = REDACTED;
      replaced.push(`${prefix}status.${field}`);
    }
  }
  return replaced;
}

/** Replaces secrets in a single object, a list's items or watch events' objects, and returns the paths replaced. */
function redactSecrets(body: unknown, kind: string, watch: boolean): string[] {
  if (watch && Array.isArray(body)) return body.flatMap((event, index) => redactObject((event as { object?: unknown }).object, kind, `${index}.object.`));
  const items = (body as { items?: unknown } | null)?.items;
  if (Array.isArray(items)) return items.flatMap((item, index) => redactObject(item, kind, `items.${index}.`));
  return redactObject(body, kind, '');
}

/** A response body that does not match the operation's response schema. */
export class ResponseSchemaError extends Error {
  override readonly name = 'ResponseSchemaError';

  constructor(
    message: string,
    readonly operationId: string,
    /** The response field at fault, as a dotted path. */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * Validates a response body against the operation's response schema (each event of a watch
 * against the watch event schema), caps watch events at {@link MAX_WATCH_EVENTS}, and replaces
 * the secret fields of tokens and kubeconfigs. The body is changed in place.
 * @throws {ResponseSchemaError} naming the first field that does not match.
 */
export function checkResponse(request: PreparedApiRequest, body: unknown): CheckedResponse {
  const { operation } = request;
  const mismatch = (field: string, message: string, definition: string) =>
    new ResponseSchemaError(
      `Rancher's response to ${operation.operationId} does not match ${definition}: ${field || '(root)'}: ${message}. Check that the domain points at a Rancher v2.13-compatible server.`,
      operation.operationId,
      field,
    );

  if (request.watch) {
    const events = body === undefined ? [] : body;
    if (!Array.isArray(events)) throw mismatch('', 'expected a stream of watch events', 'a watch stream');
    const kept = events.slice(0, MAX_WATCH_EVENTS);
    kept.forEach((event, index) => {
      const parsed = WatchEventSchema.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw mismatch([String(index), ...(issue ? issue.path.map(String) : [])].join('.'), issue?.message ?? 'invalid', 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent');
      }
    });
    const redacted = redactSecrets(kept, operation.kind, true);
    return { body: kept, watchEvents: events.length, watchTruncated: events.length > kept.length, ...(redacted.length > 0 ? { redacted } : {}) };
  }

  const parsed = operation.responseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw mismatch(issue ? issuePath(issue.path) : '', issue?.message ?? 'invalid', operation.responseDefinition);
  }
  const redacted = redactSecrets(body, operation.kind, false);
  return { body, ...(redacted.length > 0 ? { redacted } : {}) };
}
