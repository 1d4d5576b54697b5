/**
 * Kubernetes list semantics over the store: selectors, `limit`, `continue`, `resourceVersion`
 * and the list envelope.
 */
import { apiVersionOf, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorSyntaxError, type SelectorRequirement } from './selectors.js';
import { badRequest, expiredContinue, expiredResourceVersion, SimulatorResponseError, tooLargeResourceVersion } from './status.js';
import { compareKeys, FutureRevisionError, RevisionCompactedError, type ObjectStore, type StoredObject } from './store.js';

/** The list envelope kube-apiserver returns, e.g. `{apiVersion, kind: "UserList", metadata, items}`. */
export interface ListEnvelope {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: StoredObject[];
}

/** The decoded contents of a `continue` token. */
export interface ContinueToken {
  /** The resourceVersion of the first page. */
  resourceVersion: number;
  /** The store key of the last object on the previous page; the next page starts after it. */
  lastKey: string;
}

/** The list query parameters the simulator applies. */
export interface ListQuery {
  limit?: number;
  continueToken?: ContinueToken;
  labelSelector: SelectorRequirement[];
  fieldSelector: SelectorRequirement[];
  /** The `resourceVersion` parameter as a number; absent for `""`, and 0 for `"0"`. */
  resourceVersion?: number;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/**
 * Parses `limit`, `continue`, `labelSelector`, `fieldSelector`, `resourceVersion` and
 * `resourceVersionMatch` from a query string.
 * @throws {SimulatorResponseError} with a 400 `BadRequest` status for a malformed value or a
 *   combination kube-apiserver rejects.
 */
export function parseListQuery(searchParams: URLSearchParams): ListQuery {
  const query: ListQuery = { labelSelector: [], fieldSelector: [] };

  const resourceVersion = searchParams.get('resourceVersion');
  if (resourceVersion !== null && resourceVersion !== '') {
    if (!/^\d+$/.test(resourceVersion)) {
      throw new SimulatorResponseError(badRequest(`invalid resourceVersion "${resourceVersion}": must be a non-negative integer`));
    }
    query.resourceVersion = Number(resourceVersion);
  }

  const match = searchParams.get('resourceVersionMatch');
  if (match !== null && match !== '') {
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      throw new SimulatorResponseError(badRequest(`invalid resourceVersionMatch "${match}": must be Exact or NotOlderThan`));
    }
    if (query.resourceVersion === undefined) {
      throw new SimulatorResponseError(badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided'));
    }
    if (match === 'Exact' && query.resourceVersion === 0) {
      throw new SimulatorResponseError(badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"'));
    }
    query.resourceVersionMatch = match;
  }

  const limit = searchParams.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^\d+$/.test(limit)) {
      throw new SimulatorResponseError(badRequest(`invalid limit "${limit}": must be a non-negative integer`));
    }
    const parsed = Number(limit);
    // kube-apiserver treats limit=0 as "no limit".
    if (parsed > 0) {
      query.limit = parsed;
    }
  }

  const continueValue = searchParams.get('continue');
  if (continueValue !== null && continueValue !== '') {
    if (query.resourceVersion !== undefined && query.resourceVersion !== 0) {
      throw new SimulatorResponseError(badRequest('specifying resourceVersion is not allowed when using continue; the continue token carries the resourceVersion of the list'));
    }
    query.continueToken = decodeContinueToken(continueValue);
  }

  try {
    query.labelSelector = parseLabelSelector(searchParams.get('labelSelector') ?? '');
    query.fieldSelector = parseFieldSelector(searchParams.get('fieldSelector') ?? '');
  } catch (error) {
    if (error instanceof SelectorSyntaxError) {
      throw new SimulatorResponseError(badRequest(error.message));
    }
    throw error;
  }

  return query;
}

/**
 * Builds one page of a list, sorted by key, after applying the selectors.
 *
 * Every page of a continued list reads the store as it was at the first page's resourceVersion,
 * like kube-apiserver reading etcd at that revision, so writes between pages never show up in
 * later pages. Once the store's history no longer reaches back that far, a request with the
 * continue token gets `410 Expired`. `visible` drops objects the requester may not see before paging.
 * @throws {SimulatorResponseError} with 410 `Expired` for a compacted revision, or 504 for a
 *   resourceVersion newer than the store's.
 */
