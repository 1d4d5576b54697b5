/**
 * Faults the simulator can inject so that clients meet the failures of real installations:
 * latency, 5xx answers, a server that is not Rancher, explained 401s and enforced RBAC.
 * Tests change the settings of a running simulator through `RunningSimulator.faults`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AuthenticationFailure } from './auth.js';

/** Fault settings; a running simulator reads them on every request. */
export interface SimulatorFaults {
  /** Delay before every response, in milliseconds. Default 0. */
  latencyMs: number;
  /** Answer every request with this 5xx status and a `Status` body, as an overloaded Rancher does. */
  serverErrorStatus: number | undefined;
  /**
   * Answer every request as a server that is not Rancher's API: `html` sends a login page,
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
}

/** Returns fault settings with every fault off, overridden by `settings`. */
export function createFaults(settings: Partial<SimulatorFaults> = {}): SimulatorFaults {
  return { latencyMs: 0, serverErrorStatus: undefined, foreignResponse: undefined, explainUnauthorized: false, enforceRbac: false, ...settings };
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
