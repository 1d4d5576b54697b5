/**
 * Activities: the only code that does I/O. Each one resolves the connection itself, inside
 * the worker, so the API key never travels through workflow history.
 */
import { log } from '@temporalio/activity';
import { listableResources, listPathOf, type ListableResourceName, type SummaryOf } from '../src/rancher/resources.js';
import { describeConnection, type ConnectionDescriptor } from '../src/connections/source.js';
import { loadPolicy, type ApprovalPolicy, type GatedWorkflow } from '../src/approval/policy.js';
import { createBindingActivities } from './bindings.js';
import { createConnectionActivities } from './connections.js';
import { createClientPool, type ActivityDependencies } from './clients.js';
import { createRequestActivities } from './request.js';
import { toApplicationFailure } from './failures.js';

export type { ActivityDependencies } from './clients.js';
export { toApplicationFailure, type FailureDetails } from './failures.js';

export interface LoadCredentialsInput {
  connection: string;
}

export interface ListPageInput {
  connection: string;
  resource: ListableResourceName;
  limit: number;
  continue?: string;
  labelSelector?: string;
  /** Lists within this namespace only (a cluster id, for projects); all namespaces when absent. */
  namespace?: string;
}

export interface ListPageResult<Summary> {
  items: Summary[];
  continue?: string;
  remainingItemCount?: number;
}

export interface LoadPolicyInput {
  workflowType: GatedWorkflow;
  operationId?: string;
}

/** Builds the activities around their collaborators. */
export function createActivities(dependencies: ActivityDependencies) {
  const clientFor = createClientPool(dependencies);

  return {
    ...createBindingActivities(clientFor),
    ...createRequestActivities(dependencies, clientFor),
    ...createConnectionActivities(dependencies),

    /** Returns the approval policy for one workflow type and operation, from RANCHER_WORKFLOWS_POLICY_FILE or the defaults. */
    async loadApprovalPolicy(input: LoadPolicyInput): Promise<ApprovalPolicy> {
      try {
        const env = dependencies.policyFile ? { RANCHER_WORKFLOWS_POLICY_FILE: dependencies.policyFile } : process.env;
        const policy = await loadPolicy(input.workflowType, input.operationId, env);
        log.info('Loaded approval policy', { workflowType: input.workflowType, operationId: input.operationId, source: policy.source, requireApproval: policy.requireApproval });
        return policy;
      } catch (error) {
        log.error('Approval policy could not be loaded', { error: (error as Error).message });
        throw toApplicationFailure(error);
      }
    },

    /** Returns the connection's descriptor (domain, token hint, expiry), never the token. */
    async loadRancherCredentials(input: LoadCredentialsInput): Promise<ConnectionDescriptor> {
      try {
        const descriptor = describeConnection(await dependencies.connections.get(input.connection));
        log.info('Loaded Rancher connection', { connection: descriptor.id, domain: descriptor.domain });
        return descriptor;
      } catch (error) {
        log.warn('Rancher connection could not be loaded', { connection: input.connection, error: (error as Error).message });
        throw toApplicationFailure(error);
      }
    },

    /** Reads one page of a list and returns compact summaries of its items. */
    async listRancherPage<Name extends ListableResourceName>(input: ListPageInput & { resource: Name }): Promise<ListPageResult<SummaryOf<Name>>> {
      const resource = listableResources[input.resource];
      try {
        const client = await clientFor(input.connection);
        const page = await client.listPage(listPathOf(input.resource, input.namespace), {
          limit: input.limit,
          ...(input.continue ? { continue: input.continue } : {}),
          ...(input.labelSelector ? { labelSelector: input.labelSelector } : {}),
        });
        const items = page.items.map((item) => resource.summarize(item) as SummaryOf<Name>);
        log.info('Listed a page from Rancher', { connection: input.connection, resource: input.resource, items: items.length, more: Boolean(page.continue) });
        return {
          items,
          ...(page.continue ? { continue: page.continue } : {}),
          ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
        };
      } catch (error) {
        const failure = toApplicationFailure(error);
        log.warn('Rancher list request failed', { connection: input.connection, resource: input.resource, type: failure.type, error: failure.message });
        throw failure;
      }
    },
  };
}

export type RancherActivities = ReturnType<typeof createActivities>;
