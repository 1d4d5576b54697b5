/**
 * Workflows that grant and remove global roles, each behind the approval gate.
 * `createGlobalRoleBinding` may be time-bound: a durable timer deletes the binding when the
 * grant's duration ends, or earlier on a `revoke` signal.
 */
import { ApplicationFailure, condition, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common';
import type { RancherActivities } from '../activities/index.js';
import { ApprovalGate, type ApprovalState } from './approval.js';
import { workflowNow } from './clock.js';
import { DeleteBindingInputSchema, GrantInputSchema, parseInput, type DeleteBindingInput, type GrantInput } from './inputs.js';

const { loadRancherCredentials, checkGrant, createBinding, inspectBinding, deleteBinding } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface RevokeInput {
  by: string;
  reason?: string;
}

export const revokeSignal = defineSignal<[RevokeInput]>('revoke');

/** Annotation keys that tie a binding to the workflow that made it. */
export const ANNOTATION_PREFIX = 'rancher-workflows.io';

export interface Revocation {
  at: string;
  /** `duration-elapsed` when the timer fired, `revoked` for a signal. */
  trigger: 'duration-elapsed' | 'revoked';
  by?: string;
  reason?: string;
  /** Result of the delete: `deleted`, `not-found` (already removed) or `deleting` (finalizers still hold it). */
  result: 'deleted' | 'not-found' | 'deleting';
}

export interface GrantResult {
  /** `granted`, `already-exists` (nothing changed), `rejected`, `expired` (no decision in time), or `revoked` (time-bound grant ended). */
  outcome: 'granted' | 'already-exists' | 'rejected' | 'expired' | 'revoked';
  bindingName?: string;
  approval: ApprovalState;
  grantedAt?: string;
  revokedAt?: string;
  revocation?: Revocation;
}

export interface DeleteBindingResult {
  /** `deleted`, `deleting` (finalizers still hold it), `not-found` (already gone), `rejected` or `expired`. */
  outcome: 'deleted' | 'deleting' | 'not-found' | 'rejected' | 'expired';
  message: string;
  approval: ApprovalState;
}

/** Returns a 32-bit FNV-1a hash in base 36; enough to tell the runs of one workflow id apart. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * Names the binding after the workflow run, so every attempt of the create activity, and every
 * replay, uses the same name and Rancher's 409 stops a second binding.
 */
function bindingNameFor(workflowId: string, runId: string): string {
  return `grb-rw-${shortHash(workflowId)}${shortHash(runId)}`;
}

/** Grants a global role to a user after approval; see {@link GrantResult} for the outcomes. */
export async function createGlobalRoleBinding(rawInput: GrantInput): Promise<GrantResult> {
  const input = parseInput(GrantInputSchema, rawInput, 'createGlobalRoleBinding');
  const gate = new ApprovalGate({
    requestedBy: input.requestedBy,
    ...(input.reason ? { reason: input.reason } : {}),
    summary: `Grant global role "${input.globalRoleName}" to user "${input.userName}"${input.duration ? ` for ${input.duration}` : ''}`,
  });
  let revokeRequest: (RevokeInput & { at: string }) | undefined;
  setHandler(
    revokeSignal,
    (request) => {
      revokeRequest ??= { by: String(request?.by ?? '').trim() || '(unnamed)', ...(request?.reason ? { reason: request.reason } : {}), at: workflowNow().toISOString() };
    },
    { description: 'End a time-bound grant now. Argument: {"by": "your name", "reason": "optional"}.' },
  );

  await loadRancherCredentials({ connection: input.connection });
  const check = await checkGrant({ connection: input.connection, userName: input.userName, globalRoleName: input.globalRoleName });
  const userLabel = check.user.displayName ? `${check.user.displayName} (${check.user.id})` : check.user.id;
  const roleLabel = check.role.displayName ? `${check.role.displayName} (${check.role.id})` : check.role.id;
  gate.describeChanges(`Grant global role ${roleLabel} to user ${userLabel}${input.duration ? ` for ${input.duration}` : ''}`, {
    action: 'create GlobalRoleBinding',
    connection: input.connection,
    userName: check.user.id,
    ...(check.user.displayName ? { userDisplayName: check.user.displayName } : {}),
    globalRoleName: check.role.id,
    ...(check.role.displayName ? { roleDisplayName: check.role.displayName } : {}),
    ...(input.duration ? { duration: input.duration } : {}),
  });
  if (check.existingBinding) {
    return { outcome: 'already-exists', bindingName: check.existingBinding, approval: gate.skip() };
  }

  const policy = await gate.loadPolicy('createGlobalRoleBinding');
  const durationMs = input.duration ? msToNumber(input.duration as Parameters<typeof msToNumber>[0]) : undefined;
  if (policy.maxGrantDurationMs !== undefined && (durationMs === undefined || durationMs > policy.maxGrantDurationMs)) {
    const limit = `${Math.round(policy.maxGrantDurationMs / 3_600_000)}h`;
    throw ApplicationFailure.create({
      type: 'InvalidWorkflowInput',
      message:
        durationMs === undefined
          ? `The approval policy (${policy.source}) allows grants of at most ${limit}; give a duration, for example "8h".`
          : `duration "${input.duration}" is longer than the approval policy (${policy.source}) allows: at most ${limit}.`,
      nonRetryable: true,
      details: [{ code: 'duration-too-long' }],
    });
  }

  const approval = await gate.decide('createGlobalRoleBinding');
  if (approval.state === 'rejected' || approval.state === 'expired') {
    return { outcome: approval.state, approval };
  }

  const info = workflowInfo();
  const created = await createBinding({
    connection: input.connection,
    name: bindingNameFor(info.workflowId, info.runId),
    userName: check.user.id,
    globalRoleName: check.role.id,
    annotations: {
      [`${ANNOTATION_PREFIX}/workflow-id`]: info.workflowId,
      [`${ANNOTATION_PREFIX}/requested-by`]: input.requestedBy,
      [`${ANNOTATION_PREFIX}/approved-by`]: approval.decision?.by ?? 'approval not required',
    },
  });
  const grantedAt = workflowNow().toISOString();
  if (durationMs === undefined) {
    return { outcome: 'granted', bindingName: created.name, approval, grantedAt };
  }

  const revokedEarly = await condition(() => revokeRequest !== undefined, durationMs);
  const deletion = await deleteBinding({ connection: input.connection, bindingName: created.name });
  const revokedAt = workflowNow().toISOString();
  const revocation: Revocation =
    revokedEarly && revokeRequest
      ? { at: revokedAt, trigger: 'revoked', by: revokeRequest.by, ...(revokeRequest.reason ? { reason: revokeRequest.reason } : {}), result: deletion.outcome }
      : { at: revokedAt, trigger: 'duration-elapsed', reason: `the grant's duration of ${input.duration} ended`, result: deletion.outcome };
  return { outcome: 'revoked', bindingName: created.name, approval, grantedAt, revokedAt, revocation };
}

/** Removes a global role binding after approval; see {@link DeleteBindingResult} for the outcomes. */
export async function deleteGlobalRoleBinding(rawInput: DeleteBindingInput): Promise<DeleteBindingResult> {
  const input = parseInput(DeleteBindingInputSchema, rawInput, 'deleteGlobalRoleBinding');
  const gate = new ApprovalGate({
    requestedBy: input.requestedBy,
    ...(input.reason ? { reason: input.reason } : {}),
    summary: `Delete global role binding "${input.bindingName}"`,
  });

  await loadRancherCredentials({ connection: input.connection });
  const binding = await inspectBinding({ connection: input.connection, bindingName: input.bindingName });
  if (!binding.found) {
    return { outcome: 'not-found', message: `Global role binding "${input.bindingName}" does not exist; nothing to delete.`, approval: gate.skip() };
  }

  const subject = binding.userName
    ? binding.userDisplayName
      ? `user ${binding.userDisplayName} (${binding.userName})`
      : `user ${binding.userName}`
    : (binding.userPrincipalName ?? binding.groupPrincipalName ?? 'an unknown subject');
  const role = binding.roleDisplayName ? `${binding.roleDisplayName} (${binding.globalRoleName})` : binding.globalRoleName;
  gate.describeChanges(`Remove global role ${role} from ${subject} (binding ${input.bindingName})`, {
    action: 'delete GlobalRoleBinding',
    connection: input.connection,
    bindingName: input.bindingName,
    ...binding,
  });

  const approval = await gate.decide('deleteGlobalRoleBinding');
  if (approval.state === 'rejected' || approval.state === 'expired') {
    return { outcome: approval.state, message: `The request was ${approval.state}; the binding was not changed.`, approval };
  }

  const { outcome } = await deleteBinding({ connection: input.connection, bindingName: input.bindingName });
  const messages = {
    deleted: `Deleted global role binding "${input.bindingName}".`,
    'not-found': `Global role binding "${input.bindingName}" was already gone when the approved delete ran.`,
    deleting: `Global role binding "${input.bindingName}" is still being removed: Rancher set its deletionTimestamp and finalizers are still running.`,
  };
  return { outcome, message: messages[outcome], approval };
}
