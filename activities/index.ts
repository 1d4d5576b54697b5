/**
 * Activities: the only code that does I/O. Each one resolves the connection itself, inside
 * the worker, so the API key never travels through workflow history.
 */
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { ApplicationFailure, log } from '@temporalio/activity';
import { ZodError } from 'zod';
import { RancherClient } from '../src/rancher/client.js';
import { RancherError } from '../src/rancher/errors.js';
import { listableResources, type ListableResourceName, type SummaryOf } from '../src/rancher/resources.js';
import { ConnectionConfigError, describeConnection, type ConnectionDescriptor, type ConnectionRecord, type ConnectionSource } from '../src/connections/source.js';

/** Collaborators of the activities, so tests and the demo can pass their own. */
export interface ActivityDependencies {
  connections: ConnectionSource;
  /** Timeout of one HTTP request to Rancher, in milliseconds. */
  requestTimeoutMs?: number;
  /** DNS resolver for Rancher requests; tests inject one to simulate a lookup failure. */
  lookup?: LookupFunction;
}

export interface LoadCredentialsInput {
  connection: string;
}

export interface ListPageInput {
  connection: string;
  resource: ListableResourceName;
  limit: number;
  continue?: string;
  labelSelector?: string;
}

export interface ListPageResult<Summary> {
  items: Summary[];
  continue?: string;
  remainingItemCount?: number;
}

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

function fingerprint(record: ConnectionRecord): string {
  return createHash('sha256').update(`${record.domain}\n${record.token}\n${record.caPem ?? ''}`).digest('hex');
}

/** Builds the activities around their collaborators. */
export function createActivities(dependencies: ActivityDependencies) {
  // One client per connection, replaced when the connection's domain, token or CA changes.
  const clients = new Map<string, { fingerprint: string; client: RancherClient }>();

  async function clientFor(connection: string): Promise<RancherClient> {
    const record = await dependencies.connections.get(connection);
    const current = fingerprint(record);
    const cached = clients.get(connection);
    if (cached?.fingerprint === current) return cached.client;

    if (cached) void cached.client.close().catch(() => undefined);
    const client = new RancherClient({
      domain: record.domain,
      token: record.token,
      ...(record.caPem ? { ca: record.caPem } : {}),
      ...(dependencies.requestTimeoutMs ? { timeoutMs: dependencies.requestTimeoutMs } : {}),
      ...(dependencies.lookup ? { lookup: dependencies.lookup } : {}),
    });
    clients.set(connection, { fingerprint: current, client });
    return client;
  }

  return {
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
        const page = await client.listPage(resource.path, {
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
