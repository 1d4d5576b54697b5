/** Converts errors into the ApplicationFailures that travel through the Temporal server. */
import { ApplicationFailure } from '@temporalio/activity';
import { ZodError } from 'zod';
import { RancherError } from '../src/rancher/errors.js';
import { ConnectionConfigError } from '../src/connections/source.js';
import { PolicyFileError } from '../src/approval/policy.js';

/** Details attached to every failure an activity raises, so workflows can branch on `code` and `status`. */
export interface FailureDetails {
  code: string;
  status?: number;
  method?: string;
  path?: string;
  field?: string;
}

/**
 * Turns an error into the ApplicationFailure that travels through the Temporal server.
 * Its retry flags come from the error's classification: Temporal, not the HTTP client, retries.
 */
export function toApplicationFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;

  if (error instanceof RancherError) {
    const details: FailureDetails = {
      code: error.code,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.method ? { method: error.method } : {}),
      ...(error.path ? { path: error.path } : {}),
    };
    return ApplicationFailure.create({
      type: error.name,
      message: error.message,
      nonRetryable: !error.retryable,
      ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
      details: [details],
    });
  }

  if (error instanceof ConnectionConfigError) {
    return ApplicationFailure.create({
      type: error.name,
      message: error.message,
      nonRetryable: true,
      details: [{ code: 'config', field: error.field } satisfies FailureDetails],
    });
  }

  if (error instanceof PolicyFileError) {
    // Retryable: fixing the file on the worker's machine lets the waiting workflow go on.
    return ApplicationFailure.create({ type: error.name, message: error.message, details: [{ code: 'policy', field: 'RANCHER_WORKFLOWS_POLICY_FILE' } satisfies FailureDetails] });
  }

  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue ? issue.path.join('.') : '';
    return ApplicationFailure.create({
      type: 'RancherResponseError',
      message: `Rancher returned an object that does not match its schema: ${field || '(root)'}: ${issue?.message ?? 'invalid'}. Check that the domain points at a Rancher v2.13-compatible server.`,
      nonRetryable: true,
      details: [{ code: 'not-rancher', field } satisfies FailureDetails],
    });
  }

  // An unknown error stays retryable: Temporal's retry policy bounds the attempts.
  return ApplicationFailure.create({ type: 'UnexpectedError', message: error instanceof Error ? error.message : String(error) });
}
