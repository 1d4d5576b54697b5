/**
 * The approval policy: which workflows and operations need a person's approval, who may give it,
 * how long a request waits, and how long a time-bound grant may last.
 *
 * The worker reads it from RANCHER_WORKFLOWS_POLICY_FILE through an activity, so workflow history
 * records the policy that applied and no workflow input can lower it.
 */
import { readFile } from 'node:fs/promises';
import { msToNumber } from '@temporalio/common';
import { z } from 'zod';
import { catalog } from '../rancher/catalog.js';

/** Workflow types that change Rancher and therefore pass the approval gate. */
export const GATED_WORKFLOWS = ['createGlobalRoleBinding', 'deleteGlobalRoleBinding', 'rancherApiRequest'] as const;
export type GatedWorkflow = (typeof GATED_WORKFLOWS)[number];

/** `anyone-but-requester`, or a list of the people who may decide. The requester never may. */
export type Approvers = 'anyone-but-requester' | string[];

/** The policy that applies to one request, with durations in milliseconds. */
export interface ApprovalPolicy {
  requireApproval: boolean;
  approvers: Approvers;
  approvalTimeoutMs: number;
  /**
   * Maximum duration of a grant. When it is set, every grant needs a `duration` no longer than it.
   * Without it, grants may be permanent.
   */
  maxGrantDurationMs?: number;
  /** The file the policy came from, or `built-in defaults`. */
  source: string;
}

export const DEFAULT_POLICY: Omit<ApprovalPolicy, 'source'> = {
  requireApproval: true,
  approvers: 'anyone-but-requester',
  approvalTimeoutMs: 72 * 60 * 60 * 1000,
};

const DurationSchema = z.string().refine(
  (value) => {
    try {
      return msToNumber(value as Parameters<typeof msToNumber>[0]) > 0;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive duration such as "30m", "8h" or "3d"' },
);

const RuleSchema = z.strictObject({
  requireApproval: z.boolean().optional(),
  approvers: z.union([z.literal('anyone-but-requester'), z.array(z.string().trim().min(1)).min(1)]).optional(),
  approvalTimeout: DurationSchema.optional(),
  maxGrantDuration: DurationSchema.optional(),
});
type Rule = z.infer<typeof RuleSchema>;

const operationIds = new Set(catalog.map((operation) => operation.operationId));

const WorkflowRuleSchema = RuleSchema.extend({
  operations: z
    .record(
      z.string().refine((id) => operationIds.has(id), { message: 'is not an operationId of the endpoint catalog' }),
      RuleSchema,
    )
    .optional(),
});

export const PolicyFileSchema = z.strictObject({
  defaults: RuleSchema.optional(),
  workflows: z.partialRecord(z.enum(GATED_WORKFLOWS), WorkflowRuleSchema).optional(),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** A policy file that cannot be read or does not validate. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';

  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function apply(policy: Omit<ApprovalPolicy, 'source'>, rule: Rule | undefined): Omit<ApprovalPolicy, 'source'> {
  if (!rule) return policy;
  const maxGrantDurationMs = rule.maxGrantDuration ? msToNumber(rule.maxGrantDuration as Parameters<typeof msToNumber>[0]) : policy.maxGrantDurationMs;
  return {
    requireApproval: rule.requireApproval ?? policy.requireApproval,
    approvers: rule.approvers ?? policy.approvers,
    approvalTimeoutMs: rule.approvalTimeout ? msToNumber(rule.approvalTimeout as Parameters<typeof msToNumber>[0]) : policy.approvalTimeoutMs,
    ...(maxGrantDurationMs !== undefined ? { maxGrantDurationMs } : {}),
  };
}

/** Resolves the rule for one workflow type and, for `rancherApiRequest`, one operation. */
export function resolvePolicy(file: PolicyFile, source: string, workflowType: GatedWorkflow, operationId?: string): ApprovalPolicy {
  const workflowRule = file.workflows?.[workflowType];
  let policy = apply(apply(DEFAULT_POLICY, file.defaults), workflowRule);
  if (operationId) policy = apply(policy, workflowRule?.operations?.[operationId]);
  return { ...policy, source };
}

/**
 * Reads and validates a policy file (JSON). Throws {@link PolicyFileError} naming the file and
 * every invalid field, so a typo fails loudly instead of silently loosening the policy.
 */
export async function readPolicyFile(path: string): Promise<PolicyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolicyFileError(`RANCHER_WORKFLOWS_POLICY_FILE is "${path}", which cannot be read: ${(error as Error).message}. Point it at a readable JSON file.`, path, {
      cause: error,
    });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyFileError(`The approval policy "${path}" is not valid JSON: ${(error as Error).message}.`, path, { cause: error });
  }

  const parsed = PolicyFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new PolicyFileError(`The approval policy "${path}" is invalid: ${problems}.`, path);
  }
  return parsed.data;
}

/** Loads the policy for one request from RANCHER_WORKFLOWS_POLICY_FILE, or the built-in defaults when it is unset. */
export async function loadPolicy(workflowType: GatedWorkflow, operationId: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ApprovalPolicy> {
  const path = env.RANCHER_WORKFLOWS_POLICY_FILE?.trim();
  if (!path) return resolvePolicy({}, 'built-in defaults', workflowType, operationId);
  return resolvePolicy(await readPolicyFile(path), path, workflowType, operationId);
}
