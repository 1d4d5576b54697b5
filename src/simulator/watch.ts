/**
 * Kubernetes watches: `watch=true` on a list path and the deprecated `/watch/` paths respond with
 * `Content-Type: application/json;stream=watch` and one `{"type": ..., "object": ...}` JSON
 * document per line, then end the response after `timeoutSeconds`.
 *
 * Without a resourceVersion (or with `"0"`) the watch starts with one `ADDED` event per existing
 * object, as kube-apiserver does by default. With a resourceVersion it replays the changes made
 * after it, or sends one `ERROR` event with a 410 `Expired` Status when that revision has been
 * compacted. An object that starts or stops matching the selectors arrives as `ADDED` or
 * `DELETED`. Bookmarks are never sent.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseListQuery } from './list.js';
import { isVisible, listOperation, presentObject, requesterOf, type Operation, type OperationRequest } from './operations.js';
import { matchesFields, matchesLabels } from './selectors.js';
import { badRequest, expiredResourceVersion, SimulatorResponseError, type SimulatorResponse } from './status.js';
import { RevisionCompactedError, type StoreChange, type StoredObject } from './store.js';

/** Length of a watch whose request sets no `timeoutSeconds` (or 0), in seconds. */
export const defaultWatchSeconds = 60;

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';
  object: unknown;
}

/** Serves a list, or a watch when the query has `watch=true` (or `watch=1`). */
export const listOrWatchOperation: Operation = (request) => {
  const watch = request.query.get('watch');
  if (watch === 'true' || watch === '1') {
    return watchOperation(request);
  }
  return listOperation(request);
};

/** Streams the changes to a collection, or to one object when the path names it. */
export const watchOperation: Operation = (request): SimulatorResponse => {
  const { context, resource, namespace, name } = request;
  const requester = requesterOf(request);
  const query = parseListQuery(request.query);
  const timeoutMs = parseTimeoutSeconds(request.query.get('timeoutSeconds')) * 1000;

  const matches = (object: StoredObject | undefined): object is StoredObject =>
    object !== undefined &&
    (namespace === undefined || object.metadata.namespace === namespace) &&
    (name === undefined || object.metadata.name === name) &&
    matchesLabels(query.labelSelector, object.metadata.labels) &&
    matchesFields(query.fieldSelector, object) &&
    isVisible(context, resource, object, requester);

  const toEvent = (change: StoreChange): WatchEvent | undefined => {
    const before = matches(change.before);
    const after = change.type !== 'DELETED' && matches(change.object);
    const object = presentObject(context, resource, change.object, requester);
    if (before && after) {
      return { type: 'MODIFIED', object };
    }
    if (after) {
      return { type: 'ADDED', object };
    }
    if (before || (change.type === 'DELETED' && matches(change.object))) {
      return { type: 'DELETED', object };
    }
    return undefined;
  };

  return {
    status: 200,
    body: undefined,
    headers: { 'Content-Type': 'application/json;stream=watch' },
    stream: async (send, closed) => {
      const pending: WatchEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = context.store.subscribe((change) => {
        if (change.resourceKey !== `${resource.group}/${resource.version}/${resource.plural}`) {
          return;
        }
        const event = toEvent(change);
        if (event) {
          pending.push(event);
          wake?.();
        }
      });

      try {
        for (const event of initialEvents(request, query.resourceVersion, matches, toEvent)) {
          send(event);
        }

        const deadline = Date.now() + timeoutMs;
        while (!closed.aborted && Date.now() < deadline) {
          for (let event = pending.shift(); event; event = pending.shift()) {
            send(event);
          }
          const woken = new Promise<void>((resolve) => {
            wake = resolve;
          });
          await Promise.race([woken, delay(Math.max(0, deadline - Date.now()), undefined, { signal: closed }).catch(() => undefined)]);
          wake = undefined;
        }
        for (let event = pending.shift(); event && !closed.aborted; event = pending.shift()) {
          send(event);
        }
      } finally {
        unsubscribe();
      }
    },
  };
};

function initialEvents(
  request: OperationRequest,
  resourceVersion: number | undefined,
  matches: (object: StoredObject | undefined) => object is StoredObject,
  toEvent: (change: StoreChange) => WatchEvent | undefined,
): WatchEvent[] {
  const { context, resource, namespace } = request;
  const requester = requesterOf(request);

  if (resourceVersion === undefined || resourceVersion === 0) {
    return context.store
      .list(resource, namespace)
      .filter(({ object }) => matches(object))
      .map(({ object }) => ({ type: 'ADDED', object: presentObject(context, resource, object, requester) }));
  }

  try {
    return context.store.changesSince(resource, resourceVersion).flatMap((change) => toEvent(change) ?? []);
  } catch (error) {
    if (error instanceof RevisionCompactedError) {
      return [{ type: 'ERROR', object: expiredResourceVersion(resourceVersion, error.compactedRevision).body }];
    }
    throw error;
  }
}

function parseTimeoutSeconds(value: string | null): number {
  if (value === null || value === '') {
    return defaultWatchSeconds;
  }
  if (!/^\d+$/.test(value)) {
    throw new SimulatorResponseError(badRequest(`invalid timeoutSeconds "${value}": must be a non-negative integer`));
  }
  // kube-apiserver reads 0 as "not set".
  const seconds = Number(value);
  return seconds === 0 ? defaultWatchSeconds : seconds;
}
