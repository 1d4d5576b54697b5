/**
 * The endpoint catalog: the allowlist of Rancher API operations that this project may request.
 *
 * Rancher v2.13 publishes an OpenAPI 2.0 document with 31 paths and 89 operations for users,
 * global roles, global role bindings, role templates, projects, cluster and project role template
 * bindings, ext tokens, kubeconfigs and audit policies. The catalog contains exactly those operations,
 * built from one table row per resource family, and a unit test compares it with the document.
 * Nothing outside the catalog can be requested.
 *
 * This module has no I/O so that workflow code may import it.
 */
import type { z } from 'zod';
import {
  AuditPolicyCreateSchema,
  AuditPolicyListSchema,
  AuditPolicySchema,
  ClusterRoleTemplateBindingCreateSchema,
  ClusterRoleTemplateBindingListSchema,
  ClusterRoleTemplateBindingSchema,
  DeleteOptionsSchema,
  GlobalRoleBindingCreateSchema,
  GlobalRoleBindingListSchema,
  GlobalRoleBindingSchema,
  GlobalRoleCreateSchema,
  GlobalRoleListSchema,
  GlobalRoleSchema,
  KubeconfigCreateSchema,
  KubeconfigListSchema,
  KubeconfigSchema,
  ListEnvelopeSchema,
  PatchBodySchema,
  ProjectCreateSchema,
  ProjectListSchema,
  ProjectRoleTemplateBindingCreateSchema,
  ProjectRoleTemplateBindingListSchema,
  ProjectRoleTemplateBindingSchema,
  ProjectSchema,
  RoleTemplateCreateSchema,
  RoleTemplateListSchema,
  RoleTemplateSchema,
  StatusSchema,
  TokenCreateSchema,
  TokenListSchema,
  TokenSchema,
  UserCreateSchema,
  UserListSchema,
  UserSchema,
  WatchEventSchema,
} from './schemas.js';

/** Maximum watch duration in seconds: every watch must set `timeoutSeconds` between 1 and this value. */
export const MAX_WATCH_SECONDS = 60;

/**
 * The maximum number of watch events a caller collects before it stops reading the stream.
 * The events travel through Temporal as one activity result, and Temporal's default payload limit
 * is 2 MB. Objects of these kinds are roughly 1–4 KB of JSON (an estimate from typical objects),
 * so 250 events stay below 1 MB. The catalog only exports the cap; the code that reads the stream
 * enforces it.
 */
export const MAX_WATCH_EVENTS = 250;

/** The maximum length of a Kubernetes object name (an RFC 1123 subdomain). */
export const MAX_KUBERNETES_NAME_LENGTH = 253;

/** HTTP methods that appear in the catalog. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The `x-kubernetes-action` of an operation. */
export type KubernetesAction = 'list' | 'get' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

/** The JSON type of a query parameter as the OpenAPI document declares it. */
export type QueryParamType = 'string' | 'integer' | 'boolean';

/** One Rancher API operation that the project may request. */
export interface CatalogOperation {
  /** Rancher's own operation id, such as `listManagementCattleIoV3User`. */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The path with `{namespace}` and `{name}` placeholders, as the OpenAPI document writes it. */
  readonly pathTemplate: string;
  /** Names of the path parameters in the order they appear in the template. */
  readonly pathParams: readonly string[];
  /** Every query parameter the document allows, operation-level and path-level, sorted by name. */
  readonly queryParams: readonly string[];
  readonly action: KubernetesAction;
  /** True for every write and for collection deletes: such requests pass the approval gate. */
  readonly mutating: boolean;
  /** True when the document marks the operation deprecated (the legacy `/watch/` paths). */
  readonly deprecated: boolean;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The plural resource name in the path, such as `globalrolebindings`. */
  readonly resource: string;
  /** The subresource the path addresses, if any. */
  readonly subresource: 'status' | undefined;
  /** Whether objects of this kind live in a namespace. */
  readonly namespaced: boolean;
  /** The schema of the request body, or undefined when the operation takes no body. */
  readonly bodySchema: z.ZodType | undefined;
  /** The OpenAPI definition of the request body, or undefined when the operation takes no body. */
  readonly bodyDefinition: string | undefined;
  readonly bodyRequired: boolean;
  /** The schema of a successful response body (of each event, for watches). */
  readonly responseSchema: z.ZodType;
  /** The OpenAPI definition of the `200` response body. */
  readonly responseDefinition: string;
}

