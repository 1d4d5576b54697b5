/**
 * Validation of workflow inputs. A workflow validates its input before any activity runs, and
 * an invalid input fails the workflow at once with a message that names the field and the rule.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';

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
