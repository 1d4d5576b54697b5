/** Builds a fresh worker and client against the shared dev server, one per test file or test. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry, type Worker } from '@temporalio/worker';
import type { ActivityDependencies } from '../../activities/index.js';
import { createRancherWorker } from '../../src/worker.js';
import { approvalStateQuery, type ApprovalState } from '../../workflows/approval.js';

/** Every log entry the worker runtime emitted in this test process, for checks that nothing leaks. */
export const workerLogs: LogEntry[] = [];
let runtimeInstalled = false;

/** Routes the worker runtime's logs into {@link workerLogs}; call before any worker exists. */
export function captureWorkerLogs(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => workerLogs.push(entry)) });
  runtimeInstalled = true;
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  /** Runs `fn` while a new worker polls the task queue; a Temporal worker runs only once. */
  runUntil<T>(fn: () => Promise<T>): Promise<T>;
  /** Creates a worker without running it, for tests that stop and restart workers. */
  createWorker(): Promise<Worker>;
  close(): Promise<void>;
}

/** Connects a client and prepares workers on a fresh task queue with the given activity dependencies. */
export async function startTestWorker(dependencies: ActivityDependencies): Promise<TestWorker> {
  captureWorkerLogs();
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const createWorker = () =>
    createRancherWorker({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { code: inject('workflowCode') },
      ...dependencies,
    });
  return {
    client,
    taskQueue,
    createWorker,
    async runUntil(fn) {
      const worker = await createWorker();
      return worker.runUntil(fn);
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Returns a unique workflow id in the project's `rancher/<connection>/<kind>/<random>` form. */
export function testWorkflowId(kind: string, connection = 'default'): string {
  return `rancher/${connection}/${kind}/${randomUUID()}`;
}

/**
 * Collects every string in a value, decoding byte arrays (payload data) as UTF-8, so a test can
 * search a whole workflow history for a secret.
 */
export function collectStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectStrings(item, into);
  return into;
}

/** Polls the `approvalState` query until `predicate` holds; a worker must be running. */
export async function waitForApprovalState(handle: WorkflowHandle, predicate: (state: ApprovalState) => boolean): Promise<ApprovalState> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const state = await handle.query(approvalStateQuery).catch(() => undefined);
    if (state && predicate(state)) return state;
    await sleep(100);
  }
  throw new Error('approvalState did not reach the expected state within 10 s');
}
