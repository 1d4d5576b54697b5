/**
 * Starting the approval workflows from a client. Their workflow ids are meaningful, so a second
 * request for the same grant or delete joins the running workflow instead of asking twice, and
 * the joining person is recorded as a requester, who may not approve it.
 */
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import { requesterSignal } from '../../workflows/approval.js';
import type { createGlobalRoleBinding, deleteGlobalRoleBinding } from '../../workflows/index.js';
import { DeleteBindingInputSchema, GrantInputSchema, type DeleteBindingInput, type GrantInput } from '../../workflows/inputs.js';

/** Invalid input for a request, found before anything was started. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

/**
 * Validates input with the schema the workflow applies, so that a caller learns about a typo
 * at once instead of from a failed workflow. Throws {@link InvalidRequestError} naming each field.
 */
function validate<Schema extends z.ZodType>(schema: Schema, input: unknown, workflowType: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
  throw new InvalidRequestError(`Invalid input for ${workflowType}: ${problems.join('; ')}`);
}

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
 * Throws {@link InvalidRequestError} for invalid input, before anything starts.
 */
export async function startGrant(client: Client, taskQueue: string, input: GrantInput) {
  validate(GrantInputSchema, input, 'createGlobalRoleBinding');
  return client.workflow.signalWithStart<typeof createGlobalRoleBinding, [{ requestedBy: string; reason?: string }]>('createGlobalRoleBinding', {
    taskQueue,
    workflowId: grantWorkflowId(input),
    args: [input],
    signal: requesterSignal,
    signalArgs: [{ requestedBy: input.requestedBy, ...(input.reason ? { reason: input.reason } : {}) }],
    staticSummary: `Grant global role ${input.globalRoleName} to ${input.userName}, requested by ${input.requestedBy}`,
    staticDetails: [
      `Requested by: ${input.requestedBy}`,
      `Reason: ${input.reason ?? '(none given)'}`,
      `Connection: ${input.connection ?? 'default'}`,
      `Duration: ${input.duration ?? 'permanent'}`,
    ].join('\n'),
  });
}

/**
 * Starts `deleteGlobalRoleBinding`, or joins the running workflow for the same binding.
 * Throws {@link InvalidRequestError} for invalid input, before anything starts.
 */
export async function startDeleteBinding(client: Client, taskQueue: string, input: DeleteBindingInput) {
  validate(DeleteBindingInputSchema, input, 'deleteGlobalRoleBinding');
  return client.workflow.signalWithStart<typeof deleteGlobalRoleBinding, [{ requestedBy: string; reason?: string }]>('deleteGlobalRoleBinding', {
    taskQueue,
    workflowId: deleteBindingWorkflowId(input),
    args: [input],
    signal: requesterSignal,
    signalArgs: [{ requestedBy: input.requestedBy, ...(input.reason ? { reason: input.reason } : {}) }],
    staticSummary: `Delete global role binding ${input.bindingName}, requested by ${input.requestedBy}`,
    staticDetails: [`Requested by: ${input.requestedBy}`, `Reason: ${input.reason ?? '(none given)'}`, `Connection: ${input.connection ?? 'default'}`].join('\n'),
  });
}
