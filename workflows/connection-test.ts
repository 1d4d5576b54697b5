/**
 * The connection test: lists users with a page size of 1 and, for an ext token, reads the key's
 * expiry. A failure is returned as a named problem, not thrown, so that a caller can show the fix.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import { totalFromFirstPage } from '../src/rancher/resources.js';
import type { RancherActivities } from '../activities/index.js';
import type { ConnectionActivities } from '../activities/connections.js';
import { ConnectionTestInputSchema, parseInput, type ConnectionTestInput } from './inputs.js';

// One attempt: the test reports what is wrong now instead of retrying for minutes.
const { loadRancherCredentials, listRancherPage } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

const { diagnoseRancherConnection } = proxyActivities<ConnectionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

/**
 * Marks runs that test the connection in one activity. Runs started before it loaded the
 * credentials and listed users in two activities, and replay keeps that path for them.
 */
export const diagnoseInOneActivityPatch = 'connection-test-diagnose-in-one-activity';

export interface ConnectionProblem {
  /** A stable code such as `key-rejected`, `tls-untrusted`, `dns` or `config`; README.md lists them all. */
  code: string;
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  connection: string;
  domain: string;
  tokenHint: string;
  userCount?: number;
  expiresAt?: string;
  problem?: ConnectionProblem;
}

function problemFrom(error: unknown): ConnectionProblem {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (failure instanceof ApplicationFailure) {
    const details = failure.details?.[0] as { code?: string } | undefined;
    return { code: details?.code ?? failure.type ?? 'unknown', message: failure.message };
  }
  return { code: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

/** Checks that the connection reaches Rancher and that its API key may list users. */
export async function testRancherConnection(rawInput?: ConnectionTestInput): Promise<ConnectionTestResult> {
  const input = parseInput(ConnectionTestInputSchema, rawInput, 'testRancherConnection');

  if (patched(diagnoseInOneActivityPatch)) {
    return diagnoseRancherConnection({ connection: input.connection });
  }

  let descriptor;
  try {
    descriptor = await loadRancherCredentials({ connection: input.connection });
  } catch (error) {
    return { ok: false, connection: input.connection, domain: '', tokenHint: '', problem: problemFrom(error) };
  }

  const base = {
    connection: input.connection,
    domain: descriptor.domain,
    tokenHint: descriptor.tokenHint,
    ...(descriptor.expiresAt ? { expiresAt: descriptor.expiresAt } : {}),
  };
  try {
    const page = await listRancherPage({ connection: input.connection, resource: 'users', limit: 1 });
    const userCount = totalFromFirstPage(page);
    return { ok: true, ...base, ...(userCount !== undefined ? { userCount } : {}) };
  } catch (error) {
    return { ok: false, ...base, problem: problemFrom(error) };
  }
}
