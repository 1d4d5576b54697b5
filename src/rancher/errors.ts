/**
 * The Rancher error family. Every error carries a stable `code` and a `retryable` flag, because
 * Temporal's activity retry policy, not the HTTP client, decides whether to try again.
 *
 * Errors never contain the API key: the client redacts server text before it builds an error, and
 * no error keeps the outgoing request (whose headers hold the key) as a property or cause.
 *
 * This module has no I/O and imports no Node built-ins, so workflow code may import it.
 */

/** HTTP methods the Rancher client sends. */
export type RancherMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Fields shared by every error of the family. */
export interface RancherErrorFields {
  /** Stable machine-readable code, for example `unauthorized`, `timeout` or `dns`. */
  code: string;
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  method?: string | undefined;
  path?: string | undefined;
  status?: number | undefined;
  /** Delay the server asked for before a retry, from `Retry-After` or a Status `retryAfterSeconds`. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * Base class of the family. Request errors set `method` and `path` and read
 * "METHOD PATH failed: <what happened> — <what to do>"; a {@link RancherDomainError} or an
 * invalid client option has neither.
 */
export class RancherError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, fields: RancherErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.code = fields.code;
    this.retryable = fields.retryable;
    this.method = fields.method;
    this.path = fields.path;
    this.status = fields.status;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** Problem codes of {@link RancherDomainError}. */
export type RancherDomainProblem =
  | 'empty'
  | 'http-scheme'
  | 'unsupported-scheme'
  | 'path'
  | 'whitespace'
  | 'trailing-dot'
  | 'userinfo'
  | 'invalid-port'
  | 'invalid-host';

/**
 * A Rancher domain that cannot be used. `value` is the input as given, except that user
 * information (`user:password@`) is masked because it may contain a secret.
 */
export class RancherDomainError extends RancherError {
  readonly value: string;
  readonly problem: RancherDomainProblem;

  constructor(value: string, problem: RancherDomainProblem, message: string) {
    super(message, { code: 'invalid-domain', retryable: false });
    this.value = value;
    this.problem = problem;
  }
}

/** Fields of an HTTP error beyond the shared ones. */
export interface RancherHttpErrorFields {
  method: string;
  path: string;
  status: number;
  statusText: string;
  code: string;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  /** `reason` of a Kubernetes Status body, for example `NotFound` or `AlreadyExists`. */
  reason?: string | undefined;
  /** `details` of a Kubernetes Status body. */
  details?: Record<string, unknown> | undefined;
  /** The server's own message (Status `message` or Rancher's error `message`), redacted. */
  serverMessage?: string | undefined;
}

/** Rancher returned a non-2xx status. */
export class RancherHttpError extends RancherError {
  declare readonly method: string;
  declare readonly path: string;
  declare readonly status: number;
  readonly statusText: string;
  readonly reason: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly serverMessage: string | undefined;

  constructor(message: string, fields: RancherHttpErrorFields) {
    super(message, fields);
    this.statusText = fields.statusText;
    this.reason = fields.reason;
    this.details = fields.details;
    this.serverMessage = fields.serverMessage;
  }
}

/** 401: Rancher rejected the API key. */
export class RancherAuthError extends RancherHttpError {}

/** 403: the API key's user may not perform this verb on this resource. */
export class RancherForbiddenError extends RancherHttpError {}

/** 404: the object or the API path does not exist. */
export class RancherNotFoundError extends RancherHttpError {}

/** Fields of a transport error (timeout, network, TLS). */
export interface RancherTransportErrorFields {
  method: string;
  path: string;
  code: string;
  retryable: boolean;
  /** The Node or undici error code behind the failure, for example `ECONNREFUSED`. */
  systemCode?: string | undefined;
  cause?: unknown;
}

/** Base of errors where no HTTP response arrived. */
class RancherTransportError extends RancherError {
  declare readonly method: string;
  declare readonly path: string;
  readonly systemCode: string | undefined;

  constructor(message: string, fields: RancherTransportErrorFields) {
    super(message, fields);
    this.systemCode = fields.systemCode;
  }
}

/** No response within the client's timeout, or a connect, header or body timeout in undici. */
export class RancherTimeoutError extends RancherTransportError {}

/**
 * The connection failed: `code` is `dns` (name not resolved), `connection-refused`,
 * `connection-reset` or `network` (any other socket failure).
 */
export class RancherNetworkError extends RancherTransportError {}

/**
 * The TLS handshake failed: `code` is `tls-untrusted` (self-signed or unknown CA),
 * `tls-hostname-mismatch`, `tls-expired`, `tls-not-yet-valid` or `tls` (any other TLS failure).
 */
export class RancherTlsError extends RancherTransportError {}

/** Fields of a {@link RancherResponseError}. */
export interface RancherResponseErrorFields {
  method: string;
  path: string;
  status: number;
  /** The response's `Content-Type`, when it had one. */
  contentType?: string | undefined;
  cause?: unknown;
}

/**
 * The server responded, but not as Rancher's API does: HTML, invalid JSON, a redirect, or JSON
 * that is neither a Kubernetes list, object or Status nor Rancher's error body.
 */
export class RancherResponseError extends RancherError {
  declare readonly method: string;
  declare readonly path: string;
  declare readonly status: number;
  readonly contentType: string | undefined;

  constructor(message: string, fields: RancherResponseErrorFields) {
    super(message, { ...fields, code: 'not-rancher', retryable: false });
    this.contentType = fields.contentType;
  }
}
