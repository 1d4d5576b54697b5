/**
 * The connection watch: tests every connection and logs a warning when an API key expires within
 * 14, 7 or 1 days, and an error when it has expired or the test fails. The schedule
 * `rancher-workflows/connection-watch` (`rancher-workflows connection watch --every 6h`) starts it.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { ConnectionActivities, ConnectionTestOutcome } from '../activities/connections.js';
import { workflowNow } from './clock.js';

const { listRancherConnections, diagnoseRancherConnection } = proxyActivities<ConnectionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

/** Days before expiry at which the watch warns, largest first. */
export const expiryWarningDays = [14, 7, 1] as const;

const dayMs = 24 * 60 * 60 * 1000;

/** Watch result for one connection. */
export interface WatchedConnection {
  connection: string;
  domain: string;
  /** `ok`, `expiring` (within 14 days), `expired` or `failed` (another problem). */
  state: 'ok' | 'expiring' | 'expired' | 'failed';
  expiresAt?: string;
  /** Whole days left until expiry, rounded down. */
  daysLeft?: number;
  /** The warning level reached: 14, 7 or 1. */
  threshold?: number;
  problem?: string;
}

export interface ConnectionWatchResult {
  connections: WatchedConnection[];
}

export interface ConnectionWatchInput {
  /**
   * Time between scheduled runs, in milliseconds. With it, a run warns only when a key crossed
   * a warning level since the previous run, so each level is logged once. Without it, every
   * run warns while a key is within a level.
   */
  everyMs?: number;
}

/** Returns true when the warning level `days` was crossed within the last `everyMs`. */
function crossedSince(remainingMs: number, days: number, everyMs: number): boolean {
  return remainingMs <= days * dayMs && remainingMs + everyMs > days * dayMs;
}

function assess(outcome: ConnectionTestOutcome, nowMs: number): WatchedConnection {
  const base = { connection: outcome.connection, domain: outcome.domain, ...(outcome.expiresAt ? { expiresAt: outcome.expiresAt } : {}) };
  if (!outcome.ok) {
    const state = outcome.problem?.code === 'key-expired' ? 'expired' : 'failed';
    return { ...base, state, problem: outcome.problem?.code ?? 'unknown' };
  }
  if (!outcome.expiresAt) return { ...base, state: 'ok' };

  const remainingMs = Date.parse(outcome.expiresAt) - nowMs;
  if (Number.isNaN(remainingMs)) return { ...base, state: 'ok' };
  if (remainingMs <= 0) return { ...base, state: 'expired', daysLeft: 0 };

  const daysLeft = Math.floor(remainingMs / dayMs);
  const reached = expiryWarningDays.filter((days) => remainingMs <= days * dayMs);
  const threshold = reached[reached.length - 1];
  return threshold === undefined ? { ...base, state: 'ok', daysLeft } : { ...base, state: 'expiring', daysLeft, threshold };
}

/**
 * Tests every connection once and logs a warning when a key reached a warning level (14, 7 or
 * 1 days before expiry), and an error for an expired key or a failed test on every run.
 */
export async function watchRancherConnections(input: ConnectionWatchInput = {}): Promise<ConnectionWatchResult> {
  const everyMs = typeof input?.everyMs === 'number' && input.everyMs > 0 ? input.everyMs : undefined;
  const summaries = await listRancherConnections();
  const connections: WatchedConnection[] = [];

  for (const summary of summaries) {
    const outcome = await diagnoseRancherConnection({ connection: summary.id });
    const nowMs = workflowNow().getTime();
    const watched = assess(outcome, nowMs);
    connections.push(watched);

    const meta = { connection: watched.connection, domain: watched.domain, expiresAt: watched.expiresAt, daysLeft: watched.daysLeft };
    const remainingMs = watched.expiresAt ? Date.parse(watched.expiresAt) - nowMs : Number.NaN;
    const dueWarning = watched.state === 'expiring' && (everyMs === undefined || expiryWarningDays.some((days) => crossedSince(remainingMs, days, everyMs)));
    if (dueWarning) {
      log.warn('Rancher API key expires soon', { ...meta, thresholdDays: watched.threshold });
    } else if (watched.state === 'expired') {
      log.error('Rancher API key has expired', { ...meta, problem: watched.problem, error: outcome.problem?.message });
    } else if (watched.state === 'failed') {
      log.error('Rancher connection test failed', { ...meta, problem: watched.problem, error: outcome.problem?.message });
    }
  }

  log.info('Watched Rancher connections', { count: connections.length, problems: connections.filter((item) => item.state !== 'ok').length });
  return { connections };
}
