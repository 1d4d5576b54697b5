/**
 * Validation of workflow inputs. A workflow validates its input before any activity runs, and
 * an invalid input fails the workflow at once with a message that names the field and the rule.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { isKubernetesName, MAX_KUBERNETES_NAME_LENGTH } from '../src/rancher/catalog.js';

/** Maximum items a list workflow returns: the result travels as one payload, which Temporal caps at 2 MB by default. */
export const MAX_LIST_ITEMS = 5000;

/** Connection ids are short lower-case names, like Kubernetes labels. */
export const ConnectionIdSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1 to 63 lower-case letters, digits or dashes, starting and ending with a letter or digit');

export const ListInputSchema = z.strictObject({
  connection: ConnectionIdSchema.default('default'),
  pageSize: z.number().int().min(1).max(500).default(100),
  maxItems: z.number().int().min(1).max(MAX_LIST_ITEMS).default(MAX_LIST_ITEMS),
  labelSelector: z.string().min(1).max(1024).optional(),
});
export type ListInput = z.input<typeof ListInputSchema>;
export type ParsedListInput = z.output<typeof ListInputSchema>;

/** A Kubernetes object name (RFC 1123 subdomain, at most 253 characters), such as a cluster id. */
export const KubernetesNameSchema = z.string().refine(isKubernetesName, {
  message: `must be a Kubernetes name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${MAX_KUBERNETES_NAME_LENGTH} characters`,
});

export const ProjectListInputSchema = ListInputSchema.extend({
  /** A cluster id such as `c-m-x2k9q` or `local`; all clusters when absent. */
  cluster: KubernetesNameSchema.optional(),
});
export type ProjectListInput = z.input<typeof ProjectListInputSchema>;

export const RoleTemplateListInputSchema = ListInputSchema.extend({
  context: z.enum(['cluster', 'project']).optional(),
});
export type RoleTemplateListInput = z.input<typeof RoleTemplateListInputSchema>;

export const ConnectionTestInputSchema = z.strictObject({
  connection: ConnectionIdSchema.default('default'),
});
export type ConnectionTestInput = z.input<typeof ConnectionTestInputSchema>;

/**
 * Parses `input` with `schema`. Throws a non-retryable ApplicationFailure of type
 * `InvalidWorkflowInput` that names every invalid field.
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, workflowType: string): z.output<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`);
  throw ApplicationFailure.create({
    type: 'InvalidWorkflowInput',
    message: `Invalid input for ${workflowType}: ${problems.join('; ')}`,
    nonRetryable: true,
    details: [{ code: 'invalid-input', problems }],
  });
}

/** A person's name or id as given to `requestedBy`, `approver` or `by`. */
export const PersonSchema = z.string().trim().min(1, 'must name the person (a user name or e-mail address)').max(256);

/** A positive duration such as "30m", "8h" or "3d", in the format Temporal's timers take. */
export const DurationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|w|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$/i, 'must be a duration such as "30m", "8h" or "3d"')
  .refine((value) => Number.parseFloat(value) > 0, 'must be longer than zero');

export const GrantInputSchema = z.strictObject({
  connection: ConnectionIdSchema.default('default'),
  userName: z.string().trim().min(1, 'must be the id of a Rancher user, such as u-abcde').max(253),
  globalRoleName: z.string().trim().min(1, 'must be the id of a global role, such as admin or user').max(253),
  requestedBy: PersonSchema,
  reason: z.string().max(1024).optional(),
  duration: DurationSchema.optional(),
});
export type GrantInput = z.input<typeof GrantInputSchema>;

export const DeleteBindingInputSchema = z.strictObject({
  connection: ConnectionIdSchema.default('default'),
  bindingName: z
    .string()
    .trim()
    .refine(isKubernetesName, `must be the name of a global role binding (lower-case letters, digits, "-" and ".", at most ${MAX_KUBERNETES_NAME_LENGTH} characters), such as grb-abcde`),
  requestedBy: PersonSchema,
  reason: z.string().max(1024).optional(),
});
export type DeleteBindingInput = z.input<typeof DeleteBindingInputSchema>;
