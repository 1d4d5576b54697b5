/**
 * `demo`: the whole product on one machine. Starts a Temporal dev server, the Rancher simulator
 * and a worker, runs the connection test, the user list and one approved grant, prints them with
 * their Web UI links, then stops everything it started (unless --keep).
 */
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../../temporal/ensure-cli.js';
import { approveSignal, type listRancherUsers, type testRancherConnection } from '../../../workflows/index.js';
import { startGrant } from '../../temporal/requests.js';
import { layeredConnectionSource, staticConnectionSource } from '../../connections/source.js';
import { workerConnectionSource } from '../../connections/store.js';
import { startSimulator } from '../../simulator/index.js';
import { startDevServer } from '../../temporal/dev-server.js';
import { webUiLink, workflowId } from '../../temporal/client.js';
import { createRancherWorker, DEFAULT_TASK_QUEUE } from '../../worker.js';
import { integerOption } from '../options.js';
import { describeFailure } from '../output.js';
import { renderUsers } from './lists.js';
import { formatConnectionTest } from './test-connection.js';
import { defaultSimulatorStateDir } from './simulator.js';

interface DemoFlags {
  keep?: boolean;
  users: number;
  temporalPort: number;
  uiPort: number;
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const say = (line: string) => console.log(line);
  const cleanups: (() => Promise<void>)[] = [];
  // The demo prints its own progress; the worker speaks up only for warnings and errors.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  try {
    say('1/5 Looking for the Temporal CLI...');
    const cliPath = await ensureTemporalCli({ log: say });

    say(`2/5 Starting the Temporal dev server on 127.0.0.1:${flags.temporalPort} (Web UI on port ${flags.uiPort})...`);
    const devServer = await startDevServer({ cliPath, port: flags.temporalPort, uiPort: flags.uiPort });
    cleanups.unshift(() => devServer.stop());

    say(`3/5 Starting the Rancher simulator with ${flags.users} users...`);
    const simulator = await startSimulator({ port: 0, users: flags.users, stateDir: defaultSimulatorStateDir() });
    cleanups.unshift(() => simulator.close());
    say(`    Simulated Rancher at https://${simulator.domain} (CA: ${simulator.caFile})`);

    say(`4/5 Starting a worker on task queue "${DEFAULT_TASK_QUEUE}"...`);
    const workerConnection = await NativeConnection.connect({ address: devServer.address });
    cleanups.unshift(() => workerConnection.close());
    const worker = await createRancherWorker({
      connection: workerConnection,
      // Connection "default" is the simulator; saved connections (`connection add`) work too.
      connections: layeredConnectionSource(
        staticConnectionSource([{ id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem }]),
        workerConnectionSource(),
      ),
    });
    const clientConnection = await Connection.connect({ address: devServer.address });
    cleanups.unshift(() => clientConnection.close());
    const client = new Client({ connection: clientConnection });

    const workerRun = worker.run();
    try {
      say('5/5 Running the workflows...\n');
      const testId = workflowId('default', 'test-connection');
      const testHandle = await client.workflow.start<typeof testRancherConnection>('testRancherConnection', {
        taskQueue: DEFAULT_TASK_QUEUE,
        workflowId: testId,
        args: [{ connection: 'default' }],
      });
      const test = await testHandle.result();
      say(`testRancherConnection: ${formatConnectionTest(test)}`);
      say(`  ${webUiLink(devServer.uiUrl, 'default', testId, testHandle.firstExecutionRunId)}\n`);
      if (!test.ok) throw new Error('the connection test failed');

      const listId = workflowId('default', 'users');
      const listHandle = await client.workflow.start<typeof listRancherUsers>('listRancherUsers', {
        taskQueue: DEFAULT_TASK_QUEUE,
        workflowId: listId,
        args: [{ connection: 'default', pageSize: 10 }],
      });
      const users = await listHandle.result();
      say(`listRancherUsers: ${users.count} users in ${Math.ceil(users.count / 10)} pages`);
      say(`  ${webUiLink(devServer.uiUrl, 'default', listId, listHandle.firstExecutionRunId)}\n`);
      say(renderUsers(users.items));

      const grantee = users.items.find((user) => user.id.startsWith('u-') && user.username);
      if (grantee) {
        say(`\ncreateGlobalRoleBinding: alice asks for global role restricted-admin for ${grantee.displayName ?? grantee.id} (${grantee.id})`);
        const grant = await startGrant(client, DEFAULT_TASK_QUEUE, {
          userName: grantee.id,
          globalRoleName: 'restricted-admin',
          requestedBy: 'alice',
          reason: 'demo: cover the on-call rotation',
        });
        say(`  ${webUiLink(devServer.uiUrl, 'default', grant.workflowId, grant.signaledRunId)}`);
        await grant.signal(approveSignal, { approver: 'alice' });
        await grant.signal(approveSignal, { approver: 'bob', comment: 'approved for the demo' });
        const granted = await grant.result();
        for (const refused of granted.approval.refusedDecisions) say(`  ${refused.by} tried to approve: refused, ${refused.why}`);
        say(`  ${granted.approval.decision?.by ?? 'nobody'} approved; outcome: ${granted.outcome}, binding ${granted.bindingName ?? '(none)'}`);
      }

      if (flags.keep) {
        say(`\nEverything keeps running. Web UI: ${devServer.uiUrl}`);
        say(`In another terminal: TEMPORAL_ADDRESS=${devServer.address} npx rancher-workflows users`);
        say('Press Ctrl+C to stop.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      }
    } finally {
      // Ctrl+C already started the shutdown through the SDK's own signal handler.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    }
    say('\nDemo finished; stopped the worker, the simulator and the dev server.');
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole product locally: Temporal dev server, Rancher simulator, worker, connection test and user list')
    .option('--keep', 'leave the dev server, simulator and worker running until Ctrl+C')
    .option('--users <n>', 'number of simulated users', integerOption('--users', 1, 5000), 25)
    .option('--temporal-port <port>', 'gRPC port of the dev server', integerOption('--temporal-port', 1, 65535), 7233)
    .option('--ui-port <port>', 'Web UI port of the dev server', integerOption('--ui-port', 1, 65535), 8233)
    .action(async (flags: DemoFlags) => {
      try {
        await runDemo(flags);
      } catch (error) {
        process.exitCode = 1;
        console.error(`Demo failed: ${describeFailure(error)}`);
      }
    });
}
