/**
 * The approval gate, shared by every workflow that changes Rancher. It loads the policy through
 * an activity, waits for an `approve` or `reject` signal within the policy's timeout, and serves
 * the `approvalState` query at every moment. Decisions from the requester or from someone the
 * policy does not list are refused and recorded, never counted.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { RancherActivities } from '../activities/index.js';
import type { ApprovalPolicy, GatedWorkflow } from '../src/approval/policy.js';
import { workflowNow } from './clock.js';

const { loadApprovalPolicy } = proxyActivities<RancherActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

export interface ApproveInput {
  approver: string;
  comment?: string;
}

export interface RejectInput {
  approver: string;
  reason?: string;
}

export interface RequesterInput {
  requestedBy: string;
  reason?: string;
}

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
/**
 * Sent with every start of a gated workflow through signal-with-start, so that a person whose
 * request joined a running workflow is recorded as a requester too, and cannot approve it.
 */
export const requesterSignal = defineSignal<[RequesterInput]>('addRequester');

export type ApprovalStateName = 'not-required' | 'pending' | 'approved' | 'rejected' | 'expired';

export interface Decision {
  outcome: 'approved' | 'rejected';
  by: string;
  at: string;
  comment?: string;
}

export interface RefusedDecision {
  signal: 'approve' | 'reject';
  by: string;
  at: string;
  why: string;
}

/** The `approvalState` query's result, which also becomes the audit record in each workflow result. */
export interface ApprovalState {
  state: ApprovalStateName;
  requestedBy: string;
  reason?: string;
  /** Other people who asked for the same change while this request was running; none of them may decide. */
  alsoRequestedBy?: string[];
  /** One line: what will change if the request is approved. */
  summary: string;
  /** The objects the request changes, for the person who decides. */
  changes?: Record<string, unknown>;
  requestedAt: string;
  /** When a pending request expires. */
  expiresAt?: string;
  decision?: Decision;
  refusedDecisions: RefusedDecision[];
  /** Source of the policy and the people who may decide; set once the policy is loaded. */
  policy?: { source: string; approvers: ApprovalPolicy['approvers']; approvalTimeoutMs: number };
}

export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');

interface PendingSignal {
  signal: 'approve' | 'reject';
  by: string;
  text?: string;
  at: string;
}

function normaliseName(name: unknown): string {
  return typeof name === 'string' ? name.trim() : '';
}

/**
 * One request's approval. Create it at the very start of a workflow, so that the query responds
 * and early signals are kept from the first moment; call {@link ApprovalGate.decide} when the
 * request is ready for a decision.
 */
export class ApprovalGate {
  readonly state: ApprovalState;
  private readonly inbox: PendingSignal[] = [];
  private policy?: ApprovalPolicy;

  constructor(request: { requestedBy: string; reason?: string; summary: string }) {
    this.state = {
      state: 'pending',
      requestedBy: request.requestedBy,
      ...(request.reason ? { reason: request.reason } : {}),
      summary: request.summary,
      requestedAt: workflowNow().toISOString(),
      refusedDecisions: [],
    };
    setHandler(approvalStateQuery, () => this.state, { description: 'Approval state: pending, approved, rejected, expired or not-required, with the audit record.' });
    setHandler(
      requesterSignal,
      (input) => {
        this.addRequester(normaliseName(input?.requestedBy));
      },
      { description: 'Record another person who asks for the same change. Argument: {"requestedBy": "their name"}. They cannot decide on it.' },
    );
    setHandler(
      approveSignal,
      (input) => {
        this.receive('approve', input?.approver, input?.comment);
      },
      { description: 'Approve the request. Argument: {"approver": "your name", "comment": "optional"}. The requester cannot approve their own request.' },
    );
    setHandler(
      rejectSignal,
      (input) => {
        this.receive('reject', input?.approver, input?.reason);
      },
      { description: 'Reject the request. Argument: {"approver": "your name", "reason": "optional"}.' },
    );
    this.publish();
  }

  private addRequester(name: string): void {
    if (!name || name === this.state.requestedBy || this.state.alsoRequestedBy?.includes(name)) return;
    this.state.alsoRequestedBy = [...(this.state.alsoRequestedBy ?? []), name];
    this.publish();
  }

  private receive(signal: 'approve' | 'reject', by: unknown, text: unknown): void {
    this.inbox.push({ signal, by: normaliseName(by), at: workflowNow().toISOString(), ...(typeof text === 'string' && text ? { text } : {}) });
    this.process();
  }

