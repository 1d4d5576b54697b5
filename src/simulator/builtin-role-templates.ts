/**
 * Rancher's 42 built-in role templates (14 for clusters, 28 for projects), as Rancher creates them
 * at first start (`pkg/data/management/role_data.go` in rancher/rancher).
 *
 * Names, display names, contexts, flags and inherited templates follow Rancher. Rules are given
 * where Rancher's list is short, and templates with long rule lists carry none here. External
 * templates take their rules from the ClusterRole of the same name. The simulator enforces no
 * RBAC for role templates, so their rules are informational only.
 */
import type { PolicyRule } from './builtin-roles.js';

/** The data of one built-in role template, before the store adds metadata. */
export interface BuiltinRoleTemplate {
  name: string;
  displayName: string;
  context: 'cluster' | 'project';
  rules: PolicyRule[];
  external: boolean;
  hidden: boolean;
  administrative: boolean;
  clusterCreatorDefault: boolean;
  projectCreatorDefault: boolean;
  roleTemplateNames: string[];
  labels: Record<string, string>;
}

type TemplateFlags = Partial<Pick<BuiltinRoleTemplate, 'external' | 'hidden' | 'administrative' | 'clusterCreatorDefault' | 'projectCreatorDefault' | 'roleTemplateNames'>>;

function template(name: string, displayName: string, context: 'cluster' | 'project', rules: PolicyRule[], flags: TemplateFlags = {}): BuiltinRoleTemplate {
  return {
    name,
    displayName,
    context,
    rules,
    external: flags.external ?? false,
    hidden: flags.hidden ?? false,
    administrative: flags.administrative ?? false,
    // Rancher sets the two creator defaults once at first start (bootstrapDefaultRoles).
    clusterCreatorDefault: flags.clusterCreatorDefault ?? false,
    projectCreatorDefault: flags.projectCreatorDefault ?? false,
    roleTemplateNames: flags.roleTemplateNames ?? [],
    labels: { 'authz.management.cattle.io/bootstrapping': 'default-roletemplate' },
  };
}

function rule(group: string, resources: string[], verbs: string[]): PolicyRule {
  return { apiGroups: [group], resources, verbs };
}

/** Rancher's built-in role templates in the order Rancher creates them. */
export const builtinRoleTemplates: readonly BuiltinRoleTemplate[] = [
  template('cluster-admin', 'Kubernetes cluster-admin', 'cluster', [], { external: true, hidden: true, administrative: true }),
  template('admin', 'Kubernetes admin', 'project', [], { external: true, hidden: true }),
  template('edit', 'Kubernetes edit', 'project', [], { external: true, hidden: true }),
  template('view', 'Kubernetes view', 'project', [], { external: true, hidden: true }),
  template('cluster-owner', 'Cluster Owner', 'cluster', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], { administrative: true, clusterCreatorDefault: true }),
  template('cluster-member', 'Cluster Member', 'cluster', []),
  template('projects-create', 'Create Projects', 'cluster', [rule('management.cattle.io', ['projects'], ['create'])]),
  template('projects-view', 'View All Projects', 'cluster', [], { roleTemplateNames: ['view'] }),
  template('nodes-manage', 'Manage Nodes', 'cluster', []),
  template('nodes-view', 'View Nodes', 'cluster', []),
  template('storage-manage', 'Manage Storage', 'cluster', []),
  template('clusterroletemplatebindings-manage', 'Manage Cluster Members', 'cluster', [rule('management.cattle.io', ['clusterroletemplatebindings'], ['*'])]),
  template('clusterroletemplatebindings-view', 'View Cluster Members', 'cluster', [rule('management.cattle.io', ['clusterroletemplatebindings'], ['get','list','watch'])]),
  template('clustercatalogs-manage', 'Manage Cluster Catalogs', 'cluster', [], { administrative: true }),
  template('clustercatalogs-view', 'View Cluster Catalogs', 'cluster', []),
  template('backups-manage', 'Manage Cluster Backups', 'cluster', [rule('management.cattle.io', ['etcdbackups'], ['*'])]),
  template('navlinks-manage', 'Manage Navlinks', 'cluster', [rule('ui.cattle.io', ['navlinks'], ['*'])]),
  template('project-owner', 'Project Owner', 'project', [], { projectCreatorDefault: true, roleTemplateNames: ['admin'] }),
  template('project-member', 'Project Member', 'project', [], { roleTemplateNames: ['edit'] }),
  template('read-only', 'Read-only', 'project', [], { roleTemplateNames: ['view'] }),
  template('create-ns', 'Create Namespaces', 'project', [rule('', ['namespaces'], ['create'])]),
  template('workloads-manage', 'Manage Workloads', 'project', []),
  template('workloads-view', 'View Workloads', 'project', []),
  template('ingress-manage', 'Manage Ingress', 'project', [rule('extensions', ['ingresses'], ['*']), rule('networking.k8s.io', ['ingresses'], ['*'])]),
  template('ingress-view', 'View Ingress', 'project', [rule('extensions', ['ingresses'], ['get','list','watch']), rule('networking.k8s.io', ['ingresses'], ['get','list','watch'])]),
  template('services-manage', 'Manage Services', 'project', [rule('', ['services','services/proxy','endpoints'], ['*'])]),
  template('services-view', 'View Services', 'project', [rule('', ['services','endpoints'], ['get','list','watch'])]),
  template('secrets-manage', 'Manage Secrets', 'project', [rule('', ['secrets'], ['*'])]),
  template('secrets-view', 'View Secrets', 'project', [rule('', ['secrets'], ['get','list','watch'])]),
  template('configmaps-manage', 'Manage Config Maps', 'project', [rule('', ['configmaps'], ['*'])]),
  template('configmaps-view', 'View Config Maps', 'project', [rule('', ['configmaps'], ['get','list','watch'])]),
  template('persistentvolumeclaims-manage', 'Manage Volumes', 'project', []),
  template('persistentvolumeclaims-view', 'View Volumes', 'project', []),
  template('serviceaccounts-manage', 'Manage Service Accounts', 'project', [rule('', ['serviceaccounts'], ['*'])]),
  template('serviceaccounts-view', 'View Service Accounts', 'project', [rule('', ['serviceaccounts'], ['get','list','watch'])]),
  template('projectroletemplatebindings-manage', 'Manage Project Members', 'project', [rule('management.cattle.io', ['projectroletemplatebindings'], ['*'])]),
  template('projectroletemplatebindings-view', 'View Project Members', 'project', [rule('management.cattle.io', ['projectroletemplatebindings'], ['get','list','watch'])]),
  template('projectcatalogs-manage', 'Manage Project Catalogs', 'project', [rule('management.cattle.io', ['projectcatalogs'], ['*'])]),
  template('projectcatalogs-view', 'View Project Catalogs', 'project', [rule('management.cattle.io', ['projectcatalogs'], ['get','list','watch'])]),
  template('project-monitoring-readonly', 'Project Monitoring View Role', 'project', [rule('monitoring.cattle.io', ['prometheus'], ['view'])], { hidden: true, roleTemplateNames: ['view'] }),
  template('monitoring-ui-view', 'View Monitoring', 'project', [], { external: true }),
  template('navlinks-view', 'View Navlinks', 'project', [rule('ui.cattle.io', ['navlinks'], ['get','list','watch'])]),
];
