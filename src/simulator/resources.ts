/**
 * The resource types the simulator defines: group, version, plural, kinds and scope.
 *
 * Routing, list envelopes and error bodies are all derived from these entries, so serving
 * another type means adding an entry here and listing it in `routes.ts`.
 */

/** One group/version/resource with the names Kubernetes derives from it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Lower-case plural used in paths and in error messages, e.g. `globalrolebindings`. */
  plural: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
}

/** Returns `group/version`, the `apiVersion` of the type's objects. */
export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** Returns the store key of a type, e.g. `management.cattle.io/v3/users`. */
export function resourceKey(resource: ResourceType): string {
  return `${resource.group}/${resource.version}/${resource.plural}`;
}

function managementType(plural: string, kind: string, namespaced: boolean): ResourceType {
  return { group: 'management.cattle.io', version: 'v3', plural, kind, listKind: `${kind}List`, namespaced };
}

/** `management.cattle.io/v3` users (cluster-scoped). */
export const usersResource = managementType('users', 'User', false);
/** `management.cattle.io/v3` global roles (cluster-scoped). */
export const globalRolesResource = managementType('globalroles', 'GlobalRole', false);
/** `management.cattle.io/v3` global role bindings (cluster-scoped). */
export const globalRoleBindingsResource = managementType('globalrolebindings', 'GlobalRoleBinding', false);
/** `management.cattle.io/v3` role templates (cluster-scoped). */
export const roleTemplatesResource = managementType('roletemplates', 'RoleTemplate', false);
/** `management.cattle.io/v3` projects (namespace = cluster id). */
export const projectsResource = managementType('projects', 'Project', true);
/** `management.cattle.io/v3` cluster role template bindings (namespace = cluster id). */
export const clusterRoleTemplateBindingsResource = managementType('clusterroletemplatebindings', 'ClusterRoleTemplateBinding', true);
/** `management.cattle.io/v3` project role template bindings (namespace = project backing namespace). */
export const projectRoleTemplateBindingsResource = managementType('projectroletemplatebindings', 'ProjectRoleTemplateBinding', true);

/**
 * `management.cattle.io/v3` clusters. Rancher's OpenAPI document does not publish them, so the
 * simulator stores them as the parents of projects and bindings but serves no path.
 */
export const clustersResource = managementType('clusters', 'Cluster', false);

/**
 * Legacy `management.cattle.io/v3` API keys. Rancher keeps them as a CRD that its OpenAPI
 * document does not publish, so the simulator stores them for authentication but serves no path.
 */
export const legacyTokensResource = managementType('tokens', 'Token', false);

/** `ext.cattle.io/v1` tokens, served by Rancher's extension API server. */
export const extTokensResource: ResourceType = { group: 'ext.cattle.io', version: 'v1', plural: 'tokens', kind: 'Token', listKind: 'TokenList', namespaced: false };
/** `ext.cattle.io/v1` kubeconfigs. */
export const kubeconfigsResource: ResourceType = { group: 'ext.cattle.io', version: 'v1', plural: 'kubeconfigs', kind: 'Kubeconfig', listKind: 'KubeconfigList', namespaced: false };
/** `auditlog.cattle.io/v1` audit policies. */
export const auditPoliciesResource: ResourceType = { group: 'auditlog.cattle.io', version: 'v1', plural: 'auditpolicies', kind: 'AuditPolicy', listKind: 'AuditPolicyList', namespaced: false };

/** Every type the store may contain, for work that spans types such as garbage collection. */
export const allResourceTypes: readonly ResourceType[] = [
  usersResource,
  globalRolesResource,
  globalRoleBindingsResource,
  roleTemplatesResource,
  projectsResource,
  clusterRoleTemplateBindingsResource,
  projectRoleTemplateBindingsResource,
  clustersResource,
  legacyTokensResource,
  extTokensResource,
  kubeconfigsResource,
  auditPoliciesResource,
];