  /** Applies queued decisions; until the policy is loaded they wait, because it lists who may decide. */
  private process(): void {
    if (!this.policy) return;
    for (let next = this.inbox.shift(); next; next = this.inbox.shift()) {
      const refusal = this.refusalOf(next, this.policy);
      if (refusal) {
        this.state.refusedDecisions.push({ signal: next.signal, by: next.by, at: next.at, why: refusal });
        continue;
      }
      this.state.state = next.signal === 'approve' ? 'approved' : 'rejected';
      this.state.decision = {
        outcome: this.state.state,
        by: next.by,
        at: next.at,
        ...(next.text ? { comment: next.text } : {}),
      };
    }
    this.publish();
  }

  private refusalOf(next: PendingSignal, policy: ApprovalPolicy): string | undefined {
    if (!next.by) return `the ${next.signal} signal needs a non-empty "approver"`;
    if (this.state.state !== 'pending') return `the request is already ${this.state.state}`;
    if (next.by === this.state.requestedBy) {
      // Withdrawing one's own request is fine; approving it is the one thing a second person exists for.
      return next.signal === 'approve' ? 'the requester cannot approve their own request' : undefined;
    }
    if (this.state.alsoRequestedBy?.includes(next.by)) {
      return `${next.by} also requested this change, so they cannot decide on it`;
    }
    if (policy.approvers !== 'anyone-but-requester' && !policy.approvers.includes(next.by)) {
      return `"${next.by}" is not an approver in the policy (${policy.source}); allowed: ${policy.approvers.join(', ')}`;
    }
    return undefined;
  }

  /** Shows the state in the Temporal Web UI's "current details" of the workflow. */
  private publish(): void {
    const lines = [`**${this.state.summary}**`, '', `- state: ${this.state.state}`, `- requested by: ${this.state.requestedBy} at ${this.state.requestedAt}`];
    if (this.state.reason) lines.push(`- reason: ${this.state.reason}`);
    if (this.state.alsoRequestedBy?.length) lines.push(`- also requested by: ${this.state.alsoRequestedBy.join(', ')}`);
    if (this.state.expiresAt && this.state.state === 'pending') lines.push(`- expires at: ${this.state.expiresAt}`);
    if (this.state.decision) lines.push(`- ${this.state.decision.outcome} by ${this.state.decision.by} at ${this.state.decision.at}${this.state.decision.comment ? `: ${this.state.decision.comment}` : ''}`);
    for (const refused of this.state.refusedDecisions) lines.push(`- refused ${refused.signal} from ${refused.by || '(no name)'}: ${refused.why}`);
    setCurrentDetails(lines.join('\n'));
  }

  /** Marks the request as needing no decision, because there is nothing to change. */
  skip(): ApprovalState {
    this.state.state = 'not-required';
    this.inbox.length = 0;
    this.publish();
    return this.state;
  }

  /** Records what the request changes, for the query and the Web UI. */
  describeChanges(summary: string, changes: Record<string, unknown>): void {
    this.state.summary = summary;
    this.state.changes = changes;
    this.publish();
  }

  /** Loads the policy through an activity; later calls return the same policy. */
  async loadPolicy(workflowType: GatedWorkflow, operationId?: string): Promise<ApprovalPolicy> {
    if (!this.policy) {
      const policy = await loadApprovalPolicy({ workflowType, ...(operationId ? { operationId } : {}) });
      this.state.policy = { source: policy.source, approvers: policy.approvers, approvalTimeoutMs: policy.approvalTimeoutMs };
      this.policy = policy;
    }
    return this.policy;
  }

  /**
   * Waits for a decision when the policy requires one, or marks the request `not-required`.
   * Returns the final state: `not-required`, `approved`, `rejected` or `expired`.
   */
  async decide(workflowType: GatedWorkflow, operationId?: string): Promise<ApprovalState> {
    const policy = await this.loadPolicy(workflowType, operationId);
    if (!policy.requireApproval) return this.skip();

    this.state.expiresAt = new Date(workflowNow().getTime() + policy.approvalTimeoutMs).toISOString();
    this.process();
    const decided = await condition(() => this.state.state !== 'pending', policy.approvalTimeoutMs);
    if (!decided) {
      this.state.state = 'expired';
      this.publish();
    }
    return this.state;
  }
}