export function listPage(store: ObjectStore, resource: ResourceType, query: ListQuery, namespace?: string, visible?: (object: StoredObject) => boolean): ListEnvelope {
  const resourceVersion = listRevision(store, query);
  const lastKey = query.continueToken?.lastKey;

  const matching = readSnapshot(store, resource, resourceVersion, query, namespace)
    .filter(({ key }) => lastKey === undefined || compareKeys(key, lastKey) > 0)
    .filter(({ object }) => visible === undefined || visible(object))
    .filter(({ object }) => matchesLabels(query.labelSelector, object.metadata.labels))
    .filter(({ object }) => matchesFields(query.fieldSelector, object));

  const page = query.limit === undefined ? matching : matching.slice(0, query.limit);
  const envelope: ListEnvelope = {
    apiVersion: apiVersionOf(resource),
    kind: resource.listKind,
    metadata: { resourceVersion: String(resourceVersion) },
    items: page.map(({ object }) => structuredClone(object)),
  };

  const remaining = matching.length - page.length;
  const last = page.at(-1);
  if (remaining > 0 && last) {
    envelope.metadata.continue = encodeContinueToken({ resourceVersion, lastKey: last.key });
    // kube-apiserver leaves the count unset when a selector is present, because etcd cannot
    // count matching keys without reading them.
    if (query.labelSelector.length === 0 && query.fieldSelector.length === 0) {
      envelope.metadata.remainingItemCount = remaining;
    }
  }

  return envelope;
}

/**
 * Picks the revision a list reads: the token's for a continued list, the requested one for
 * `resourceVersionMatch=Exact`, and the latest otherwise. `NotOlderThan` and the legacy form
 * without a match may serve any revision at least as new, and the latest always is.
 */
function listRevision(store: ObjectStore, query: ListQuery): number {
  if (query.continueToken) {
    return query.continueToken.resourceVersion;
  }
  if (query.resourceVersion !== undefined && query.resourceVersion > store.resourceVersion) {
    throw new SimulatorResponseError(tooLargeResourceVersion(query.resourceVersion, store.resourceVersion));
  }
  if (query.resourceVersionMatch === 'Exact' && query.resourceVersion !== undefined) {
    return query.resourceVersion;
  }
  return store.resourceVersion;
}

function readSnapshot(store: ObjectStore, resource: ResourceType, revision: number, query: ListQuery, namespace: string | undefined): { key: string; object: StoredObject }[] {
  try {
    return store.listAt(resource, revision, namespace, { copy: false });
  } catch (error) {
    if (error instanceof RevisionCompactedError && query.continueToken) {
      // Like kube-apiserver, offer a token that continues after the same key at the latest
      // revision. A client that uses it accepts a list that is no longer one snapshot.
      const inconsistent = encodeContinueToken({ resourceVersion: store.resourceVersion, lastKey: query.continueToken.lastKey });
      throw new SimulatorResponseError(expiredContinue(inconsistent));
    }
    if (error instanceof RevisionCompactedError) {
      throw new SimulatorResponseError(expiredResourceVersion(error.requestedRevision, error.compactedRevision));
    }
    if (error instanceof FutureRevisionError) {
      throw new SimulatorResponseError(tooLargeResourceVersion(error.requestedRevision, store.resourceVersion));
    }
    throw error;
  }
}

/** Encodes a continue token as base64url JSON, the form kube-apiserver uses (opaque to clients). */
export function encodeContinueToken(token: ContinueToken): string {
  const json = JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.resourceVersion, start: `${token.lastKey}\u0000` });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Decodes a continue token made by `encodeContinueToken`.
 * @throws {SimulatorResponseError} with a 400 `BadRequest` status when the value is not such a token.
 */
export function decodeContinueToken(value: string): ContinueToken {
  const invalid = (reason: string): SimulatorResponseError => new SimulatorResponseError(badRequest(`invalid continue token: ${reason}`));

  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    throw invalid('not base64url');
  }

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not JSON after base64url decoding');
  }

  const fields = decoded as { v?: unknown; rv?: unknown; start?: unknown } | null;
  if (typeof fields !== 'object' || fields === null || fields.v !== 'meta.k8s.io/v1') {
    throw invalid('unknown token version');
  }
  if (typeof fields.rv !== 'number' || !Number.isSafeInteger(fields.rv) || fields.rv <= 0) {
    throw invalid('resource version must be a positive integer');
  }
  if (typeof fields.start !== 'string' || !fields.start.endsWith('\u0000') || fields.start.length < 2) {
    throw invalid('missing start key');
  }

  return { resourceVersion: fields.rv, lastKey: fields.start.slice(0, -1) };
}
