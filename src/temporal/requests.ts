/**
 * Starting the approval workflows from a client. Their workflow ids are meaningful, so a second
 * request for the same grant or delete joins the running workflow instead of asking twice.
 */
import type { Client } from '@temporalio/client';
import type { createGlobalRoleBinding, deleteGlobalRoleBinding } from '../../workflows/index.js';
import type { DeleteBindingInput, GrantInput } from '../../workflows/inputs.js';

/** Returns `rancher/<connection>/grant/<userName>/<globalRoleName>`. */
export function grantWorkflowId(input: Pick<GrantInput, 'connection' | 'userName' | 'globalRoleName'>): string {
  return `rancher/${input.connection ?? 'default'}/grant/${input.userName.trim()}/${input.globalRoleName.trim()}`;
}

/** Returns `rancher/<connection>/delete-binding/<bindingName>`. */
export function deleteBindingWorkflowId(input: Pick<DeleteBindingInput, 'connection' | 'bindingName'>): string {
  return `rancher/${input.connection ?? 'default'}/delete-binding/${input.bindingName.trim()}`;
}

/**
 * Starts `createGlobalRoleBinding`, or joins the running workflow for the same user and role.
 * The Web UI shows `staticSummary` and `staticDetails` as the request's audit header.
 */
export async function startGrant(client: Client, taskQueue: string, input: GrantInput) {
  const workflowId = grantWorkflowId(input);
  const handle = await client.workflow.start<typeof createGlobalRoleBinding>('createGlobalRoleBinding', {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Grant global role ${input.globalRoleName} to ${input.userName}, requested by ${input.requestedBy}`,
    staticDetails: [
      `Requested by: ${input.requestedBy}`,
      `Reason: ${input.reason ?? '(none given)'}`,
      `Connection: ${input.connection ?? 'default'}`,
      `Duration: ${input.duration ?? 'permanent'}`,
    ].join('\n'),
  });
  return handle;
}

/** Starts `deleteGlobalRoleBinding`, or joins the running workflow for the same binding. */
export async function startDeleteBinding(client: Client, taskQueue: string, input: DeleteBindingInput) {
  const workflowId = deleteBindingWorkflowId(input);
  const handle = await client.workflow.start<typeof deleteGlobalRoleBinding>('deleteGlobalRoleBinding', {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Delete global role binding ${input.bindingName}, requested by ${input.requestedBy}`,
    staticDetails: [`Requested by: ${input.requestedBy}`, `Reason: ${input.reason ?? '(none given)'}`, `Connection: ${input.connection ?? 'default'}`].join('\n'),
  });
  return handle;
}