/** Rule that a rejected request broke, as carried by {@link CatalogError}. */
export type CatalogErrorCode =
  | 'not-in-catalog'
  | 'method-not-allowed'
  | 'unknown-operation'
  | 'invalid-param'
  | 'missing-param'
  | 'invalid-query'
  | 'unbounded-watch';

/** Error for a request that the endpoint catalog does not allow. `code` names the rule it broke. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly code: CatalogErrorCode;
  /** The operation involved, when one was identified. */
  readonly operationId: string | undefined;
  /** The path parameter or query parameter at fault, if any. */
  readonly parameter: string | undefined;

  constructor(code: CatalogErrorCode, message: string, details: { operationId?: string; parameter?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.operationId = details.operationId;
    this.parameter = details.parameter;
  }
}

// ---------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------

const queryParamTypes: Readonly<Record<string, QueryParamType>> = {
  allowWatchBookmarks: 'boolean',
  continue: 'string',
  dryRun: 'string',
  fieldManager: 'string',
  fieldSelector: 'string',
  fieldValidation: 'string',
  force: 'boolean',
  gracePeriodSeconds: 'integer',
  ignoreStoreReadErrorWithClusterBreakingPotential: 'boolean',
  labelSelector: 'string',
  limit: 'integer',
  orphanDependents: 'boolean',
  pretty: 'string',
  propagationPolicy: 'string',
  resourceVersion: 'string',
  resourceVersionMatch: 'string',
  sendInitialEvents: 'boolean',
  timeoutSeconds: 'integer',
  watch: 'boolean',
};

/** String parameters whose valid values the OpenAPI document lists in their descriptions. */
const queryParamValues: Readonly<Record<string, readonly string[]>> = {
  dryRun: ['All'],
  fieldValidation: ['Ignore', 'Warn', 'Strict'],
  propagationPolicy: ['Orphan', 'Background', 'Foreground'],
};

/** Options of a list or watch request. */
const LIST_QUERY = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];
const WRITE_QUERY = ['dryRun', 'fieldManager', 'fieldValidation'];
const DELETE_QUERY = ['dryRun', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'orphanDependents', 'propagationPolicy'];

/**
 * A collection delete on the extension API server takes the delete options plus the list
 * selection options, except `watch` and `allowWatchBookmarks`. The CRD-backed groups take the
 * list options only.
 */
const EXTENSION_DELETE_COLLECTION_QUERY = [
  ...DELETE_QUERY,
  ...LIST_QUERY.filter((name) => name !== 'watch' && name !== 'allowWatchBookmarks'),
];

// ---------------------------------------------------------------------------
// Resource families
// ---------------------------------------------------------------------------

/**
 * One kind with the paths Rancher publishes for it. `server` names the Rancher component that
 * serves the group, because the CRD-backed groups and the extension API server (`ext.cattle.io`)
 * accept slightly different parameters.
 */
interface ResourceFamily {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  server: 'crd' | 'extension';
  /** Whether `{item}/status` exists. */
  statusSubresource: boolean;
  /** Whether a namespaced kind also has a list path across all namespaces. */
  listAcrossNamespaces: boolean;
  /** Whether the deprecated `/watch/` paths exist. */
  watchPaths: boolean;
  schema: z.ZodType;
  createSchema: z.ZodType;
  listSchema: z.ZodType;
}

const MANAGEMENT = { group: 'management.cattle.io', version: 'v3', server: 'crd' } as const;
const EXTENSION = { group: 'ext.cattle.io', version: 'v1', server: 'extension' } as const;
const AUDITLOG = { group: 'auditlog.cattle.io', version: 'v1', server: 'crd' } as const;

const NO_EXTRA_PATHS = { statusSubresource: false, listAcrossNamespaces: false, watchPaths: false };

