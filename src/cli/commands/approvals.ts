/**
 * Commands for requests that need approval: `grant`, `delete-binding`, `approve`, `reject`,
 * `revoke`, `pending` and `status`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ApprovalState } from '../../../workflows/approval.js';
import { approvalStateQuery, approveSignal, rejectSignal, revokeSignal } from '../../../workflows/index.js';
import { connectClient, webUiLink } from '../../temporal/client.js';
import { startDeleteBinding, startGrant } from '../../temporal/requests.js';
import { taskQueueFromEnv } from '../../worker.js';
import { connectionOption } from '../options.js';
import { describeFailure, formatTable, printJson } from '../output.js';
import { webUiBase } from './lists.js';

const GATED_TYPES = ['createGlobalRoleBinding', 'deleteGlobalRoleBinding', 'rancherApiRequest'];

async function withClient(action: (client: Client) => Promise<void>): Promise<void> {
  const client = await connectClient();
  try {
    await action(client);
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof WorkflowNotFoundError) console.error(`No workflow with id "${error.workflowId}" exists. List waiting requests with \`rancher-workflows pending\`.`);
    else console.error(describeFailure(error));
  } finally {
    await client.connection.close();
  }
}

/** Queries the approval state; returns undefined when no worker responds, because a query needs a running worker. */
async function queryState(handle: WorkflowHandle): Promise<ApprovalState | undefined> {
  try {
    return await handle.query(approvalStateQuery);
  } catch {
    return undefined;
  }
}

function formatAge(since: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** The fields of a gated workflow's result that the commands print. */
interface RequestResult {
  outcome: string;
  approval: ApprovalState;
  message?: string;
  bindingName?: string;
  grantedAt?: string;
  revocation?: { at: string; trigger: string; by?: string; reason?: string; result: string };
}

/** Renders a gated workflow's outcome, with the binding and the revocation when there is one. */
export function formatResult(result: RequestResult): string {
  const lines = [`Outcome: ${result.outcome}${result.message ? ` — ${result.message}` : ''}`];
  if (result.bindingName) lines.push(`  binding: ${result.bindingName}${result.grantedAt ? `, granted at ${result.grantedAt}` : ''}`);
  if (result.revocation) {
    const who = result.revocation.by ? ` by ${result.revocation.by}` : '';
    lines.push(`  removed at ${result.revocation.at} (${result.revocation.trigger}${who}${result.revocation.reason ? `: ${result.revocation.reason}` : ''}); delete result: ${result.revocation.result}`);
  }
  return lines.join('\n');
}

/** Renders an approval state as a few lines. */
export function formatApprovalState(state: ApprovalState): string {
  const lines = [state.summary, `  state: ${state.state}`, `  requested by ${state.requestedBy} at ${state.requestedAt}${state.reason ? `: ${state.reason}` : ''}`];
  if (state.alsoRequestedBy?.length) lines.push(`  also requested by ${state.alsoRequestedBy.join(', ')}`);
  if (state.state === 'pending' && state.expiresAt) lines.push(`  expires at ${state.expiresAt}`);
  if (state.decision) lines.push(`  ${state.decision.outcome} by ${state.decision.by} at ${state.decision.at}${state.decision.comment ? `: ${state.decision.comment}` : ''}`);
  for (const refused of state.refusedDecisions) lines.push(`  refused ${refused.signal} from ${refused.by || '(no name)'}: ${refused.why}`);
  return lines.join('\n');
}

/** Polls the approval state until the request waits for a decision or has moved past it. */
async function settledState(handle: WorkflowHandle): Promise<ApprovalState | undefined> {
  let state: ApprovalState | undefined;
  for (let attempt = 0; attempt < 25; attempt += 1) {
    state = await queryState(handle);
    if (!state || state.state !== 'pending' || state.expiresAt) return state;
    await sleep(200);
  }
  return state;
}

async function waitForOutcome(client: Client, handle: WorkflowHandle, json: boolean | undefined): Promise<void> {
  if (!json) {
    const state = await settledState(handle);
    if (state?.state === 'pending' && state.expiresAt) {
      console.error(`Waiting for a decision until ${state.expiresAt}. Another person runs: rancher-workflows approve ${handle.workflowId} --as THEIR_NAME`);
    }
  }
  const result = (await handle.result()) as RequestResult;
  if (json) {
    printJson({ workflowId: handle.workflowId, ...result });
  } else {
    console.log(formatResult(result));
    console.log(formatApprovalState(result.approval));
    console.log(`Workflow: ${webUiLink(webUiBase(), client.options.namespace, handle.workflowId)}`);
  }
  if (!['granted', 'already-exists', 'revoked', 'deleted', 'deleting', 'not-found', 'not-required', 'completed'].includes(result.outcome)) process.exitCode = 2;
}

async function announce(client: Client, handle: WorkflowHandle, requestedBy: string, json: boolean | undefined, wait: boolean): Promise<void> {
  if (json && !wait) {
    printJson({ workflowId: handle.workflowId });
    return;
  }
  if (!json) {
    console.log(`Workflow: ${handle.workflowId}`);
    console.log(`Web UI:   ${webUiLink(webUiBase(), client.options.namespace, handle.workflowId)}`);
    const state = await queryState(handle);
    if (state && state.requestedBy !== requestedBy) {
      console.log(`Joined the running request of ${state.requestedBy} (since ${state.requestedAt}); you are recorded as a requester too, so you cannot approve it.`);
    }
  }
  if (wait) await waitForOutcome(client, handle, json);
}

/** Returns a message when the workflow has already ended, because a closed workflow takes no signals. */
async function endedMessage(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return undefined;
  const result = description.status.name === 'COMPLETED' ? ((await handle.result().catch(() => undefined)) as RequestResult | undefined) : undefined;
  return `The request ${handle.workflowId} already ended (${description.status.name}${result?.outcome ? `, outcome ${result.outcome}` : ''}); there is nothing left to decide. See: rancher-workflows status ${handle.workflowId}`;
}

async function sendDecision(workflowId: string, signal: 'approve' | 'reject', by: string, text: string | undefined, json: boolean | undefined): Promise<void> {
  await withClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    const ended = await endedMessage(handle);
    if (ended) {
      process.exitCode = 1;
      if (json) printJson({ workflowId, counted: false, reason: ended });
      else console.error(ended);
      return;
    }
    if (signal === 'approve') await handle.signal(approveSignal, { approver: by, ...(text ? { comment: text } : {}) });
    else await handle.signal(rejectSignal, { approver: by, ...(text ? { reason: text } : {}) });

    // Read back whether the decision counted: the gate refuses the requester and unlisted approvers.
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const state = await queryState(handle);
      if (!state) break;
      const refused = state.refusedDecisions.find((entry) => entry.by === by && entry.signal === signal);
      if (refused) {
        process.exitCode = 1;
        if (json) printJson({ workflowId, counted: false, reason: refused.why, state });
        else console.error(`Refused: ${refused.why}.`);
        return;
      }
      if (state.decision?.by === by) {
        if (json) printJson({ workflowId, counted: true, state });
        else console.log(`${state.decision.outcome === 'approved' ? 'Approved' : 'Rejected'} by ${by}: ${state.summary}`);
        return;
      }
      await sleep(200);
    }
    if (json) printJson({ workflowId, counted: null, reason: 'no worker responded; the signal waits in the workflow history' });
    else console.log(`Sent the ${signal} signal as ${by}; a worker applies it when it runs. Check with: rancher-workflows status ${workflowId}`);
  });
}

