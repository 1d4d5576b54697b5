/**
 * Rancher's 17 built-in global roles, as Rancher creates them at first start
 * (`pkg/data/management/role_data.go` in rancher/rancher).
 *
 * Rules are filled in where Rancher's list is short. For `clusters-create`, `restricted-admin`
 * and `user` Rancher grants longer rule lists, which the simulator reduces to a few rules. The
 * simulator enforces no RBAC, so rules are informational only.
 */

/** A Kubernetes RBAC `PolicyRule`. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** The data of one built-in global role, before the store adds metadata. */
export interface BuiltinGlobalRole {
  name: string;
  displayName: string;
  newUserDefault: boolean;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  rules: PolicyRule[];
}

const bootstrapLabels = { 'authz.management.cattle.io/bootstrapping': 'default-globalrole' };

function role(name: string, displayName: string, rules: PolicyRule[], newUserDefault = false): BuiltinGlobalRole {
  return { name, displayName, newUserDefault, labels: { ...bootstrapLabels }, rules };
}

function manage(group: string, resources: string[], verbs: string[]): PolicyRule {
  return { apiGroups: [group], resources, verbs };
}

const readVerbs = ['get', 'list', 'watch'];
const management = 'management.cattle.io';

/** Rancher's built-in global roles in the order Rancher creates them. */
export const builtinGlobalRoles: readonly BuiltinGlobalRole[] = [
  role('clusters-create', 'Create Clusters', [manage(management, ['clusters'], ['create'])]),
  role('nodedrivers-manage', 'Manage Node Drivers', [manage(management, ['nodedrivers'], ['*'])]),
  role('kontainerdrivers-manage', 'Manage Cluster Drivers', [manage(management, ['kontainerdrivers'], ['*'])]),
  role('catalogs-manage', 'Manage Catalogs', [manage(management, ['catalogs', 'templates', 'templateversions'], ['*'])]),
  role('catalogs-use', 'Use Catalog Templates', [manage(management, ['templates', 'templateversions'], readVerbs)]),
  role('users-manage', 'Manage Users', [manage(management, ['users', 'globalrolebindings'], ['*']), manage(management, ['globalroles'], readVerbs)]),
  role('roles-manage', 'Manage Roles', [
    manage(management, ['roletemplates'], ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch']),
  ]),
  role('authn-manage', 'Manage Authentication', [manage(management, ['authconfigs'], ['get', 'list', 'watch', 'update'])]),
  role('settings-manage', 'Manage Settings', [manage(management, ['settings'], ['*'])]),
  role('features-manage', 'Manage Features', [manage(management, ['features'], ['get', 'list', 'watch', 'update'])]),
  role('clustertemplates-create', 'Create RKE Templates', [manage(management, ['clustertemplates'], ['create'])]),
  role('clustertemplaterevisions-create', 'Create RKE Template Revisions', [manage(management, ['clustertemplaterevisions'], ['create'])]),
  role('view-rancher-metrics', 'View Rancher Metrics', [manage(management, ['ranchermetrics'], ['get'])]),
  role('admin', 'Admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  role('restricted-admin', 'Restricted Admin', [
    manage(management, ['users', 'globalroles', 'globalrolebindings', 'roletemplates'], ['*']),
    manage(management, ['preferences'], ['*']),
  ]),
  {
    // Rancher sets newUserDefault on `user` once at first start and marks that with this annotation.
    ...role('user', 'User', [manage(management, ['preferences'], ['*']), manage(management, ['settings', 'features'], readVerbs)], true),
    annotations: { 'authz.management.cattle.io/bootstrapped-role': 'true' },
  },
  role('user-base', 'User Base', [
    manage(management, ['preferences'], ['*']),
    manage(management, ['settings'], readVerbs),
    manage(management, ['features'], readVerbs),
    manage('project.cattle.io', ['sourcecodecredentials'], ['*']),
    manage('project.cattle.io', ['sourcecoderepositories'], ['*']),
    manage(management, ['rancherusernotifications'], readVerbs),
  ]),
];
