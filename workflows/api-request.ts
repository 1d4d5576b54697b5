/**
 * `rancherApiRequest`: one request to an operation of the endpoint catalog. The workflow checks
 * the request against the catalog before any activity runs. Reads run at once. An operation that
 * changes something waits for the approval gate unless the policy requires no approval for it.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { RancherActivities } from '../activities/index.js';
import type { RancherRequestResult } from '../activities/request.js';
import { prepareApiRequest, toInvalidRequestFailure, type PreparedApiRequest } from '../src/rancher/api-request.js';
import { ApprovalGate, type ApprovalState } from './approval.js';
import { ConnectionIdSchema, parseInput } from './inputs.js';

// Reads are safe to repeat, so Temporal retries them on retryable failures.
const { rancherRequest: readRequest } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

// A change is sent once: a repeated POST with generateName would create a second object, and a
// repeated DELETE would fail with 404 after the first one succeeded unseen.
const { rancherRequest: changeRequest } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

export const ApiRequestInputSchema = z.strictObject({
  connection: ConnectionIdSchema.default('default'),
  operationId: z.string().min(1).max(200).optional(),
  method: z.string().min(1).max(10).optional(),
  path: z.string().min(1).max(2048).optional(),
  params: z.record(z.string(), z.string()).optional(),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.unknown().optional(),
  /** The person who requests the change; required for operations that change something. */
  requestedBy: z.string().trim().min(1).max(253).optional(),
  reason: z.string().max(1000).optional(),
});
export type ApiRequestInput = z.input<typeof ApiRequestInputSchema>;

/**
 * The result of `rancherApiRequest`. `status` and `body` are set when the request ran
 * (`outcome` `done`); `approval` is the approval audit record of an operation that changes something.
 */
export interface ApiRequestResult {
  outcome: 'done' | 'rejected' | 'expired';
  operationId: string;
  method: string;
  path: string;
  status?: number;
  /** Rancher's response body: the object, list or Status whole, or the watch events. */
  body?: unknown;
  /** For a watch: the number of events the server sent. `watchTruncated` is true when some were dropped. */
  watchEvents?: number;
  watchTruncated?: boolean;
  /** Secret fields (a new token's value, a kubeconfig's text) that the result leaves out. */
  redacted?: string[];
  approval?: ApprovalState;
}

function prepare(input: z.output<typeof ApiRequestInputSchema>): PreparedApiRequest {
  try {
    return prepareApiRequest(input);
  } catch (error) {
    throw toInvalidRequestFailure(error);
  }
}

function summaryOf(prepared: PreparedApiRequest): string {
  const query = new URLSearchParams(prepared.query).toString();
  return `${prepared.operation.operationId}: ${prepared.operation.method} ${prepared.path}${query ? `?${query}` : ''}`;
}

/**
 * Sends one request to an operation of the endpoint catalog and returns Rancher's response.
 * Throws a non-retryable `InvalidRancherRequest` failure for a request the catalog does not allow
 * and `InvalidWorkflowInput` for invalid input, both before any activity runs.
 */
export async function rancherApiRequest(rawInput?: ApiRequestInput): Promise<ApiRequestResult> {
  const input = parseInput(ApiRequestInputSchema, rawInput, 'rancherApiRequest');
  const prepared = prepare(input);
  const { operation } = prepared;
  const base = { operationId: operation.operationId, method: operation.method, path: prepared.path };
  const request = {
    connection: input.connection,
    operationId: operation.operationId,
    params: paramsOf(prepared),
    query: prepared.query,
    ...(prepared.body !== undefined ? { body: prepared.body } : {}),
  };

  if (!operation.mutating) {
    const result = await readRequest(request);
    return { outcome: 'done', ...base, ...resultFields(result) };
  }

  if (!input.requestedBy) {
    const problem = `requestedBy: is required because ${operation.operationId} changes Rancher; give the name of the person who asks for the change`;
    throw ApplicationFailure.create({
      type: 'InvalidWorkflowInput',
      message: `Invalid input for rancherApiRequest: ${problem}`,
      nonRetryable: true,
      details: [{ code: 'invalid-input', problems: [problem] }],
    });
  }
  const gate = new ApprovalGate({ requestedBy: input.requestedBy, ...(input.reason ? { reason: input.reason } : {}), summary: summaryOf(prepared) });
  gate.describeChanges(summaryOf(prepared), {
    operationId: operation.operationId,
    method: operation.method,
    path: prepared.path,
    ...(Object.keys(prepared.query).length > 0 ? { query: prepared.query } : {}),
    ...(prepared.body !== undefined ? { body: prepared.body } : {}),
  });

  const approval = await gate.decide('rancherApiRequest', operation.operationId);
  if (approval.state === 'rejected' || approval.state === 'expired') {
    return { outcome: approval.state, ...base, approval };
  }

  const result = await changeRequest(request);
  return { outcome: 'done', ...base, ...resultFields(result), approval: gate.state };
}

/** Reads the path parameters of a prepared request back from its path, by the path template. */
function paramsOf(prepared: PreparedApiRequest): Record<string, string> {
  const templateSegments = prepared.operation.pathTemplate.split('/');
  const segments = prepared.path.split('/');
  const params: Record<string, string> = {};
  templateSegments.forEach((segment, index) => {
    if (segment.startsWith('{')) params[segment.slice(1, -1)] = decodeURIComponent(segments[index] ?? '');
  });
  return params;
}

function resultFields(result: RancherRequestResult): Pick<ApiRequestResult, 'status' | 'body' | 'watchEvents' | 'watchTruncated' | 'redacted'> {
  return {
    status: result.status,
    body: result.body,
    ...(result.watchEvents !== undefined ? { watchEvents: result.watchEvents, watchTruncated: result.watchTruncated ?? false } : {}),
    ...(result.redacted ? { redacted: result.redacted } : {}),
  };
}
