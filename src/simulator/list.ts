/**
 * Kubernetes list semantics over the store: selectors, `limit`, `continue` and the list envelope.
 */
import { apiVersionOf, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorSyntaxError, type SelectorRequirement } from './selectors.js';
import { badRequest, SimulatorResponseError } from './status.js';
import { compareKeys, type ObjectStore, type StoredObject } from './store.js';

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
}

/**
 * Parses `limit`, `continue`, `labelSelector` and `fieldSelector` from a query string.
 * @throws {SimulatorResponseError} with a 400 `BadRequest` status for a malformed value.
 */
export function parseListQuery(searchParams: URLSearchParams): ListQuery {
  const query: ListQuery = { labelSelector: [], fieldSelector: [] };

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
 * NOTE: a continued list reads the store as it is now, not as it was at the token's
 * resourceVersion, so objects created or deleted between pages show up or vanish the way they
 * would with `resourceVersionMatch=NotOlderThan`; kube-apiserver instead serves a consistent
 * snapshot and returns 410 Expired once that snapshot is compacted.
 */
export function listPage(store: ObjectStore, resource: ResourceType, query: ListQuery, namespace?: string): ListEnvelope {
  const resourceVersion = query.continueToken?.resourceVersion ?? store.resourceVersion;
  const lastKey = query.continueToken?.lastKey;

  const matching = store
    .list(resource, namespace)
    .filter(({ key }) => lastKey === undefined || compareKeys(key, lastKey) > 0)
    .filter(({ object }) => matchesLabels(query.labelSelector, object.metadata.labels))
    .filter(({ object }) => matchesFields(query.fieldSelector, object));

  const page = query.limit === undefined ? matching : matching.slice(0, query.limit);
  const envelope: ListEnvelope = {
    apiVersion: apiVersionOf(resource),
    kind: resource.listKind,
    metadata: { resourceVersion: String(resourceVersion) },
    items: page.map(({ object }) => object),
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
