/**
 * The worker: runs the workflows and activities on the `rancher` task queue.
 * `rancher-workflows worker` starts it; tests and the demo call {@link createRancherWorker}.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createActivities, type ActivityDependencies } from '../activities/index.js';

export const DEFAULT_TASK_QUEUE = 'rancher';

/** Returns the task queue from RANCHER_WORKFLOWS_TASK_QUEUE, or `rancher`. */
export function taskQueueFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.RANCHER_WORKFLOWS_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
}

/** Returns the workflow entry module: compiled JavaScript after `npm run build`, TypeScript when run from source. */
export function workflowsPath(): string {
  const compiled = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(compiled) ? compiled : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

export interface RancherWorkerOptions extends ActivityDependencies {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Pre-bundled workflow code; tests bundle once and share it. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates a worker for the Rancher workflows. Throws when the Temporal server cannot be reached. */
export async function createRancherWorker(options: RancherWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, workflowBundle, ...dependencies } = options;
  // Bundling logs every webpack step at INFO; only its warnings and errors matter to an operator.
  const bundle = workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') }));
  return Worker.create({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: bundle,
    activities: createActivities(dependencies),
  });
}

/**
 * Connects to Temporal with its environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE) and returns the connection and namespace.
 */
export async function connectWorkerToTemporal(): Promise<{ connection: NativeConnection; namespace: string }> {
  const config = loadClientConnectConfig();
  const connection = await NativeConnection.connect(config.connectionOptions);
  return { connection, namespace: config.namespace ?? 'default' };
}
