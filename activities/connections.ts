/**
 * Activities of the connection test and the connection watch. The test reads the token inside
 * the worker and returns only the diagnosis: domain, last four characters, expiry and problem.
 */
import type { LookupFunction } from 'node:net';
import { log } from '@temporalio/activity';
import { diagnoseConnection, problemFromError, type ConnectionDiagnosis } from '../src/connections/diagnose.js';
import type { ConnectionSource, ConnectionSummary } from '../src/connections/source.js';

/** Collaborators of the connection activities. */
export interface ConnectionActivityDependencies {
  connections: ConnectionSource;
  /** Timeout of one HTTP request to Rancher, in milliseconds. */
  requestTimeoutMs?: number;
  /** DNS resolver for Rancher requests; tests inject one to simulate a lookup failure. */
  lookup?: LookupFunction;
}

/** Input of {@link createConnectionActivities}' `diagnoseRancherConnection`. */
export interface DiagnoseConnectionInput {
  connection: string;
}

/** A connection test result as it travels through workflow history. */
export type ConnectionTestOutcome = ConnectionDiagnosis & { connection: string };

/** Builds the connection activities around their collaborators. */
export function createConnectionActivities(dependencies: ConnectionActivityDependencies) {
  return {
    /**
     * Runs the connection test for one connection. A failed test is a result with a problem, not
     * an error, so the workflow needs no retry and the problem code is the diagnosis code.
     */
    async diagnoseRancherConnection(input: DiagnoseConnectionInput): Promise<ConnectionTestOutcome> {
      const { connection } = input;
      let outcome: ConnectionTestOutcome;
      try {
        const record = await dependencies.connections.get(connection);
        const diagnosis = await diagnoseConnection({
          domain: record.domain,
          token: record.token,
          connection,
          ...(record.caPem ? { caPem: record.caPem } : {}),
          ...(record.expiresAt ? { knownExpiresAt: record.expiresAt } : {}),
          ...(dependencies.requestTimeoutMs ? { timeoutMs: dependencies.requestTimeoutMs } : {}),
          ...(dependencies.lookup ? { lookup: dependencies.lookup } : {}),
        });
        outcome = { connection, ...diagnosis };
      } catch (error) {
        // Only loading the connection throws here; diagnoseConnection returns its problems.
        outcome = { connection, ok: false, domain: '', tokenHint: '', problem: problemFromError(error, { domain: '', token: '', connection }) };
      }

      if (outcome.ok) {
        log.info('Rancher connection test passed', { connection, domain: outcome.domain, userCount: outcome.userCount, expiresAt: outcome.expiresAt });
      } else {
        log.warn('Rancher connection test failed', { connection, domain: outcome.domain, problem: outcome.problem?.code, error: outcome.problem?.message });
      }
      return outcome;
    },

    /** Returns the id and domain of every configured connection. */
    async listRancherConnections(): Promise<ConnectionSummary[]> {
      if (!dependencies.connections.list) return [{ id: 'default', domain: '' }];

      const connections = await dependencies.connections.list();
      log.info('Listed Rancher connections', { count: connections.length });
      return connections;
    },
  };
}

export type ConnectionActivities = ReturnType<typeof createConnectionActivities>;
