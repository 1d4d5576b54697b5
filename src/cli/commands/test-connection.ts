/** `test-connection`: run testRancherConnection and print the result or the named problem. */
import type { Command } from 'commander';
import type { testRancherConnection } from '../../../workflows/index.js';
import { connectClient, workflowId } from '../../temporal/client.js';
import { taskQueueFromEnv } from '../../worker.js';
import { connectionOption } from '../options.js';
import { describeFailure, printJson } from '../output.js';

/** Prints a connection test result in one or two lines. */
export function formatConnectionTest(result: Awaited<ReturnType<typeof testRancherConnection>>): string {
  if (result.ok) {
    const users = result.userCount !== undefined ? `; the key can list users (${result.userCount} in all)` : '; the key can list users';
    const expiry = result.expiresAt ? `; the key expires at ${result.expiresAt}` : '';
    return `Connection "${result.connection}" to ${result.domain} works (key …${result.tokenHint})${users}${expiry}.`;
  }
  const where = result.domain ? ` to ${result.domain}` : '';
  return `Connection "${result.connection}"${where} failed [${result.problem?.code ?? 'unknown'}]: ${result.problem?.message ?? 'no details'}`;
}

export function registerTestConnectionCommand(program: Command): void {
  program
    .command('test-connection')
    .description('Check that a Rancher connection works: reach the server and list one user')
    .option('--connection <id>', 'Rancher connection to test', connectionOption, 'default')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { connection: string; json?: boolean }) => {
      const client = await connectClient();
      try {
        const handle = await client.workflow.start<typeof testRancherConnection>('testRancherConnection', {
          taskQueue: taskQueueFromEnv(),
          workflowId: workflowId(flags.connection, 'test-connection'),
          args: [{ connection: flags.connection }],
        });
        const result = await handle.result();
        if (flags.json) printJson(result);
        else console.log(formatConnectionTest(result));
        if (!result.ok) process.exitCode = 1;
      } catch (error) {
        process.exitCode = 1;
        console.error(`The connection test did not run: ${describeFailure(error)}`);
      } finally {
        await client.connection.close();
      }
    });
}
