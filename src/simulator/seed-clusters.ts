/**
 * Seed data beyond users and global roles: Rancher's built-in role templates, the `local` cluster
 * and two downstream clusters with their projects, cluster and project role template bindings,
 * ext tokens (among them the admin key), one kubeconfig and one audit policy.
 */
import { builtinRoleTemplates } from './builtin-role-templates.js';
import { hashTokenSecret, maxTokenTtlMs, prepareExtToken } from './ext-token-api.js';
import { backingNamespaceOf, completeProject } from './projects.js';
import {
  auditPoliciesResource,
  clusterRoleTemplateBindingsResource,
  clustersResource,
  extTokensResource,
  kubeconfigsResource,
  projectRoleTemplateBindingsResource,
  projectsResource,
  roleTemplatesResource,
  usersResource,
} from './resources.js';
import { clusterRoleTemplateBindingHooks, projectRoleTemplateBindingHooks } from './role-template-bindings.js';
import type { SeededUsers } from './seed.js';
import { formatTimestamp, type NewObject } from './store.js';
import type { DraftObject, SimulatorContext } from './type-hooks.js';

/** A seeded cluster and its projects. */
export interface SeededCluster {
  /** `local`, or `c-m-` plus eight characters for a downstream cluster. */
  id: string;
  displayName: string;
  /** Project ids; the first is `Default`, the second `System`. */
  projectIds: string[];
}

/** Ids of the objects `seedClusters` creates. */
export interface SeededClusters {
  clusters: SeededCluster[];
  /** Name of the seeded kubeconfig. */
  kubeconfigName: string;
  /** Name of the seeded audit policy. */
  auditPolicyName: string;
}

/** The admin key as the ext Token object that mirrors it. */
export interface AdminKey {
  name: string;
  secret: string;
  userId: string;
  /** RFC 3339 expiry. */
  expiresAt: string;
}

const seedStart = Date.parse('2025-02-03T10:00:00Z');
const downstreamClusters = ['production', 'staging'];
const extraProjects = ['payments', 'web-shop', 'data-platform', 'observability'];

/**
 * Fills the store with role templates, clusters, projects, bindings, ext tokens, a kubeconfig and
 * an audit policy. Call it after `seedStore`, with the users it returned.
 */
export function seedClusters(context: SimulatorContext, users: SeededUsers, adminKey: AdminKey): SeededClusters {
  const { store, random } = context;
  let time = seedStart;
  const nextTime = (): string => {
    time += (1 + random.nextInt(600)) * 1000;
    return formatTimestamp(new Date(time));
  };
  const create = (resource: Parameters<typeof store.create>[0], object: NewObject): void => {
    store.create(resource, object, { creationTimestamp: nextTime() });
  };

  for (const template of builtinRoleTemplates) {
    const { name, labels, ...fields } = template;
    create(roleTemplatesResource, { apiVersion: 'management.cattle.io/v3', kind: 'RoleTemplate', metadata: { name, labels: { ...labels } }, builtin: true, locked: false, ...structuredClone(fields) });
  }

  const clusters: SeededCluster[] = [{ id: 'local', displayName: 'local', projectIds: [] }];
  for (const displayName of downstreamClusters) {
    clusters.push({ id: `c-m-${random.nameSuffix(8)}`, displayName, projectIds: [] });
  }

  let extraIndex = 0;
  for (const cluster of clusters) {
    create(clustersResource, {
      apiVersion: 'management.cattle.io/v3',
      kind: 'Cluster',
      metadata: { name: cluster.id, annotations: { 'field.cattle.io/creatorId': users.adminUserId } },
      spec: { displayName: cluster.displayName },
    });
    const projectNames = ['Default', 'System', ...(cluster.id === 'local' ? [] : extraProjects.slice(extraIndex, extraIndex + 2))];
    extraIndex += cluster.id === 'local' ? 0 : 2;
    for (const displayName of projectNames) {
      cluster.projectIds.push(seedProject(context, cluster.id, displayName, users.adminUserId, nextTime));
    }
    seedClusterBindings(context, cluster, users, nextTime);
  }

  seedAdminExtToken(context, adminKey);
  for (const userId of users.localUserIds.slice(0, 3)) {
    const token: DraftObject = { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: { name: uniqueTokenName(context) }, spec: { description: 'automation key' } };
    prepareExtToken(context, token, userId);
    store.create(extTokensResource, token);
  }

  const kubeconfigName = seedKubeconfig(context, users.adminUserId, clusters.map((cluster) => cluster.id));
  const auditPolicyName = 'redact-authorization';
  create(auditPoliciesResource, {
    apiVersion: 'auditlog.cattle.io/v1',
    kind: 'AuditPolicy',
    metadata: { name: auditPolicyName },
    spec: {
      enabled: true,
      filters: [{ action: 'allow', requestURI: '^/apis/management\\.cattle\\.io/.*' }],
      additionalRedactions: [{ headers: ['Authorization', 'Cookie'], paths: ['$.status.value', '$.status.bearerToken'] }],
      verbosity: { level: 2, request: { headers: true, body: false }, response: { headers: true, body: false } },
    },
  });

  return { clusters, kubeconfigName, auditPolicyName };
}

