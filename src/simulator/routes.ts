/**
 * The simulator's route table: which path patterns exist and which method runs which operation.
 *
 * Routes are generated from resource types, one collection path and one object path each
 * (`/namespaces/{namespace}/` paths for namespaced types), so serving a new type or method is a
 * change to `servedRoutes` only.
 */
import { createOperation, deleteOperation, getOperation, listOperation, type Operation } from './operations.js';
import { getOwnExtTokenOperation } from './ext-tokens.js';
import { extTokensResource, globalRoleBindingsResource, globalRolesResource, usersResource, type ResourceType } from './resources.js';

/** HTTP methods the route table can map. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One path pattern with its operations by method. */
export interface Route {
  resource: ResourceType;
  scope: 'collection' | 'object';
  /** Path template as the OpenAPI document writes it, e.g. `/apis/management.cattle.io/v3/users/{name}`. */
  template: string;
  operations: Partial<Record<HttpMethod, Operation>>;
}

/** Parameters taken from a matched path. */
export interface RouteMatch {
  route: Route;
  name?: string;
  namespace?: string;
}

interface ServedResource {
  resource: ResourceType;
  collection: Partial<Record<HttpMethod, Operation>>;
  object: Partial<Record<HttpMethod, Operation>>;
}

// TODO(simulator): add PUT, PATCH, collection DELETE, /status subresources, watch paths and the
// remaining types of the OpenAPI document — the first cut serves the three types below only.
const servedResources: readonly ServedResource[] = [
  { resource: usersResource, collection: { GET: listOperation }, object: { GET: getOperation } },
  { resource: globalRolesResource, collection: { GET: listOperation }, object: { GET: getOperation } },
  {
    resource: globalRoleBindingsResource,
    collection: { GET: listOperation, POST: createOperation },
    object: { GET: getOperation, DELETE: deleteOperation },
  },
  { resource: extTokensResource, collection: {}, object: { GET: getOwnExtTokenOperation } },
];

/** Builds the route table for the served resource types. */
export function buildRoutes(): Route[] {
  return servedResources.flatMap(({ resource, collection, object }) => {
    const base = `/apis/${resource.group}/${resource.version}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${resource.plural}`;
    return [
      { resource, scope: 'collection' as const, template: base, operations: collection },
      { resource, scope: 'object' as const, template: `${base}/{name}`, operations: object },
    ];
  });
}

/** Finds the route whose template matches `pathname`, or returns `undefined`. */
export function matchRoute(routes: readonly Route[], pathname: string): RouteMatch | undefined {
  const segments = pathname.split('/');
  for (const route of routes) {
    const templateSegments = route.template.split('/');
    if (templateSegments.length !== segments.length) {
      continue;
    }

    const match: RouteMatch = { route };
    const matched = templateSegments.every((templateSegment, index) => {
      const segment = decodeSegment(segments[index] ?? '');
      if (templateSegment === '{name}' || templateSegment === '{namespace}') {
        if (segment === undefined || segment === '') {
          return false;
        }
        match[templateSegment === '{name}' ? 'name' : 'namespace'] = segment;
        return true;
      }
      return segment === templateSegment;
    });
    if (matched) {
      return match;
    }
  }
  return undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
