/**
 * The resource kinds that the list workflows read, and the compact summary of each item.
 *
 * Summaries keep workflow history small: ids, names, flags and timestamps, never whole objects.
 * This module has no I/O so that workflow code may import it.
 */
import { z } from 'zod';
import { isKubernetesName } from './catalog.js';
import { GlobalRoleBindingSchema, GlobalRoleSchema, ProjectSchema, RoleTemplateSchema, UserSchema } from './schemas.js';

/** A user as the list workflows return it. */
export interface UserSummary {
  id: string;
  username?: string;
  displayName?: string;
  principalIds: string[];
  enabled: boolean;
  createdAt?: string;
}

/** A global role as the list workflows return it. */
export interface GlobalRoleSummary {
  id: string;
  displayName?: string;
  builtin: boolean;
  newUserDefault: boolean;
  createdAt?: string;
}

/** A global role binding as the list workflows return it; exactly one subject field is set. */
export interface GlobalRoleBindingSummary {
  id: string;
  globalRoleName: string;
  userName?: string;
  userPrincipalName?: string;
  groupPrincipalName?: string;
  createdAt?: string;
}

/** A project as the list workflows return it. */
export interface ProjectSummary {
  id: string;
  /** The id of the cluster the project belongs to, which is also its namespace. */
  cluster: string;
  displayName: string;
  /** The namespace that contains the project's role template bindings. */
  backingNamespace?: string;
}

/** A role template as the list workflows return it. */
export interface RoleTemplateSummary {
  id: string;
  displayName: string;
  /** `cluster` or `project`; empty for templates that only other templates inherit. */
  context: 'cluster' | 'project' | '';
  builtin: boolean;
  locked: boolean;
  hidden: boolean;
  external: boolean;
}

interface ListableResource<Summary> {
  /** The Kubernetes kind of the items. */
  kind: string;
  /** The collection path on the Rancher server, across all namespaces for namespaced kinds. */
  path: string;
  /** The collection path within one namespace; set for namespaced kinds only. */
  namespacedPath?: (namespace: string) => string;
  schema: z.ZodType;
  summarize(item: unknown): Summary;
}

export const listableResources = {
  users: {
    kind: 'User',
    path: '/apis/management.cattle.io/v3/users',
    schema: UserSchema,
    summarize(item: unknown): UserSummary {
      const user = UserSchema.parse(item);
      return {
        id: user.metadata.name,
        ...(user.username ? { username: user.username } : {}),
        ...(user.displayName ? { displayName: user.displayName } : {}),
        principalIds: user.principalIds ?? [],
        // Rancher treats an absent `enabled` as enabled.
        enabled: user.enabled !== false,
        ...(user.metadata.creationTimestamp ? { createdAt: user.metadata.creationTimestamp } : {}),
      };
    },
  } satisfies ListableResource<UserSummary>,
  globalroles: {
    kind: 'GlobalRole',
    path: '/apis/management.cattle.io/v3/globalroles',
    schema: GlobalRoleSchema,
    summarize(item: unknown): GlobalRoleSummary {
      const role = GlobalRoleSchema.parse(item);
      return {
        id: role.metadata.name,
        ...(role.displayName ? { displayName: role.displayName } : {}),
        builtin: role.builtin === true,
        newUserDefault: role.newUserDefault === true,
        ...(role.metadata.creationTimestamp ? { createdAt: role.metadata.creationTimestamp } : {}),
      };
    },
  } satisfies ListableResource<GlobalRoleSummary>,
  globalrolebindings: {
    kind: 'GlobalRoleBinding',
    path: '/apis/management.cattle.io/v3/globalrolebindings',
    schema: GlobalRoleBindingSchema,
    summarize(item: unknown): GlobalRoleBindingSummary {
      const binding = GlobalRoleBindingSchema.parse(item);
      return {
        id: binding.metadata.name,
        globalRoleName: binding.globalRoleName,
        ...(binding.userName ? { userName: binding.userName } : {}),
        ...(binding.userPrincipalName ? { userPrincipalName: binding.userPrincipalName } : {}),
        ...(binding.groupPrincipalName ? { groupPrincipalName: binding.groupPrincipalName } : {}),
        ...(binding.metadata.creationTimestamp ? { createdAt: binding.metadata.creationTimestamp } : {}),
      };
    },
  } satisfies ListableResource<GlobalRoleBindingSummary>,
  projects: {
    kind: 'Project',
    path: '/apis/management.cattle.io/v3/projects',
    namespacedPath: (namespace: string) => `/apis/management.cattle.io/v3/namespaces/${namespace}/projects`,
    schema: ProjectSchema,
    summarize(item: unknown): ProjectSummary {
      const project = ProjectSchema.parse(item);
      const backingNamespace = project.status?.backingNamespace;
      return {
        id: project.metadata.name,
        // Rancher keeps a project in the namespace named after its cluster; spec.clusterName repeats it.
        cluster: project.metadata.namespace ?? project.spec?.clusterName ?? '',
        displayName: project.spec?.displayName ?? '',
        ...(backingNamespace ? { backingNamespace } : {}),
      };
    },
  } satisfies ListableResource<ProjectSummary>,
  roletemplates: {
    kind: 'RoleTemplate',
    path: '/apis/management.cattle.io/v3/roletemplates',
    schema: RoleTemplateSchema,
    summarize(item: unknown): RoleTemplateSummary {
      const template = RoleTemplateSchema.parse(item);
      return {
        id: template.metadata.name,
        displayName: template.displayName ?? '',
        context: template.context ?? '',
        builtin: template.builtin === true,
        locked: template.locked === true,
        hidden: template.hidden === true,
        external: template.external === true,
      };
    },
  } satisfies ListableResource<RoleTemplateSummary>,
} as const;

export type ListableResourceName = keyof typeof listableResources;
export type SummaryOf<Name extends ListableResourceName> = ReturnType<(typeof listableResources)[Name]['summarize']>;

/**
 * Returns the collection path of `resource`, within `namespace` when one is given.
 * @throws {Error} when `namespace` is given for a cluster-scoped kind, or is not a Kubernetes name.
 */
export function listPathOf(resource: ListableResourceName, namespace?: string): string {
  const entry: ListableResource<unknown> = listableResources[resource];
  if (namespace === undefined) return entry.path;

  if (!entry.namespacedPath) throw new Error(`${entry.kind} objects are not namespaced, so a list of ${resource} takes no namespace.`);
  if (!isKubernetesName(namespace)) throw new Error(`Invalid namespace ${JSON.stringify(namespace)} for a list of ${resource}: it must be a Kubernetes name.`);
  return entry.namespacedPath(namespace);
}

/**
 * Returns the total number of items from the first page of a list: the page's items plus
 * `remainingItemCount` when Rancher sends it, the page alone when nothing follows, else undefined.
 */
export function totalFromFirstPage(page: { items: readonly unknown[]; continue?: string; remainingItemCount?: number }): number | undefined {
  if (page.remainingItemCount !== undefined) return page.items.length + page.remainingItemCount;
  if (!page.continue) return page.items.length;
  return undefined;
}
