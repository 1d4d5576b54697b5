/**
 * Faults the simulator can inject so that clients meet the failures of real installations:
 * latency, 5xx responses, a server that is not Rancher, explained 401s and enforced RBAC.
 * Tests change the settings of a running simulator through `RunningSimulator.faults`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AuthenticationFailure } from './auth.js';

/** Fault settings; a running simulator reads them on every request. */
export interface SimulatorFaults {
  /** Delay before every response, in milliseconds. Default 0. */
  latencyMs: number;
  /** Respond to every request with this 5xx status and a `Status` body, as an overloaded Rancher does. */
  serverErrorStatus: number | undefined;
  /**
   * Respond to every request as a server that is not Rancher's API: `html` sends a login page,
   * `json` sends a JSON object that is neither a Kubernetes object, list nor `Status`.
   */
  foreignResponse: 'html' | 'json' | undefined;
  /**
   * Put the reason of a failed authentication into the 401 message, for example
   * "clusterID does not match" for a cluster-scoped key. Rancher v2.8 and later send only
   * "must authenticate"; Rancher 2.2 sent "clusterID does not match" for a scoped key on `/v3`.
   */
  explainUnauthorized: boolean;
  /** Check `management.cattle.io` requests against the rules of the caller's global roles (403 when not allowed). */
  enforceRbac: boolean;
  /** Faults for requests that match a method and path, in the order `add` queued them. */
  requestFaults: RequestFault[];
  /** Queues a fault for the requests it matches; see `RequestFaultInput`. */
  add(fault: RequestFaultInput): void;
  /** Removes every queued request fault. */
  clearRequestFaults(): void;
}

/** Returns fault settings with every fault off, overridden by `settings`. */
export function createFaults(settings: Partial<SimulatorFaults> = {}): SimulatorFaults {
  const faults: SimulatorFaults = {
    latencyMs: 0,
    serverErrorStatus: undefined,
    foreignResponse: undefined,
    explainUnauthorized: false,
    enforceRbac: false,
    requestFaults: [],
    add(fault) {
      addRequestFault(faults, fault);
    },
    clearRequestFaults() {
      faults.requestFaults.length = 0;
    },
    ...settings,
  };
  return faults;
}

// ---------------------------------------------------------------------------
// Request faults: per-request latency, 5xx, 429 and connection resets
// ---------------------------------------------------------------------------

/**
 * One fault for matching requests:
 * - `latency`: wait `latencyMs` before handling the request normally;
 * - `server-error`: answer `status` (default 503) with a `Status` body, without handling the request;
 * - `rate-limit`: answer 429 with `Retry-After: retryAfterSeconds` (default 1), without handling it;
 * - `reset-after-commit`: handle the request, so that a write is stored, then close the connection
 *   without sending the response.
 */
export interface RequestFaultInput {
  kind: 'latency' | 'server-error' | 'rate-limit' | 'reset-after-commit';
  /** HTTP method to match; any method when absent. */
  method?: string;
  /** Path to match: a regular expression, or a string that must equal the path or its prefix up to a `/`. Any path when absent. */
  pathPattern?: string | RegExp;
  /** Number of requests the fault applies to before it is used up. Default 1; `Infinity` never wears out. */
  count?: number;
  latencyMs?: number;
  status?: number;
  retryAfterSeconds?: number;
}

/** A queued request fault with the number of requests it still applies to. */
export interface RequestFault extends RequestFaultInput {
  remaining: number;
}

/**
 * Queues a request fault.
 * @throws {RangeError} for a count that is not a positive integer or `Infinity`, or a status outside 500–599.
 */
export function addRequestFault(faults: SimulatorFaults, input: RequestFaultInput): void {
  const count = input.count ?? 1;
  if (count !== Infinity && (!Number.isInteger(count) || count < 1)) {
    throw new RangeError(`fault count must be a positive integer or Infinity, got ${count}`);
  }
  if (input.kind === 'server-error' && input.status !== undefined && (input.status < 500 || input.status > 599)) {
    throw new RangeError(`server-error faults take a status from 500 to 599, got ${input.status}`);
  }
  faults.requestFaults.push({ ...input, remaining: count });
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) {
    return true;
  }
  if (pattern instanceof RegExp) {
    return pattern.test(path);
  }
  return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
}

/** Returns the first queued fault that matches the request and counts the request against it. */
export function takeRequestFault(faults: SimulatorFaults, method: string, path: string): RequestFault | undefined {
  const index = faults.requestFaults.findIndex((fault) => (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) && pathMatches(fault.pathPattern, path));
  const fault = faults.requestFaults[index];
  if (!fault) {
    return undefined;
  }
  fault.remaining -= 1;
  if (fault.remaining <= 0) {
    faults.requestFaults.splice(index, 1);
  }
  return fault;
}

/** A response sent as it is, with its own content type; the normal handler sends only JSON. */
export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

const loginPage = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form method="post" action="/login"><input name="username"><input name="password" type="password"></form></body></html>\n';

const statusReasons: Record<number, string> = { 500: 'InternalError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'Timeout' };

/**
 * Waits for the configured latency, then returns the response that replaces the normal one, or
 * undefined when no fault applies to this request.
 */
export async function injectFault(faults: SimulatorFaults): Promise<RawResponse | undefined> {
  if (faults.latencyMs > 0) await delay(faults.latencyMs);

  if (faults.serverErrorStatus !== undefined) {
    const status = faults.serverErrorStatus;
    const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server is currently unable to handle the request', reason: statusReasons[status] ?? 'InternalError', code: status };
    return { status, contentType: 'application/json', body: JSON.stringify(body) };
  }
  if (faults.foreignResponse === 'html') return { status: 200, contentType: 'text/html; charset=utf-8', body: loginPage };
  if (faults.foreignResponse === 'json') return { status: 200, contentType: 'application/json', body: JSON.stringify({ status: 'ok', service: 'web' }) };

  return undefined;
}

/** Returns the 401 message for an explained failure, in the words of Rancher's authenticator. */
export function explainedUnauthorizedMessage(reason: AuthenticationFailure, clusterName?: string): string {
  const reasons: Partial<Record<AuthenticationFailure, string>> = {
    expired: 'must authenticate: token is expired',
    'disabled-token': "must authenticate: user's token is not enabled",
    'disabled-user': 'must authenticate: user is not enabled',
    'cluster-scoped': `must authenticate: clusterID does not match: the token is scoped to cluster ${clusterName ?? ''}`.trimEnd(),
  };
  return `Unauthorized 401: ${reasons[reason] ?? 'must authenticate'}`;
}
