/** The Temporal client used by the command line, configured from Temporal's own environment variables. */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

/**
 * Connects a Temporal client with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_* or TEMPORAL_PROFILE. Throws with the address and the fix when the server cannot be reached.
 */
export async function connectClient(): Promise<Client> {
  const config = loadClientConnectConfig();
  const address = config.connectionOptions.address ?? 'localhost:7233';
  try {
    const connection = await Connection.connect(config.connectionOptions);
    return new Client({ connection, namespace: config.namespace ?? 'default' });
  } catch (error) {
    throw new Error(
      `Could not connect to the Temporal server at ${address}: ${(error as Error).message}. ` +
        'Start one (`temporal server start-dev`, or `npm run demo -- --keep`) or set TEMPORAL_ADDRESS.',
      { cause: error },
    );
  }
}

/** Returns a workflow id of the form `rancher/<connection>/<kind>/<random>`. */
export function workflowId(connection: string, kind: string): string {
  return `rancher/${connection}/${kind}/${Math.random().toString(36).slice(2, 10)}`;
}

/** Returns the Web UI address of a workflow run. */
export function webUiLink(base: string, namespace: string, workflowId: string, runId?: string): string {
  const path = `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${path}/${encodeURIComponent(runId)}/history` : path;
}