function seedProject(context: SimulatorContext, cluster: string, displayName: string, creatorId: string, nextTime: () => string): string {
  let id = `p-${context.random.nameSuffix()}`;
  while (context.store.has(projectsResource, id, cluster)) {
    id = `p-${context.random.nameSuffix()}`;
  }
  const created = nextTime();
  const project: DraftObject = {
    apiVersion: 'management.cattle.io/v3',
    kind: 'Project',
    metadata: {
      name: id,
      namespace: cluster,
      generateName: 'p-',
      annotations: { 'field.cattle.io/creatorId': creatorId },
      ...(displayName === 'Default' || displayName === 'System' ? { labels: { [`authz.management.cattle.io/${displayName.toLowerCase()}-project`]: 'true' } } : {}),
    },
    spec: { clusterName: cluster, displayName, description: `${displayName} project` },
  };
  completeProject(project, new Date(created));
  context.store.create(projectsResource, project, { creationTimestamp: created });
  return id;
}

/** Seeds a `cluster-owner` binding for the admin and member bindings for a few local users. */
function seedClusterBindings(context: SimulatorContext, cluster: SeededCluster, users: SeededUsers, nextTime: () => string): void {
  const members = users.localUserIds.slice(0, 4);
  const crtb = (userId: string, roleTemplateName: string): void => {
    const binding: DraftObject = {
      apiVersion: 'management.cattle.io/v3',
      kind: 'ClusterRoleTemplateBinding',
      metadata: { name: uniqueName(context, clusterRoleTemplateBindingsResource, 'crtb-', cluster.id), namespace: cluster.id, generateName: 'crtb-', labels: { 'cattle.io/creator': 'norman' } },
      clusterName: cluster.id,
      roleTemplateName,
      userName: userId,
      userPrincipalName: `local://${userId}`,
    };
    clusterRoleTemplateBindingHooks.complete?.(context, binding);
    context.store.create(clusterRoleTemplateBindingsResource, binding, { creationTimestamp: nextTime() });
  };
  crtb(users.adminUserId, 'cluster-owner');
  for (const userId of members.slice(0, 2)) {
    crtb(userId, 'cluster-member');
  }

  for (const [index, projectId] of cluster.projectIds.entries()) {
    const namespace = backingNamespaceOf(cluster.id, projectId);
    const prtb = (userId: string, roleTemplateName: string): void => {
      const binding: DraftObject = {
        apiVersion: 'management.cattle.io/v3',
        kind: 'ProjectRoleTemplateBinding',
        metadata: { name: uniqueName(context, projectRoleTemplateBindingsResource, 'prtb-', namespace), namespace, generateName: 'prtb-', labels: { 'cattle.io/creator': 'norman' } },
        projectName: `${cluster.id}:${projectId}`,
        roleTemplateName,
        userName: userId,
        userPrincipalName: `local://${userId}`,
      };
      projectRoleTemplateBindingHooks.complete?.(context, binding);
      context.store.create(projectRoleTemplateBindingsResource, binding, { creationTimestamp: nextTime() });
    };
    prtb(users.adminUserId, 'project-owner');
    const member = members[index % Math.max(members.length, 1)];
    if (member) {
      prtb(member, index % 2 === 0 ? 'project-member' : 'read-only');
    }
  }
}

function uniqueName(context: SimulatorContext, resource: Parameters<SimulatorContext['store']['has']>[0], prefix: string, namespace: string): string {
  let name = prefix + context.random.nameSuffix();
  while (context.store.has(resource, name, namespace)) {
    name = prefix + context.random.nameSuffix();
  }
  return name;
}

function uniqueTokenName(context: SimulatorContext): string {
  return uniqueName(context, extTokensResource, 'token-', '');
}

/**
 * Stores the admin key as an ext Token object with the same name and secret, so that listing
 * tokens with the admin key shows it with `status.current: true`.
 */
function seedAdminExtToken(context: SimulatorContext, adminKey: AdminKey): void {
  const user = context.store.get(usersResource, adminKey.userId);
  const now = formatTimestamp(context.clock());
  context.store.create(extTokensResource, {
    apiVersion: 'ext.cattle.io/v1',
    kind: 'Token',
    metadata: { name: adminKey.name, labels: { 'cattle.io/user-id': adminKey.userId } },
    spec: {
      userID: adminKey.userId,
      userPrincipal: { name: `local://${adminKey.userId}`, provider: 'local', principalType: 'user', displayName: String(user?.displayName ?? ''), loginName: String(user?.username ?? '') },
      clusterName: '',
      description: 'simulator admin key',
      kind: '',
      ttl: maxTokenTtlMs,
    },
    status: { current: false, expired: false, expiresAt: adminKey.expiresAt, lastUpdateTime: now, hash: hashTokenSecret(adminKey.secret) },
  });
}

function seedKubeconfig(context: SimulatorContext, userId: string, clusters: string[]): string {
  const name = uniqueName(context, kubeconfigsResource, 'kubeconfig-', '');
  const ttlSeconds = 43_200 * 60;
  const token: DraftObject = { apiVersion: 'ext.cattle.io/v1', kind: 'Token', metadata: { name: uniqueTokenName(context) }, spec: { description: `kubeconfig ${name}`, ttl: ttlSeconds * 1000 } };
  prepareExtToken(context, token, userId);
  context.store.create(extTokensResource, token);

  context.store.create(kubeconfigsResource, {
    apiVersion: 'ext.cattle.io/v1',
    kind: 'Kubeconfig',
    metadata: { name, generateName: 'kubeconfig-', labels: { 'cattle.io/user-id': userId } },
    spec: { clusters, currentContext: clusters[0], ttl: ttlSeconds },
    status: { summary: 'Complete', tokens: [token.metadata.name], conditions: [] },
  });
  return name;
}
