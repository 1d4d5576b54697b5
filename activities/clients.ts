/** Rancher clients for the activities: one per connection, rebuilt when its settings change. */
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { RancherClient } from '../src/rancher/client.js';
import type { ConnectionRecord, ConnectionSource } from '../src/connections/source.js';

/** Collaborators of the activities, so tests and the demo can pass their own. */
export interface ActivityDependencies {
  connections: ConnectionSource;
  /** Timeout of one HTTP request to Rancher, in milliseconds. */
  requestTimeoutMs?: number;
  /** DNS resolver for Rancher requests; tests inject one to simulate a lookup failure. */
  lookup?: LookupFunction;
  /** Approval policy file; when absent, RANCHER_WORKFLOWS_POLICY_FILE is read on every load. */
  policyFile?: string;
}

function fingerprint(record: ConnectionRecord): string {
  return createHash('sha256').update(`${record.domain}\n${record.token}\n${record.caPem ?? ''}`).digest('hex');
}

/**
 * Returns a function that gives the current client of a connection. The connection is read
 * again on every call, so an edited token or domain takes effect without a worker restart.
 */
export function createClientPool(dependencies: ActivityDependencies): (connection: string) => Promise<RancherClient> {
  const clients = new Map<string, { fingerprint: string; client: RancherClient }>();

  return async function clientFor(connection: string): Promise<RancherClient> {
    const record = await dependencies.connections.get(connection);
    const current = fingerprint(record);
    const cached = clients.get(connection);
    if (cached?.fingerprint === current) return cached.client;

    if (cached) void cached.client.close().catch(() => undefined);
    const client = new RancherClient({
      domain: record.domain,
      token: record.token,
      ...(record.caPem ? { ca: record.caPem } : {}),
      ...(dependencies.requestTimeoutMs ? { timeoutMs: dependencies.requestTimeoutMs } : {}),
      ...(dependencies.lookup ? { lookup: dependencies.lookup } : {}),
    });
    clients.set(connection, { fingerprint: current, client });
    return client;
  };
}
