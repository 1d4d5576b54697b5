/**
 * The resource kinds that the list workflows read, and the compact summary of each item.
 *
 * Summaries keep workflow history small: ids, names, flags and timestamps, never whole objects.
 * This module has no I/O so that workflow code may import it.
 */
import { z } from 'zod';
import { GlobalRoleSchema, UserSchema } from './schemas.js';

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

interface ListableResource<Summary> {
  /** The Kubernetes kind of the items. */
  kind: string;
  /** The collection path on the Rancher server. */
  path: string;
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
} as const;

export type ListableResourceName = keyof typeof listableResources;
export type SummaryOf<Name extends ListableResourceName> = ReturnType<(typeof listableResources)[Name]['summarize']>;
