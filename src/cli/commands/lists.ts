/**
 * `users`, `global-roles`, `bindings`, `projects` and `role-templates`: start a list workflow,
 * wait for it, print a table or JSON.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { listGlobalRoleBindings, listGlobalRoles, listProjects, listRancherUsers, listRoleTemplates } from '../../../workflows/index.js';
import type { ListResult } from '../../../workflows/lists.js';
import { isKubernetesName } from '../../rancher/catalog.js';
import type { GlobalRoleBindingSummary, GlobalRoleSummary, ProjectSummary, RoleTemplateSummary, UserSummary } from '../../rancher/resources.js';
import { connectClient, webUiLink, workflowId } from '../../temporal/client.js';
import { taskQueueFromEnv } from '../../worker.js';
import { connectionOption, integerOption } from '../options.js';
import { describeFailure, formatTable, printJson } from '../output.js';

interface ListFlags {
  connection: string;
  pageSize?: number;
  maxItems?: number;
  labelSelector?: string;
  cluster?: string;
  context?: 'cluster' | 'project';
  json?: boolean;
}

type ListWorkflow = typeof listRancherUsers | typeof listGlobalRoles | typeof listGlobalRoleBindings | typeof listProjects | typeof listRoleTemplates;

/** Returns the Web UI base address from RANCHER_WORKFLOWS_WEB_UI_URL, or the dev server's. */
export function webUiBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.RANCHER_WORKFLOWS_WEB_UI_URL?.trim() || 'http://localhost:8233';
}

/** Starts one list workflow and waits for its result. */
async function executeList<Item>(client: Client, workflowType: string, kind: string, flags: ListFlags) {
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
        ...(flags.cluster ? { cluster: flags.cluster } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      },
    ],
  });
  return { id, handle, result: (await handle.result()) as ListResult<Item> };
}

async function runList<Item>(workflowType: string, kind: string, flags: ListFlags, render: (items: Item[]) => string): Promise<void> {
  const client = await connectClient();
  try {
    const { id, handle, result } = await executeList<Item>(client, workflowType, kind, flags);
    if (flags.json) {
      printJson({ workflowId: id, ...result });
      return;
    }
    console.log(render(result.items));
    const more = result.truncated ? ' (cut at --max-items; more exist)' : '';
    console.log(`\n${result.count} ${kind.replaceAll('-', ' ')}${more} from connection "${result.connection}".`);
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

/** Renders global role bindings as a table, with the display names of users and roles where known. */
export function renderBindings(bindings: GlobalRoleBindingSummary[], users: UserSummary[] = [], roles: GlobalRoleSummary[] = []): string {
  const userNames = new Map(users.map((user) => [user.id, user.displayName ?? user.username]));
  const roleNames = new Map(roles.map((role) => [role.id, role.displayName]));
  const withName = (id: string, name: string | undefined) => (name ? `${id} (${name})` : id);
  return formatTable(
    ['NAME', 'USER', 'ROLE'],
    bindings.map((binding) => {
      const subject = binding.userName ? withName(binding.userName, userNames.get(binding.userName)) : (binding.userPrincipalName ?? binding.groupPrincipalName ?? '');
      return [binding.id, subject, withName(binding.globalRoleName, roleNames.get(binding.globalRoleName))];
    }),
  );
}

/** Renders projects as a table. */
export function renderProjects(projects: ProjectSummary[]): string {
  return formatTable(
    ['CLUSTER', 'ID', 'DISPLAY NAME', 'BACKING NAMESPACE'],
    projects.map((project) => [project.cluster, project.id, project.displayName, project.backingNamespace ?? '']),
  );
}

/** Renders role templates as a table. */
export function renderRoleTemplates(templates: RoleTemplateSummary[]): string {
  const yes = (flag: boolean) => (flag ? 'yes' : 'no');
  return formatTable(
    ['ID', 'DISPLAY NAME', 'CONTEXT', 'BUILTIN', 'LOCKED', 'HIDDEN', 'EXTERNAL'],
    templates.map((template) => [template.id, template.displayName, template.context, yes(template.builtin), yes(template.locked), yes(template.hidden), yes(template.external)]),
  );
}

/** Parses `--cluster`: a cluster id is a Kubernetes name such as `c-m-x2k9q` or `local`. */
export function clusterOption(value: string): string {
  if (!isKubernetesName(value)) {
    throw new InvalidArgumentError(`--cluster must be a cluster id such as c-m-x2k9q or local (lowercase letters, digits, '-' and '.'), got "${value}".`);
  }
  return value;
}

/** Parses `--context`: `cluster` or `project`. */
export function contextOption(value: string): 'cluster' | 'project' {
  if (value !== 'cluster' && value !== 'project') throw new InvalidArgumentError(`--context must be "cluster" or "project", got "${value}".`);
  return value;
}

/**
 * Lists global role bindings, and users and global roles alongside in two more list workflows,
 * to show display names. A user or role beyond those lists' `--max-items` shows its id only.
 */
async function runBindings(flags: ListFlags): Promise<void> {
  const client = await connectClient();
  try {
    const [bindings, users, roles] = await Promise.all([
      executeList<GlobalRoleBindingSummary>(client, 'listGlobalRoleBindings', 'bindings', flags),
      executeList<UserSummary>(client, 'listRancherUsers', 'users', { connection: flags.connection }),
      executeList<GlobalRoleSummary>(client, 'listGlobalRoles', 'global-roles', { connection: flags.connection }),
    ]);
    if (flags.json) {
      printJson({ workflowId: bindings.id, ...bindings.result });
      return;
    }
    console.log(renderBindings(bindings.result.items, users.result.items, roles.result.items));
    const more = bindings.result.truncated ? ' (cut at --max-items; more exist)' : '';
    console.log(`\n${bindings.result.count} bindings${more} from connection "${bindings.result.connection}".`);
    console.log(`Workflow: ${webUiLink(webUiBase(), client.options.namespace, bindings.id, bindings.handle.firstExecutionRunId)}`);
  } catch (error) {
    process.exitCode = 1;
    console.error(`Listing bindings failed: ${describeFailure(error)}`);
  } finally {
    await client.connection.close();
  }
}

export function registerListCommands(program: Command): void {
  addListOptions(program.command('users').description('List Rancher users through the listRancherUsers workflow')).action((flags: ListFlags) =>
    runList<UserSummary>('listRancherUsers', 'users', flags, renderUsers),
  );
  addListOptions(program.command('global-roles').description('List Rancher global roles through the listGlobalRoles workflow')).action((flags: ListFlags) =>
    runList<GlobalRoleSummary>('listGlobalRoles', 'global-roles', flags, renderGlobalRoles),
  );
  addListOptions(
    program.command('bindings').description('List global role bindings through the listGlobalRoleBindings workflow, with user and role display names'),
  ).action((flags: ListFlags) => runBindings(flags));
  addListOptions(program.command('projects').description('List projects of every cluster, or of one, through the listProjects workflow'))
    .option('--cluster <id>', 'list the projects of this cluster only (a cluster id such as c-m-x2k9q or local)', clusterOption)
    .action((flags: ListFlags) => runList<ProjectSummary>('listProjects', 'projects', flags, renderProjects));
  addListOptions(program.command('role-templates').description('List role templates through the listRoleTemplates workflow'))
    .option('--context <context>', 'list only role templates of this context: cluster or project', contextOption)
    .action((flags: ListFlags) => runList<RoleTemplateSummary>('listRoleTemplates', 'role-templates', flags, renderRoleTemplates));
}
