/**
 * The activity behind `rancherApiRequest`: one allowlisted request to Rancher, checked against
 * the endpoint catalog again inside the worker, with the response checked against the schema.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { MAX_WATCH_EVENTS } from '../src/rancher/catalog.js';
import { RancherClient } from '../src/rancher/client.js';
import type { RancherMethod } from '../src/rancher/errors.js';
import { checkResponse, prepareApiRequest, ResponseSchemaError, toInvalidRequestFailure, type ApiRequestSpec, type CheckedResponse } from '../src/rancher/api-request.js';
import type { ActivityDependencies } from './clients.js';
import { toApplicationFailure, type FailureDetails } from './failures.js';

/** Input of `rancherRequest`: the request as the workflow checked it, with the connection. */
export interface RancherRequestInput extends ApiRequestSpec {
  connection: string;
}

/** Result of `rancherRequest`: the status and the checked body, with watch and redaction facts. */
export interface RancherRequestResult extends CheckedResponse {
  status: number;
  operationId: string;
  method: string;
  path: string;
}

/**
 * Extra time a watch's HTTP timeout allows beyond `timeoutSeconds`, so that the server ends the
 * stream before the client gives up waiting for the next chunk.
 */
const WATCH_TIMEOUT_MARGIN_MS = 15_000;

function contentTypeFor(method: RancherMethod, body: unknown): string | undefined {
  if (method !== 'PATCH') return undefined;
  // An array is a JSON patch (RFC 6902); an object is a JSON merge patch (RFC 7386).
  return Array.isArray(body) ? 'application/json-patch+json' : 'application/merge-patch+json';
}

/** Builds the request activity on the worker's client pool and connection source. */
export function createRequestActivities(dependencies: ActivityDependencies, clientFor: (connection: string) => Promise<RancherClient>) {
  /** Creates a client for one watch, whose HTTP timeout exceeds the watch's `timeoutSeconds`. */
  async function watchClientFor(connection: string, timeoutSeconds: number): Promise<RancherClient> {
    const record = await dependencies.connections.get(connection);
    return new RancherClient({
      domain: record.domain,
      token: record.token,
      ...(record.caPem ? { ca: record.caPem } : {}),
      timeoutMs: timeoutSeconds * 1000 + WATCH_TIMEOUT_MARGIN_MS,
      ...(dependencies.lookup ? { lookup: dependencies.lookup } : {}),
    });
  }

  return {
    /**
     * Sends one request that the endpoint catalog allows and returns the status and the body.
     * Throws a non-retryable `InvalidRancherRequest` failure for a request outside the catalog,
     * a non-retryable `RancherResponseError` failure naming the field when the response does not
     * match the operation's schema, and the classified Rancher error otherwise.
     */
    async rancherRequest(input: RancherRequestInput): Promise<RancherRequestResult> {
      let prepared;
      try {
        prepared = prepareApiRequest(input);
      } catch (error) {
        throw toApplicationFailure(toInvalidRequestFailure(error));
      }
      const { operation } = prepared;
      const method = operation.method;

      let client: RancherClient | undefined;
      let ownClient = false;
      try {
        if (prepared.watch) {
          client = await watchClientFor(input.connection, Number(prepared.query.timeoutSeconds));
          ownClient = true;
        } else {
          client = await clientFor(input.connection);
        }

        const contentType = contentTypeFor(method, prepared.body);
        // NOTE: the client reads a watch stream to its end before the event cap applies. So
        // timeoutSeconds (at most 60) bounds the time and memory, and MAX_WATCH_EVENTS bounds the result.
        const response = await client.request({
          method,
          path: prepared.path,
          query: prepared.query,
          ...(prepared.body !== undefined ? { body: prepared.body } : {}),
          ...(contentType ? { contentType } : {}),
        });
        const checked = checkResponse(prepared, response.body);
        log.info('Rancher API request done', {
          connection: input.connection,
          operationId: operation.operationId,
          status: response.status,
          ...(checked.watchEvents !== undefined ? { watchEvents: checked.watchEvents, maxWatchEvents: MAX_WATCH_EVENTS } : {}),
        });
        return { status: response.status, operationId: operation.operationId, method, path: prepared.path, ...checked };
      } catch (error) {
        if (error instanceof ResponseSchemaError) {
          log.warn('Rancher response does not match the schema', { connection: input.connection, operationId: operation.operationId, field: error.field });
          throw ApplicationFailure.create({
            type: 'RancherResponseError',
            message: error.message,
            nonRetryable: true,
            details: [{ code: 'not-rancher', method, path: prepared.path, field: error.field } satisfies FailureDetails],
          });
        }
        const failure = toApplicationFailure(error);
        log.warn('Rancher API request failed', { connection: input.connection, operationId: operation.operationId, type: failure.type, error: failure.message });
        throw failure;
      } finally {
        if (ownClient && client) await client.close().catch(() => undefined);
      }
    },
  };
}
