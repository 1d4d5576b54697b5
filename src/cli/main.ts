#!/usr/bin/env node
/** The `rancher-workflows` command line. */
import { Command } from 'commander';
import { registerApprovalCommands } from './commands/approvals.js';
import { registerConnectionCommands } from './commands/connection.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerListCommands } from './commands/lists.js';
import { registerRequestCommand } from './commands/request.js';
import { registerSimulatorCommand } from './commands/simulator.js';
import { registerTestConnectionCommand } from './commands/test-connection.js';
import { registerWorkerCommand } from './commands/worker.js';

const program = new Command()
  .name('rancher-workflows')
  .description('Temporal workflows for access management on Rancher servers')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Configuration:
  RANCHER_DOMAIN, RANCHER_TOKEN or RANCHER_TOKEN_FILE, RANCHER_CA_FILE   connection "default" (read by the worker)
  RANCHER_CONNECTIONS_FILE   further connections, managed by "connection add|edit|remove" (default ~/.config/rancher-workflows/connections.json)
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE   Temporal server (default localhost:7233)
  RANCHER_WORKFLOWS_TASK_QUEUE   task queue (default "rancher")`,
  );

registerWorkerCommand(program);
registerSimulatorCommand(program);
registerDemoCommand(program);
registerListCommands(program);
registerRequestCommand(program);
registerTestConnectionCommand(program);
registerApprovalCommands(program);
registerConnectionCommands(program);

try {
  await program.parseAsync();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