export function registerApprovalCommands(program: Command): void {
  program
    .command('grant')
    .description('Request a global role for a user (createGlobalRoleBinding); waits for approval and the outcome unless --no-wait')
    .requiredOption('--user <id>', 'Rancher user id, for example u-abcde')
    .requiredOption('--role <name>', 'global role id, for example restricted-admin')
    .requiredOption('--requested-by <who>', 'who asks; this person cannot approve the request')
    .option('--reason <text>', 'why the grant is needed, shown to approvers')
    .option('--duration <duration>', 'make the grant time-bound, for example 8h or 3d')
    .option('--connection <id>', 'Rancher connection', connectionOption, 'default')
    .option('--no-wait', 'print the workflow id and return without waiting')
    .option('--json', 'print JSON')
    .action((flags: { user: string; role: string; requestedBy: string; reason?: string; duration?: string; connection: string; wait: boolean; json?: boolean }) =>
      withClient(async (client) => {
        const handle = await startGrant(client, taskQueueFromEnv(), {
          connection: flags.connection,
          userName: flags.user,
          globalRoleName: flags.role,
          requestedBy: flags.requestedBy,
          ...(flags.reason ? { reason: flags.reason } : {}),
          ...(flags.duration ? { duration: flags.duration } : {}),
        });
        await announce(client, handle, flags.requestedBy, flags.json, flags.wait);
      }),
    );

  program
    .command('delete-binding')
    .description('Request the removal of a global role binding (deleteGlobalRoleBinding); waits unless --no-wait')
    .requiredOption('--binding <name>', 'global role binding name, for example grb-abcde')
    .requiredOption('--requested-by <who>', 'who asks; this person cannot approve the request')
    .option('--reason <text>', 'why, shown to approvers')
    .option('--connection <id>', 'Rancher connection', connectionOption, 'default')
    .option('--no-wait', 'print the workflow id and return without waiting')
    .option('--json', 'print JSON')
    .action((flags: { binding: string; requestedBy: string; reason?: string; connection: string; wait: boolean; json?: boolean }) =>
      withClient(async (client) => {
        const handle = await startDeleteBinding(client, taskQueueFromEnv(), {
          connection: flags.connection,
          bindingName: flags.binding,
          requestedBy: flags.requestedBy,
          ...(flags.reason ? { reason: flags.reason } : {}),
        });
        await announce(client, handle, flags.requestedBy, flags.json, flags.wait);
      }),
    );

  program
    .command('approve')
    .argument('<workflow-id>', 'the request to approve (see `pending`)')
    .description('Approve a pending request')
    .requiredOption('--as <who>', 'your name; the requester and people the policy does not list are refused')
    .option('--comment <text>', 'a note kept in the audit record')
    .option('--json', 'print {workflowId, counted, reason?, state} as JSON')
    .action((workflowId: string, flags: { as: string; comment?: string; json?: boolean }) => sendDecision(workflowId, 'approve', flags.as, flags.comment, flags.json));

  program
    .command('reject')
    .argument('<workflow-id>', 'the request to reject (see `pending`)')
    .description('Reject a pending request')
    .requiredOption('--as <who>', 'your name')
    .option('--reason <text>', 'why, kept in the audit record')
    .option('--json', 'print {workflowId, counted, reason?, state} as JSON')
    .action((workflowId: string, flags: { as: string; reason?: string; json?: boolean }) => sendDecision(workflowId, 'reject', flags.as, flags.reason, flags.json));

  program
    .command('revoke')
    .argument('<workflow-id>', 'a time-bound grant (createGlobalRoleBinding with --duration)')
    .description('End a time-bound grant now: its binding is deleted and the result records who and why')
    .requiredOption('--as <who>', 'your name')
    .option('--reason <text>', 'why, kept in the result')
    .option('--json', 'print {workflowId, sent, reason?} as JSON')
    .action((workflowId: string, flags: { as: string; reason?: string; json?: boolean }) =>
      withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const ended = await endedMessage(handle);
        if (ended) {
          process.exitCode = 1;
          if (flags.json) printJson({ workflowId, sent: false, reason: ended });
          else console.error(ended);
          return;
        }
        await handle.signal(revokeSignal, { by: flags.as, ...(flags.reason ? { reason: flags.reason } : {}) });
        if (flags.json) printJson({ workflowId, sent: true });
        else console.log(`Sent revoke as ${flags.as}. The grant's result will show when the binding was removed: rancher-workflows status ${workflowId}`);
      }),
    );

  program
    .command('pending')
    .description('List requests waiting for a decision, with their age and requester')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) =>
      withClient(async (client) => {
        const query = `ExecutionStatus = 'Running' AND (${GATED_TYPES.map((type) => `WorkflowType = '${type}'`).join(' OR ')})`;
        const waiting: { workflowId: string; type: string; state: ApprovalState }[] = [];
        for await (const execution of client.workflow.list({ query })) {
          const state = await queryState(client.workflow.getHandle(execution.workflowId, execution.runId));
          if (state?.state === 'pending') waiting.push({ workflowId: execution.workflowId, type: execution.type, state });
        }
        if (flags.json) {
          printJson(waiting);
          return;
        }
        if (waiting.length === 0) {
          console.log('No requests are waiting for a decision.');
          return;
        }
        console.log(
          formatTable(
            ['WORKFLOW ID', 'AGE', 'REQUESTED BY', 'REQUEST'],
            waiting.map((entry) => [entry.workflowId, formatAge(entry.state.requestedAt), entry.state.requestedBy, entry.state.summary]),
          ),
        );
      }),
    );

  program
    .command('status')
    .argument('<workflow-id>', 'a request started by grant, delete-binding or request')
    .description('Show a request: approval state, decision, refused decisions, and the outcome when it has finished')
    .option('--json', 'print JSON')
    .action((workflowId: string, flags: { json?: boolean }) =>
      withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        const finished = description.status.name === 'COMPLETED';
        const result = finished ? ((await handle.result()) as Partial<RequestResult>) : undefined;
        const state = result?.approval ?? (description.status.name === 'RUNNING' ? await queryState(handle) : undefined);
        if (flags.json) {
          printJson({ workflowId, type: description.type, status: description.status.name, approval: state, ...(result ? { result } : {}) });
          return;
        }
        console.log(`${workflowId} (${description.type}): ${description.status.name}`);
        if (state) console.log(formatApprovalState(state));
        else if (description.status.name === 'RUNNING') console.log('  approval state unavailable: no worker responded to the query; start one with `rancher-workflows worker`');
        if (result?.outcome && result.approval) console.log(formatResult(result as RequestResult));
        if (description.status.name === 'FAILED') await handle.result().catch((error: unknown) => console.log(`  failure: ${describeFailure(error)}`));
      }),
    );
}
