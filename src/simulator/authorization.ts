/**
 * Optional RBAC for `management.cattle.io` requests: a user may do what the rules of the global
 * roles bound to them allow. Off unless the simulator starts with `enforceRbac`.
 *
 * NOTE: Rancher also grants permissions through cluster and project role templates and through
 * per-object owner rules; the simulator checks global role rules only.
 */
import type { PolicyRule } from './builtin-roles.js';
import type { HttpMethod, RouteMatch } from './routes.js';
import { globalRoleBindingsResource, globalRolesResource } from './resources.js';
import type { SimulatorResponse } from './status.js';
import type { ObjectStore } from './store.js';

/** Returns the Kubernetes verb of a request on a route. */
function verbOf(method: HttpMethod, match: RouteMatch): string {
  const onObject = match.name !== undefined;
  const verbs: Record<HttpMethod, string> = {
    GET: onObject ? 'get' : 'list',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: onObject ? 'delete' : 'deletecollection',
  };
  return verbs[method];
}

function ruleAllows(rule: PolicyRule, group: string, resource: string, verb: string): boolean {
  const matches = (values: string[] | undefined, value: string) => values !== undefined && (values.includes('*') || values.includes(value));
  return matches(rule.apiGroups, group) && matches(rule.resources, resource) && matches(rule.verbs, verb);
}

/** Returns the rules of every global role bound to `userId`. */
function rulesOf(store: ObjectStore, userId: string): PolicyRule[] {
  const bindings = store
    .list(globalRoleBindingsResource)
    .map(({ object }) => object)
    .filter((binding) => binding.userName === userId);
  return bindings.flatMap((binding) => {
    const role = store.get(globalRolesResource, String(binding.globalRoleName));
    return Array.isArray(role?.rules) ? (role.rules as PolicyRule[]) : [];
  });
}

/**
 * Returns a 403 `Forbidden` Status, shaped like kube-apiserver's, when `userId` may not perform
 * the request; undefined when the request is allowed or outside `management.cattle.io`.
 */
export function forbiddenResponse(store: ObjectStore, userId: string, method: HttpMethod, match: RouteMatch): SimulatorResponse | undefined {
  const { group, plural } = match.route.resource;
  if (group !== 'management.cattle.io') return undefined;

  const verb = verbOf(method, match);
  if (rulesOf(store, userId).some((rule) => ruleAllows(rule, group, plural, verb))) return undefined;

  const scope = match.namespace === undefined ? 'at the cluster scope' : `in the namespace "${match.namespace}"`;
  const named = match.name === undefined ? '' : ` "${match.name}"`;
  return {
    status: 403,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${plural}.${group}${named} is forbidden: User "${userId}" cannot ${verb} resource "${plural}" in API group "${group}" ${scope}`,
      reason: 'Forbidden',
      details: { ...(match.name === undefined ? {} : { name: match.name }), group, kind: plural },
      code: 403,
    },
  };
}