const families: readonly ResourceFamily[] = [
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'User',
    resource: 'users',
    namespaced: false,
    schema: UserSchema,
    createSchema: UserCreateSchema,
    listSchema: UserListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'GlobalRole',
    resource: 'globalroles',
    namespaced: false,
    statusSubresource: true,
    schema: GlobalRoleSchema,
    createSchema: GlobalRoleCreateSchema,
    listSchema: GlobalRoleListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'GlobalRoleBinding',
    resource: 'globalrolebindings',
    namespaced: false,
    statusSubresource: true,
    schema: GlobalRoleBindingSchema,
    createSchema: GlobalRoleBindingCreateSchema,
    listSchema: GlobalRoleBindingListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'RoleTemplate',
    resource: 'roletemplates',
    namespaced: false,
    schema: RoleTemplateSchema,
    createSchema: RoleTemplateCreateSchema,
    listSchema: RoleTemplateListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'Project',
    resource: 'projects',
    namespaced: true,
    listAcrossNamespaces: true,
    schema: ProjectSchema,
    createSchema: ProjectCreateSchema,
    listSchema: ProjectListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'ClusterRoleTemplateBinding',
    resource: 'clusterroletemplatebindings',
    namespaced: true,
    statusSubresource: true,
    listAcrossNamespaces: true,
    schema: ClusterRoleTemplateBindingSchema,
    createSchema: ClusterRoleTemplateBindingCreateSchema,
    listSchema: ClusterRoleTemplateBindingListSchema,
  },
  {
    ...MANAGEMENT,
    ...NO_EXTRA_PATHS,
    kind: 'ProjectRoleTemplateBinding',
    resource: 'projectroletemplatebindings',
    namespaced: true,
    listAcrossNamespaces: true,
    schema: ProjectRoleTemplateBindingSchema,
    createSchema: ProjectRoleTemplateBindingCreateSchema,
    listSchema: ProjectRoleTemplateBindingListSchema,
  },
  {
    ...EXTENSION,
    ...NO_EXTRA_PATHS,
    kind: 'Token',
    resource: 'tokens',
    namespaced: false,
    watchPaths: true,
    schema: TokenSchema,
    createSchema: TokenCreateSchema,
    listSchema: TokenListSchema,
  },
  {
    ...EXTENSION,
    ...NO_EXTRA_PATHS,
    kind: 'Kubeconfig',
    resource: 'kubeconfigs',
    namespaced: false,
    watchPaths: true,
    schema: KubeconfigSchema,
    createSchema: KubeconfigCreateSchema,
    listSchema: KubeconfigListSchema,
  },
  {
    ...AUDITLOG,
    ...NO_EXTRA_PATHS,
    kind: 'AuditPolicy',
    resource: 'auditpolicies',
    namespaced: false,
    statusSubresource: true,
    schema: AuditPolicySchema,
    createSchema: AuditPolicyCreateSchema,
    listSchema: AuditPolicyListSchema,
  },
];

// ---------------------------------------------------------------------------
// Expansion of a family into operations
// ---------------------------------------------------------------------------

const STATUS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const WATCH_EVENT_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';

