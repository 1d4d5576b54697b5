/** `users` and `global-roles`: start a list workflow, wait for it, print a table or JSON. */
import type { Command } from 'commander';
import type { listGlobalRoles, listRancherUsers } from '../../../workflows/index.js';
import type { ListResult } from '../../../workflows/lists.js';
import type { GlobalRoleSummary, UserSummary } from '../../rancher/resources.js';
import { connectClient, webUiLink, workflowId } from '../../temporal/client.js';
import { taskQueueFromEnv } from '../../worker.js';
import { connectionOption, integerOption } from '../options.js';
import { describeFailure, formatTable, printJson } from '../output.js';

interface ListFlags {
  connection: string;
  pageSize?: number;
  maxItems?: number;
  labelSelector?: string;
  json?: boolean;
}

type ListWorkflow = typeof listRancherUsers | typeof listGlobalRoles;

/** Returns the Web UI base address from RANCHER_WORKFLOWS_WEB_UI_URL, or the dev server's. */
export function webUiBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.RANCHER_WORKFLOWS_WEB_UI_URL?.trim() || 'http://localhost:8233';
}

async function runList<Item>(workflowType: string, kind: string, flags: ListFlags, render: (items: Item[]) => string): Promise<void> {
  const client = await connectClient();
  try {
    const id = workflowId(flags.connection, kind);
    const handle = await client.workflow.start<ListWorkflow>(workflowType, {
      taskQueue: taskQueueFromEnv(),
      workflowId: id,
      args: [
        {
          connection: flags.connection,
          ...(flags.pageSize ? { pageSize: flags.pageSize } : {}),
          ...(flags.maxItems ? { maxItems: flags.maxItems } : {}),
          ...(flags.labelSelector ? { labelSelector: flags.labelSelector } : {}),
        },
      ],
    });
    const result = (await handle.result()) as ListResult<Item>;
    if (flags.json) {
      printJson({ workflowId: id, ...result });
      return;
    }
    console.log(render(result.items));
    const more = result.truncated ? ' (cut at --max-items; more exist)' : '';
    console.log(`\n${result.count} ${kind}${more} from connection "${result.connection}".`);
    console.log(`Workflow: ${webUiLink(webUiBase(), client.options.namespace, id, handle.firstExecutionRunId)}`);
  } catch (error) {
    process.exitCode = 1;
    console.error(`Listing ${kind} failed: ${describeFailure(error)}`);
  } finally {
    await client.connection.close();
  }
}

function addListOptions(command: Command): Command {
  return command
    .option('--connection <id>', 'Rancher connection to use', connectionOption, 'default')
    .option('--page-size <n>', 'items per Rancher request (1-500)', integerOption('--page-size', 1, 500))
    .option('--max-items <n>', 'stop after this many items (1-5000)', integerOption('--max-items', 1, 5000))
    .option('--label-selector <selector>', 'Kubernetes label selector, for example cattle.io/creator=norman')
    .option('--json', 'print the workflow result as JSON');
}

/** Renders users as a table. */
export function renderUsers(users: UserSummary[]): string {
  return formatTable(
    ['ID', 'USERNAME', 'DISPLAY NAME', 'ENABLED', 'PRINCIPAL'],
    users.map((user) => [user.id, user.username ?? '', user.displayName ?? '', user.enabled ? 'yes' : 'no', user.principalIds[0] ?? '']),
  );
}

/** Renders global roles as a table. */
export function renderGlobalRoles(roles: GlobalRoleSummary[]): string {
  return formatTable(
    ['ID', 'DISPLAY NAME', 'BUILTIN', 'NEW USER DEFAULT'],
    roles.map((role) => [role.id, role.displayName ?? '', role.builtin ? 'yes' : 'no', role.newUserDefault ? 'yes' : 'no']),
  );
}

export function registerListCommands(program: Command): void {
  addListOptions(program.command('users').description('List Rancher users through the listRancherUsers workflow')).action((flags: ListFlags) =>
    runList<UserSummary>('listRancherUsers', 'users', flags, renderUsers),
  );
  addListOptions(program.command('global-roles').description('List Rancher global roles through the listGlobalRoles workflow')).action((flags: ListFlags) =>
    runList<GlobalRoleSummary>('listGlobalRoles', 'global-roles', flags, renderGlobalRoles),
  );
}
