/**
 * The simulator's route table: which path patterns exist and which method runs which operation.
 *
 * Routes come from the endpoint catalog (`src/rancher/catalog.ts`), so the simulator serves each
 * of the 31 paths with exactly the methods Rancher's OpenAPI document lists. Each operation's
 * `x-kubernetes-action` picks the handler.
 */
import { catalog, type CatalogOperation, type KubernetesAction } from '../rancher/catalog.js';
import { createOperation, deleteCollectionOperation, deleteOperation, getOperation, type Operation } from './operations.js';
import { allResourceTypes, type ResourceType } from './resources.js';
import { patchOperation, updateOperation } from './updates.js';
import { listOrWatchOperation, watchOperation } from './watch.js';

/** HTTP methods the route table can map. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One path pattern with its operations by method. */
export interface Route {
  resource: ResourceType;
  /** Path template as the OpenAPI document writes it, e.g. `/apis/management.cattle.io/v3/users/{name}`. */
  template: string;
  /** `status` for the `/status` subresource paths. */
  subresource?: 'status';
  operations: Partial<Record<HttpMethod, Operation>>;
  /** The catalog entry behind each method, for logs and response recording. */
  catalogOperations: Partial<Record<HttpMethod, CatalogOperation>>;
}

/** Parameters taken from a matched path. */
export interface RouteMatch {
  route: Route;
  name?: string;
  namespace?: string;
}

const handlers: Readonly<Record<KubernetesAction, Operation>> = {
  list: listOrWatchOperation,
  get: getOperation,
  post: createOperation,
  put: updateOperation,
  patch: patchOperation,
  delete: deleteOperation,
  deletecollection: deleteCollectionOperation,
  watch: watchOperation,
  watchlist: watchOperation,
};

function resourceOf(operation: CatalogOperation): ResourceType {
  const resource = allResourceTypes.find((type) => type.group === operation.group && type.version === operation.version && type.plural === operation.resource);
  if (!resource) {
    throw new Error(`the simulator defines no resource type for catalog operation ${operation.operationId}`);
  }
  return resource;
}

/** Builds the route table: one route per catalog path, with a handler for each of its methods. */
export function buildRoutes(): Route[] {
  const routes = new Map<string, Route>();
  for (const operation of catalog) {
    let route = routes.get(operation.pathTemplate);
    if (!route) {
      route = { resource: resourceOf(operation), template: operation.pathTemplate, operations: {}, catalogOperations: {} };
      if (operation.subresource) {
        route.subresource = operation.subresource;
      }
      routes.set(operation.pathTemplate, route);
    }
    route.operations[operation.method] = handlers[operation.action];
    route.catalogOperations[operation.method] = operation;
  }
  return [...routes.values()];
}

/**
 * Finds the route whose template matches `pathname`, or returns `undefined`. When several match,
 * the one with the most literal segments wins, so `/watch/tokens` is never read as a token named
 * `watch`.
 */
export function matchRoute(routes: readonly Route[], pathname: string): RouteMatch | undefined {
  const segments = pathname.split('/');
  let best: { match: RouteMatch; literals: number } | undefined;
  for (const route of routes) {
    const templateSegments = route.template.split('/');
    if (templateSegments.length !== segments.length) {
      continue;
    }

    const match: RouteMatch = { route };
    let literals = 0;
    const matched = templateSegments.every((templateSegment, index) => {
      const segment = decodeSegment(segments[index] ?? '');
      if (templateSegment === '{name}' || templateSegment === '{namespace}') {
        if (segment === undefined || segment === '') {
          return false;
        }
        match[templateSegment === '{name}' ? 'name' : 'namespace'] = segment;
        return true;
      }
      literals += 1;
      return segment === templateSegment;
    });
    if (matched && (best === undefined || literals > best.literals)) {
      best = { match, literals };
    }
  }
  return best?.match;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