const methodOfAction: Readonly<Record<KubernetesAction, HttpMethod>> = {
  list: 'GET',
  get: 'GET',
  watch: 'GET',
  watchlist: 'GET',
  post: 'POST',
  put: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

/** The leading verb of a Kubernetes operation id for each action. */
const verbOfAction: Readonly<Record<KubernetesAction, string>> = {
  list: 'list',
  get: 'read',
  watch: 'watch',
  watchlist: 'watch',
  post: 'create',
  put: 'replace',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'delete',
};

const MUTATING_ACTIONS: ReadonlySet<KubernetesAction> = new Set(['post', 'put', 'patch', 'delete', 'deletecollection']);

/** Position of an operation's path in a family's layout. */
type PathRole = 'collection' | 'item' | 'status' | 'allNamespaces' | 'watchCollection' | 'watchItem';

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Build an operation id the way the Kubernetes OpenAPI generator does: verb, group in PascalCase,
 * version, `Collection` for collection deletes, `Namespaced` under `/namespaces/{namespace}/`, the
 * kind, and a suffix for subresources, all-namespace lists and list watches. For example
 * `deleteManagementCattleIoV3CollectionNamespacedProject`.
 */
function buildOperationId(family: ResourceFamily, action: KubernetesAction, role: PathRole): string {
  const groupVersion = family.group.split('.').map(capitalize).join('') + capitalize(family.version);
  const underNamespace = family.namespaced && role !== 'allNamespaces';
  let suffix = '';
  if (role === 'status') suffix = 'Status';
  else if (role === 'allNamespaces') suffix = 'ForAllNamespaces';
  else if (action === 'watchlist') suffix = 'List';

  return (
    verbOfAction[action] +
    groupVersion +
    (action === 'deletecollection' ? 'Collection' : '') +
    (underNamespace ? 'Namespaced' : '') +
    family.kind +
    suffix
  );
}

function buildPathTemplate(family: ResourceFamily, role: PathRole): string {
  const prefix = `/apis/${family.group}/${family.version}`;
  const scope = family.namespaced ? 'namespaces/{namespace}/' : '';

  switch (role) {
    case 'collection':
      return `${prefix}/${scope}${family.resource}`;
    case 'item':
      return `${prefix}/${scope}${family.resource}/{name}`;
    case 'status':
      return `${prefix}/${scope}${family.resource}/{name}/status`;
    case 'allNamespaces':
      return `${prefix}/${family.resource}`;
    case 'watchCollection':
      return `${prefix}/watch/${scope}${family.resource}`;
    case 'watchItem':
      return `${prefix}/watch/${scope}${family.resource}/{name}`;
  }
}

/**
 * List the query parameters of an operation. Every path declares `pretty`. The all-namespace list
 * paths and the `/watch/` paths declare the list options at path level instead of on the
 * operation, with the same result.
 */
function queryParamsFor(family: ResourceFamily, action: KubernetesAction): string[] {
  let names: string[];
  switch (action) {
    case 'list':
    case 'watch':
    case 'watchlist':
      names = LIST_QUERY;
      break;
    case 'get':
      // The extension API server publishes no `resourceVersion` option for a single read.
      names = family.server === 'crd' ? ['resourceVersion'] : [];
      break;
    case 'post':
    case 'put':
      names = WRITE_QUERY;
      break;
    case 'patch':
      names = [...WRITE_QUERY, 'force'];
      break;
    case 'delete':
      names = DELETE_QUERY;
      break;
    case 'deletecollection':
      names = family.server === 'crd' ? LIST_QUERY : EXTENSION_DELETE_COLLECTION_QUERY;
      break;
  }

  return [...names, 'pretty'].sort();
}

function definitionOf(family: ResourceFamily, suffix = ''): string {
  const groupPrefix = family.group.split('.')[0] ?? family.group;
  return `io.cattle.${groupPrefix}.${family.version}.${family.kind}${suffix}`;
}

function bodyFor(family: ResourceFamily, action: KubernetesAction): Pick<CatalogOperation, 'bodySchema' | 'bodyDefinition' | 'bodyRequired'> {
  switch (action) {
    case 'post':
      return { bodySchema: family.createSchema, bodyDefinition: definitionOf(family), bodyRequired: true };
    case 'put':
      return { bodySchema: family.schema, bodyDefinition: definitionOf(family), bodyRequired: true };
    case 'patch':
      return { bodySchema: PatchBodySchema, bodyDefinition: PATCH_DEFINITION, bodyRequired: true };
    case 'delete':
      return { bodySchema: DeleteOptionsSchema, bodyDefinition: DELETE_OPTIONS_DEFINITION, bodyRequired: false };
    case 'deletecollection':
      // Only the extension API server publishes a body for collection deletes.
      return family.server === 'extension'
        ? { bodySchema: DeleteOptionsSchema, bodyDefinition: DELETE_OPTIONS_DEFINITION, bodyRequired: false }
        : { bodySchema: undefined, bodyDefinition: undefined, bodyRequired: false };
    default:
      return { bodySchema: undefined, bodyDefinition: undefined, bodyRequired: false };
  }
}

function responseFor(family: ResourceFamily, action: KubernetesAction): Pick<CatalogOperation, 'responseSchema' | 'responseDefinition'> {
  switch (action) {
    case 'list':
      return { responseSchema: family.listSchema, responseDefinition: definitionOf(family, 'List') };
    case 'watch':
    case 'watchlist':
      return { responseSchema: WatchEventSchema, responseDefinition: WATCH_EVENT_DEFINITION };
    case 'delete':
      // The document declares a Status, but a Kubernetes API server returns the object itself
      // while finalizers still hold it, so both shapes are accepted.
      return { responseSchema: StatusSchema.or(family.schema), responseDefinition: STATUS_DEFINITION };
    case 'deletecollection':
      // Likewise, a collection delete may return the list of deleted objects.
      return { responseSchema: StatusSchema.or(ListEnvelopeSchema), responseDefinition: STATUS_DEFINITION };
    default:
      return { responseSchema: family.schema, responseDefinition: definitionOf(family) };
  }
}

function buildOperation(family: ResourceFamily, role: PathRole, action: KubernetesAction): CatalogOperation {
  const pathTemplate = buildPathTemplate(family, role);
  const pathParams = [...pathTemplate.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');

  return Object.freeze({
    operationId: buildOperationId(family, action, role),
    method: methodOfAction[action],
    pathTemplate,
    pathParams: Object.freeze(pathParams),
    queryParams: Object.freeze(queryParamsFor(family, action)),
    action,
    mutating: MUTATING_ACTIONS.has(action),
    deprecated: role === 'watchCollection' || role === 'watchItem',
    group: family.group,
    version: family.version,
    kind: family.kind,
    resource: family.resource,
    subresource: role === 'status' ? 'status' : undefined,
    namespaced: family.namespaced,
    ...bodyFor(family, action),
    ...responseFor(family, action),
  });
}

function expandFamily(family: ResourceFamily): CatalogOperation[] {
  const layout: [PathRole, KubernetesAction[]][] = [
    ['collection', ['list', 'post', 'deletecollection']],
    ['item', ['get', 'put', 'delete', 'patch']],
  ];
  if (family.statusSubresource) layout.push(['status', ['get', 'put', 'patch']]);
  if (family.namespaced && family.listAcrossNamespaces) layout.push(['allNamespaces', ['list']]);
  if (family.watchPaths) layout.push(['watchCollection', ['watchlist']], ['watchItem', ['watch']]);

  return layout.flatMap(([role, actions]) => actions.map((action) => buildOperation(family, role, action)));
}

/** All 89 operations of the allowlist, in the order of the family table. */
export const catalog: readonly CatalogOperation[] = Object.freeze(families.flatMap(expandFamily));

const operationsById = new Map(catalog.map((operation) => [operation.operationId, operation]));

/** Group items by key, keeping first-seen order (`Map.groupBy` needs Node 21). */
function groupBy<Item>(items: readonly Item[], keyOf: (item: Item) => string): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Operations grouped by path template, each template split into its segments once. */
const pathEntries = [...groupBy(catalog, (operation) => operation.pathTemplate)].map(([pathTemplate, operations]) => ({
  pathTemplate,
  segments: pathTemplate.split('/'),
  operations,
}));

const allowedResourcesText = [...groupBy(families, (family) => `${family.group}/${family.version}`)]
  .map(([groupVersion, members]) => `${groupVersion}: ${members.map((family) => family.resource).join(', ')}`)
  .join('; ');

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Tell whether `value` is a valid Kubernetes object name: a lowercase RFC 1123 subdomain of at most
 * 253 characters. Such a name needs no percent-encoding and cannot contain `/` or `..`.
 */
export function isKubernetesName(value: string): boolean {
  return value.length <= MAX_KUBERNETES_NAME_LENGTH && RFC1123_SUBDOMAIN.test(value);
}

function checkPathParam(operation: CatalogOperation, name: string, value: unknown): string {
  if (typeof value !== 'string' || !isKubernetesName(value)) {
    let shown = String(value);
    let length = '';
    if (typeof value === 'string') {
      // Long values are cut in the message so that a 300-character name stays readable.
      shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
      length = ` (${value.length} characters)`;
    }
    throw new CatalogError(
      'invalid-param',
      `Invalid path parameter ${name} for ${operation.operationId}: ${shown}${length} is not a Kubernetes name. ` +
        `Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${MAX_KUBERNETES_NAME_LENGTH} characters.`,
      { operationId: operation.operationId, parameter: name },
    );
  }

  return value;
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

/** Match a concrete path or a template against the catalog's templates; literal segments win over placeholders. */
function matchPath(path: string): { pathTemplate: string; operations: CatalogOperation[]; params: Record<string, string> } | undefined {
  const segments = path.split('/');
  let best: { pathTemplate: string; operations: CatalogOperation[]; params: Record<string, string>; literals: number } | undefined;

  for (const entry of pathEntries) {
    if (entry.segments.length !== segments.length) continue;

    const params: Record<string, string> = {};
    let literals = 0;
    const matches = entry.segments.every((templateSegment, index) => {
      const segment = segments[index] ?? '';
      if (templateSegment.startsWith('{')) {
        params[templateSegment.slice(1, -1)] = segment;
        return segment !== '';
      }
      literals += 1;
      return segment === templateSegment;
    });

    if (matches && (best === undefined || literals > best.literals)) {
      best = { pathTemplate: entry.pathTemplate, operations: entry.operations, params, literals };
    }
  }

  return best;
}

/** Build the not-in-catalog error; `request` is `METHOD /path`, or the path alone. */
function notInCatalog(request: string): CatalogError {
  return new CatalogError(
    'not-in-catalog',
    `${request} is not in the endpoint catalog. Only Rancher's documented paths for these resources may be requested: ${allowedResourcesText}.`,
  );
}

function findByMethodAndPath(method: string, path: string): { operation: CatalogOperation; params: Record<string, string> } {
  const normalizedMethod = method.toUpperCase();
  const match = matchPath(path);
  if (match === undefined) throw notInCatalog(`${normalizedMethod} ${path}`);

  const operation = match.operations.find((candidate) => candidate.method === normalizedMethod);
  if (operation === undefined) {
    const allowed = match.operations.map((candidate) => candidate.method).sort();
    throw new CatalogError(
      'method-not-allowed',
      `${normalizedMethod} ${path} is not allowed: ${match.pathTemplate} allows only ${allowed.join(', ')}.`,
    );
  }

  return { operation, params: match.params };
}

function findById(operationId: string): CatalogOperation {
  const operation = operationsById.get(operationId);
  if (operation !== undefined) return operation;

  const lower = operationId.toLowerCase();
  const sameIgnoringCase = catalog.find((candidate) => candidate.operationId.toLowerCase() === lower);
  const hint = sameIgnoringCase
    ? `Did you mean ${sameIgnoringCase.operationId}?`
    : `Operation ids are Rancher's own, for example listManagementCattleIoV3User or createManagementCattleIoV3GlobalRoleBinding.`;
  throw new CatalogError('unknown-operation', `Unknown operationId ${JSON.stringify(operationId)}: it is not in the endpoint catalog. ${hint}`, {
    operationId,
  });
}

/**
 * Find a catalog operation by Rancher's operation id, or by method and path. The path may be a
 * template (`/apis/management.cattle.io/v3/users/{name}`) or a concrete path. Path parameters are
 * not validated here, so use {@link resolveRequest} before building a request.
 *
 * @throws {CatalogError} `unknown-operation` for an operation id outside the catalog,
 *   `not-in-catalog` for a path that matches no catalog template, and `method-not-allowed` when
 *   the path exists but not with that method (the message lists the allowed methods).
 */
export function findOperation(ref: { operationId: string } | { method: string; path: string }): CatalogOperation {
  if ('operationId' in ref) return findById(ref.operationId);

  return findByMethodAndPath(ref.method, ref.path).operation;
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** Input of {@link resolveRequest}: an operation id, or a method and a concrete path. */
export interface RequestInput {
  operationId?: string;
  method?: string;
  /** A concrete path such as `/apis/management.cattle.io/v3/globalroles/admin`; it may end in a query string. */
  path?: string;
  /** Path parameters by name, for the operation id form. */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
}

/** A request that the catalog allows. */
export interface ResolvedRequest {
  operation: CatalogOperation;
  /** The concrete path with every parameter filled in and percent-encoded. */
  path: string;
  /** Query parameters converted to strings, ready for a URL. */
  query: Record<string, string>;
}

function splitQueryString(path: string): { pathOnly: string; query: Record<string, string> } {
  if (path.includes('#')) {
    throw new CatalogError('not-in-catalog', `Invalid path ${JSON.stringify(path)}: a request path cannot contain a fragment ('#').`);
  }

  const questionMark = path.indexOf('?');
  if (questionMark === -1) return { pathOnly: path, query: {} };

  const query: Record<string, string> = {};
  for (const pair of path.slice(questionMark + 1).split('&')) {
    if (pair === '') continue;

    const [rawName = '', ...rest] = pair.split('=');
    try {
      const name = decodeURIComponent(rawName.replaceAll('+', ' '));
      if (name in query) {
        throw new CatalogError('invalid-query', `Query parameter ${name} appears twice in ${JSON.stringify(path)}.`, { parameter: name });
      }
      query[name] = decodeURIComponent(rest.join('=').replaceAll('+', ' '));
    } catch (error) {
      if (error instanceof CatalogError) throw error;
      throw new CatalogError('invalid-query', `Invalid query string in ${JSON.stringify(path)}: ${pair} is not valid percent-encoding.`, {
        cause: error,
      });
    }
  }

  return { pathOnly: path.slice(0, questionMark), query };
}

function identifyOperation(input: RequestInput): { operation: CatalogOperation; params: Record<string, string>; pathQuery: Record<string, string> } {
  if (input.path !== undefined) {
    const { pathOnly, query } = splitQueryString(input.path);
    if (input.method === undefined) {
      const match = matchPath(pathOnly);
      if (match === undefined) throw notInCatalog(pathOnly);
      const allowed = match.operations.map((candidate) => candidate.method).sort();
      throw new CatalogError('method-not-allowed', `Missing method for ${pathOnly}: ${match.pathTemplate} allows ${allowed.join(', ')}.`);
    }

    const { operation, params: extracted } = findByMethodAndPath(input.method, pathOnly);
    if (input.operationId !== undefined && input.operationId !== operation.operationId) {
      // An id outside the catalog gets the unknown-operation message with its spelling hint.
      findById(input.operationId);
      throw new CatalogError(
        'unknown-operation',
        `operationId ${input.operationId} does not match ${input.method.toUpperCase()} ${input.path}, which is ${operation.operationId}.`,
        { operationId: input.operationId },
      );
    }

    for (const [name, value] of Object.entries(input.params ?? {})) {
      if (extracted[name] !== value) {
        throw new CatalogError(
          'invalid-param',
          `Path parameter ${name}=${JSON.stringify(value)} conflicts with the path ${input.path}; pass the parameters either in the path or in params.`,
          { operationId: operation.operationId, parameter: name },
        );
      }
    }

    return { operation, params: extracted, pathQuery: query };
  }

  if (input.operationId !== undefined) {
    const operation = findById(input.operationId);
    if (input.method !== undefined && input.method.toUpperCase() !== operation.method) {
      throw new CatalogError(
        'method-not-allowed',
        `${input.method.toUpperCase()} does not match ${operation.operationId}, which is ${operation.method} ${operation.pathTemplate}.`,
        { operationId: operation.operationId },
      );
    }

    return { operation, params: input.params ?? {}, pathQuery: {} };
  }

  throw new CatalogError('unknown-operation', 'Missing operation: name it by operationId, or by method and path.');
}

function fillPath(operation: CatalogOperation, params: Record<string, string>): string {
  for (const name of Object.keys(params)) {
    if (!operation.pathParams.includes(name)) {
      const accepted = operation.pathParams.length > 0 ? `it takes ${operation.pathParams.join(', ')}` : 'it takes no path parameters';
      throw new CatalogError('invalid-param', `Unknown path parameter ${name} for ${operation.operationId}: ${accepted}.`, {
        operationId: operation.operationId,
        parameter: name,
      });
    }
  }

  let path = operation.pathTemplate;
  for (const name of operation.pathParams) {
    const value = params[name];
    if (value === undefined) {
      throw new CatalogError(
        'missing-param',
        `Missing path parameter ${name} for ${operation.operationId} (${operation.method} ${operation.pathTemplate}).`,
        { operationId: operation.operationId, parameter: name },
      );
    }

    path = path.replace(`{${name}}`, encodeURIComponent(checkPathParam(operation, name, value)));
  }

  return path;
}

function convertQueryValue(operation: CatalogOperation, name: string, value: unknown): string {
  const type = queryParamTypes[name] ?? 'string';
  const fail = (rule: string) =>
    new CatalogError('invalid-query', `Invalid query parameter ${name}=${JSON.stringify(value)} for ${operation.operationId}: ${rule}.`, {
      operationId: operation.operationId,
      parameter: name,
    });

  switch (type) {
    case 'boolean':
      if (value === true || value === 'true') return 'true';
      if (value === false || value === 'false') return 'false';
      throw fail('expected true or false');
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        throw fail('expected a non-negative integer');
      }
      return String(Number(text));
    }
    case 'string': {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw fail('expected a string');
      const text = String(value);
      const allowed = queryParamValues[name];
      if (allowed !== undefined && !allowed.includes(text)) throw fail(`expected one of ${allowed.join(', ')}`);
      return text;
    }
  }
}

function checkWatchBounds(operation: CatalogOperation, query: Record<string, string>): void {
  const isWatch = operation.action === 'watch' || operation.action === 'watchlist' || query.watch === 'true';
  if (!isWatch) return;

  const timeout = query.timeoutSeconds === undefined ? undefined : Number(query.timeoutSeconds);
  if (timeout === undefined || timeout < 1 || timeout > MAX_WATCH_SECONDS) {
    const given = timeout === undefined ? 'no timeoutSeconds' : `timeoutSeconds=${timeout}`;
    throw new CatalogError(
      'unbounded-watch',
      `Unbounded watch on ${operation.operationId} (${given}): a watch needs timeoutSeconds between 1 and ${MAX_WATCH_SECONDS}.`,
      { operationId: operation.operationId, parameter: 'timeoutSeconds' },
    );
  }
}

/**
 * Resolve a request against the catalog and return the operation, the concrete percent-encoded
 * path and the query as strings. The operation is named either by `operationId` with `params`,
 * or by `method` and a concrete `path` whose parameters are extracted from it. Nothing is sent.
 *
 * @throws {CatalogError} with one of these codes:
 *   - `unknown-operation`: the operation id is not in the catalog, or no operation is named.
 *   - `not-in-catalog`: the path matches no catalog template.
 *   - `method-not-allowed`: the path does not allow the method. The message lists the allowed ones.
 *   - `missing-param`: a path parameter is absent.
 *   - `invalid-param`: a path parameter is not a Kubernetes name, or the operation does not take it.
 *   - `invalid-query`: the operation does not take a query parameter, or its value has the wrong type.
 *   - `unbounded-watch`: a watch (a watch operation, or `watch=true`) lacks a `timeoutSeconds`
 *     between 1 and {@link MAX_WATCH_SECONDS}.
 */
export function resolveRequest(input: RequestInput): ResolvedRequest {
  const { operation, params, pathQuery } = identifyOperation(input);
  const path = fillPath(operation, params);

  const query: Record<string, string> = {};
  const entries = [...Object.entries(pathQuery), ...Object.entries(input.query ?? {})];
  for (const [name, value] of entries) {
    if (!operation.queryParams.includes(name)) {
      throw new CatalogError(
        'invalid-query',
        `Query parameter ${name} is not allowed for ${operation.operationId}; it accepts ${operation.queryParams.join(', ')}.`,
        { operationId: operation.operationId, parameter: name },
      );
    }
    if (name in query) {
      throw new CatalogError('invalid-query', `Query parameter ${name} is given both in the path and in query.`, {
        operationId: operation.operationId,
        parameter: name,
      });
    }

    query[name] = convertQueryValue(operation, name, value);
  }

  checkWatchBounds(operation, query);

  return { operation, path, query };
}
