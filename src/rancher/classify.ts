/**
 * Turns HTTP responses and transport failures into the Rancher error family, with the retry
 * classification that Temporal's retry policy acts on.
 *
 * This module has no I/O; the client passes in what it received.
 */
import { RancherErrorBodySchema, StatusSchema } from './schemas.js';
import {
  RancherAuthError,
  RancherForbiddenError,
  RancherHttpError,
  RancherNetworkError,
  RancherNotFoundError,
  RancherTimeoutError,
  RancherTlsError,
  type RancherError,
  type RancherHttpErrorFields,
} from './errors.js';

/** Replaces every occurrence of a secret in a text; the client builds one from its API key. */
export type Redactor = (text: string) => string;

/** Method, path and server of a request, for messages. */
export interface RequestTarget {
  method: string;
  path: string;
  /** `host[:port]` of the Rancher server. */
  domain: string;
}

/**
 * Parses a `Retry-After` header value, either delay seconds or an HTTP date, into milliseconds
 * from `nowMs`. Returns undefined for a missing or unparsable value; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;

  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;

  // An HTTP date always names the day and month in letters; this keeps out "-1", which Date.parse reads as a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;

  return Math.max(0, date - nowMs);
}

/** Builds a redactor that removes the API key and each of its longer parts from text. */
export function createRedactor(token: string): Redactor {
  // The key is `token-xxxxx:secret`, optionally with an `ext/` prefix. Short fragments are left
  // alone because replacing them would also hit ordinary words.
  const secrets = [token, ...token.split(/[:/]/)].filter((part) => part.length >= 8);
  secrets.sort((a, b) => b.length - a.length);

  return (text) => secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

/** Kubernetes verb and resource for a request, used to say what permission is missing. */
export function describeOperation(method: string, path: string): { verb: string; resource: string; name?: string } {
  // /apis/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
  const segments = path.split('?')[0]!.split('/').filter(Boolean).slice(1);
  const [group = '', , ...rest] = segments;
  const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  const [resource = '', name, subresource] = scoped;
  const verbs: Record<string, string> = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' };
  const fullResource = `${resource}${subresource ? `/${subresource}` : ''}${group ? `.${group}` : ''}`;

  return { verb: verbs[method] ?? method.toLowerCase(), resource: fullResource, ...(name ? { name } : {}) };
}

/** Server-side facts taken from an error body, already redacted. */
interface BodyFacts {
  serverMessage?: string;
  reason?: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

function factsFromBody(body: unknown, redact: Redactor): BodyFacts {
  const status = StatusSchema.safeParse(body);
  if (status.success) {
    const facts: BodyFacts = {};
    if (status.data.message) facts.serverMessage = redact(status.data.message);
    if (status.data.reason) facts.reason = status.data.reason;
    if (status.data.details) facts.details = JSON.parse(redact(JSON.stringify(status.data.details))) as Record<string, unknown>;
    if (status.data.details?.retryAfterSeconds !== undefined) facts.retryAfterSeconds = status.data.details.retryAfterSeconds;
    return facts;
  }

  const rancherBody = RancherErrorBodySchema.safeParse(body);
  if (rancherBody.success) return { serverMessage: redact(rancherBody.data.message) };

  return {};
}

/** Checks whether a JSON body is a Kubernetes Status or Rancher's own error body. */
export function isErrorBody(body: unknown): boolean {
  return StatusSchema.safeParse(body).success || RancherErrorBodySchema.safeParse(body).success;
}

/** Statuses whose classification does not depend on the body: auth, throttling and server errors. */
export function isClassifiedByStatusAlone(status: number): boolean {
  return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

interface HttpErrorInput extends RequestTarget {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  redact: Redactor;
  nowMs?: number;
}

/**
 * Builds the error for a non-2xx response. 4xx statuses are not retryable except 408 and 429;
 * 5xx statuses are. `retryAfterMs` comes from `Retry-After`, else from a Status `retryAfterSeconds`.
 */
export function httpErrorFor(input: HttpErrorInput): RancherHttpError {
  const { method, path, status } = input;
  const facts = factsFromBody(input.body, input.redact);
  const statusText = input.statusText || facts.reason || 'HTTP error';
  const headerDelay = parseRetryAfter(input.headers['retry-after'], input.nowMs);
  const retryAfterMs = headerDelay ?? (facts.retryAfterSeconds === undefined ? undefined : facts.retryAfterSeconds * 1000);
  const operation = describeOperation(method, path);

  const fields: RancherHttpErrorFields = {
    method,
    path,
    status,
    statusText,
    code: 'http',
    retryable: status === 408 || status === 429 || status >= 500,
    retryAfterMs,
    reason: facts.reason,
    details: facts.details,
    serverMessage: facts.serverMessage,
  };
  const what = `${status} ${statusText}${facts.serverMessage ? ` (${facts.serverMessage})` : ''}`;
  const message = (todo: string) => `${method} ${path} failed: ${what} — ${todo}`;

  if (status === 401) {
    return new RancherAuthError(
      message(
        'Rancher rejected the API key. Check that the whole key was given (access key and secret, "token-xxxxx:secret"), ' +
          'that it has not expired or been deleted, that it was created with No Scope (a cluster-scoped key cannot use the management API), ' +
          'and that its user is enabled.',
      ),
      { ...fields, code: 'unauthorized' },
    );
  }
  if (status === 403) {
    return new RancherForbiddenError(
      message(`the API key's user lacks permission to ${operation.verb} ${operation.resource}. Grant that user a role that allows it, or use the key of a user who has one.`),
      { ...fields, code: 'forbidden' },
    );
  }
  if (status === 404) {
    const subject = operation.name ? `${operation.resource} "${operation.name}"` : operation.resource;
    return new RancherNotFoundError(
      message(`${subject} was not found. Check the name, and that this Rancher version serves the API path.`),
      { ...fields, code: 'not-found' },
    );
  }
  if (status === 409) {
    const todo =
      facts.reason === 'AlreadyExists'
        ? 'an object with this name already exists. Choose another name or change the existing object.'
        : 'the object changed since it was read. Read it again and reapply the change.';
    return new RancherHttpError(message(todo), { ...fields, code: 'conflict' });
  }
  if (status === 410) {
    return new RancherHttpError(message('the list\'s continue token has expired. Start the list again from the first page.'), { ...fields, code: 'expired' });
  }
  if (status === 422) {
    return new RancherHttpError(message('Rancher rejected the object as invalid. Fix the fields the server message names.'), { ...fields, code: 'invalid' });
  }
  if (status === 400) {
    return new RancherHttpError(message('Rancher rejected the request. Fix what the server message names, because sending it unchanged will fail again.'), { ...fields, code: 'bad-request' });
  }
  if (status === 408 || status === 429) {
    const wait = retryAfterMs === undefined ? 'Retry later' : `Retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    const code = status === 429 ? 'too-many-requests' : 'request-timeout';
    return new RancherHttpError(message(`${status === 429 ? 'Rancher is limiting the request rate' : 'Rancher timed out waiting for the request'}. ${wait}.`), { ...fields, code });
  }
  if (status >= 500) {
    return new RancherHttpError(message('Rancher, or a proxy in front of it, failed to handle the request. Retry later; if it persists, check the Rancher server logs.'), { ...fields, code: 'server-error' });
  }

  return new RancherHttpError(message('Rancher did not accept the request; sending it unchanged will fail again.'), fields);
}

/** Finds the first Node or undici error code in an error, its `cause` chain and aggregated errors. */
export function findSystemCode(error: unknown, known: ReadonlySet<string>): string | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  let first: string | undefined;

  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);

    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (known.has(code)) return code;
      first ??= code;
    }
    queue.push((current as { cause?: unknown }).cause);
    // Node's happy-eyeballs connect (autoSelectFamily) reports one error per address tried.
    if (current instanceof AggregateError) queue.push(...current.errors);
  }

  return first;
}

const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const otherNetworkCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const knownCodes = new Set([
  ...untrustedCodes,
  ...timeoutCodes,
  ...dnsCodes,
  ...resetCodes,
  ...otherNetworkCodes,
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/**
 * Builds the error for a request that got no HTTP response. Timeouts, refused and reset
 * connections are retryable; TLS failures and unknown host names are not, because they need a
 * configuration change. `EAI_AGAIN` (a temporary resolver failure) stays retryable.
 */
export function transportErrorFor(error: unknown, target: RequestTarget & { timeoutMs: number }): RancherError {
  const { method, path, domain } = target;
  const systemCode = findSystemCode(error, knownCodes);
  const base = { method, path, systemCode, cause: error };
  const failed = `${method} ${path} failed:`;
  const host = domain.replace(/:[0-9]+$/, '');

  if (systemCode && untrustedCodes.has(systemCode)) {
    return new RancherTlsError(
      `${failed} the TLS certificate of ${domain} is not trusted (${systemCode}) — if Rancher uses a self-signed certificate or a private CA, give the client that CA certificate (the connection's CA file).`,
      { ...base, code: 'tls-untrusted', retryable: false },
    );
  }
  if (systemCode === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RancherTlsError(
      `${failed} the TLS certificate of ${domain} is not valid for the name "${host}" (${systemCode}) — use the domain the certificate was issued for, or reissue the certificate with this name.`,
      { ...base, code: 'tls-hostname-mismatch', retryable: false },
    );
  }
  if (systemCode === 'CERT_HAS_EXPIRED' || systemCode === 'CERT_NOT_YET_VALID') {
    const expired = systemCode === 'CERT_HAS_EXPIRED';
    return new RancherTlsError(
      `${failed} the TLS certificate of ${domain} ${expired ? 'has expired' : 'is not valid yet'} (${systemCode}) — ${expired ? 'renew the Rancher certificate' : 'check the clocks of this machine and the server'}.`,
      { ...base, code: expired ? 'tls-expired' : 'tls-not-yet-valid', retryable: false },
    );
  }
  if (systemCode && timeoutCodes.has(systemCode)) {
    return new RancherTimeoutError(
      `${failed} ${domain} did not respond in time (${systemCode}) — check that the server is reachable and not overloaded.`,
      { ...base, code: 'timeout', retryable: true },
    );
  }
  if (systemCode && dnsCodes.has(systemCode)) {
    return new RancherNetworkError(
      `${failed} the host name "${host}" could not be resolved (${systemCode}) — check the domain's spelling and that this machine's DNS can resolve it.`,
      { ...base, code: 'dns', retryable: systemCode === 'EAI_AGAIN' },
    );
  }
  if (systemCode === 'ECONNREFUSED') {
    return new RancherNetworkError(
      `${failed} ${domain} refused the connection (${systemCode}) — check that Rancher is running and listening on that port.`,
      { ...base, code: 'connection-refused', retryable: true },
    );
  }
  if (systemCode && resetCodes.has(systemCode)) {
    return new RancherNetworkError(
      `${failed} the connection to ${domain} was closed before the response arrived (${systemCode}) — retry, but for a change first check whether it took effect.`,
      { ...base, code: 'connection-reset', retryable: true },
    );
  }
  if (systemCode?.startsWith('ERR_SSL_') || systemCode?.startsWith('ERR_TLS_') || systemCode === 'EPROTO') {
    return new RancherTlsError(
      `${failed} the TLS handshake with ${domain} failed (${systemCode}) — check that this port serves HTTPS.`,
      { ...base, code: 'tls', retryable: false },
    );
  }

  return new RancherNetworkError(
    `${failed} could not reach ${domain}${systemCode ? ` (${systemCode})` : ''} — check the network path to the server.`,
    { ...base, code: 'network', retryable: true },
  );
}

/** Builds the error for the client's own timeout, which ky reports. */
export function clientTimeoutErrorFor(target: RequestTarget & { timeoutMs: number }): RancherTimeoutError {
  const { method, path, domain, timeoutMs } = target;

  // The cause is left out on purpose: ky's TimeoutError keeps the request, whose headers contain the key.
  return new RancherTimeoutError(
    `${method} ${path} failed: ${domain} sent no response within ${timeoutMs} ms — check that the server is reachable and not overloaded, or raise the timeout for large lists.`,
    { method, path, code: 'timeout', retryable: true },
  );
}
