/** `worker`: run the Rancher workflows and activities until SIGINT or SIGTERM. */
import type { Command } from 'commander';
import { connectionFromEnv } from '../../connections/source.js';
import { workerConnectionSource } from '../../connections/store.js';
import { connectWorkerToTemporal, createRancherWorker, taskQueueFromEnv } from '../../worker.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run the worker that executes the Rancher workflows (stops on Ctrl+C)')
    .option('--task-queue <name>', 'task queue to poll (default: RANCHER_WORKFLOWS_TASK_QUEUE or "rancher")')
    .action(async (flags: { taskQueue?: string }) => {
      // Say at start-up when connection "default" is incomplete, so the first workflow does not have to.
      if (process.env.RANCHER_DOMAIN) {
        await connectionFromEnv().catch((error: Error) => console.error(`Warning: connection "default" is not usable yet. ${error.message}`));
      }

      const { connection, namespace } = await connectWorkerToTemporal();
      const taskQueue = flags.taskQueue ?? taskQueueFromEnv();
      const worker = await createRancherWorker({ connection, namespace, taskQueue, connections: workerConnectionSource() });
      console.error(`Worker polling task queue "${taskQueue}" in namespace "${namespace}". Press Ctrl+C to stop.`);
      try {
        await worker.run();
      } finally {
        await connection.close();
      }
    });
}
