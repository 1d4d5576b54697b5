/** Activities for global role bindings: checks before approval, create, inspect and delete. */
import { ApplicationFailure, log } from '@temporalio/activity';
import { isKubernetesName } from '../src/rancher/catalog.js';
import type { RancherClient } from '../src/rancher/client.js';
import { RancherHttpError } from '../src/rancher/errors.js';
import { GlobalRoleBindingSchema, GlobalRoleSchema, UserSchema, type GlobalRoleBinding } from '../src/rancher/schemas.js';
import { toApplicationFailure } from './failures.js';

const V3 = '/apis/management.cattle.io/v3';

export interface GrantCheckInput {
  connection: string;
  userName: string;
  globalRoleName: string;
}

export interface GrantCheckResult {
  user: { id: string; displayName?: string; username?: string };
  role: { id: string; displayName?: string };
  /** The name of a binding that already gives this role to this user. */
  existingBinding?: string;
}

export interface CreateBindingInput {
  connection: string;
  name: string;
  userName: string;
  globalRoleName: string;
  annotations: Record<string, string>;
}

export interface BindingRef {
  connection: string;
  bindingName: string;
}

export type BindingDescription =
  | { found: false }
  | { found: true; userName?: string; groupPrincipalName?: string; userPrincipalName?: string; globalRoleName: string; userDisplayName?: string; roleDisplayName?: string; deleting: boolean };

function checkFailure(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'GrantCheckFailed', message, nonRetryable: true, details: [{ code }] });
}

async function getOrUndefined(client: RancherClient, path: string): Promise<unknown> {
  try {
    return (await client.request({ method: 'GET', path })).body;
  } catch (error) {
    if (error instanceof RancherHttpError && error.status === 404) return undefined;
    throw error;
  }
}

async function findBindings(client: RancherClient, userName: string, globalRoleName: string): Promise<GlobalRoleBinding[]> {
  const { items } = await client.listAll(`${V3}/globalrolebindings`, { pageSize: 500 });
  return items
    .map((item) => GlobalRoleBindingSchema.parse(item))
    .filter((binding) => binding.userName === userName && binding.globalRoleName === globalRoleName && !binding.metadata.deletionTimestamp);
}

async function resolveUser(client: RancherClient, userName: string): Promise<GrantCheckResult['user']> {
  if (isKubernetesName(userName)) {
    const found = await getOrUndefined(client, `${V3}/users/${userName}`);
    if (found) {
      const user = UserSchema.parse(found);
      return { id: user.metadata.name, ...(user.displayName ? { displayName: user.displayName } : {}), ...(user.username ? { username: user.username } : {}) };
    }
  }

  // Not a user id: look for what the person may have meant, to name the id to use instead.
  const users = (await client.listAll(`${V3}/users`, { pageSize: 500 })).items.map((item) => UserSchema.parse(item));
  if (userName.includes('://')) {
    const owner = users.find((user) => user.principalIds?.includes(userName));
    throw checkFailure(
      'user-is-principal',
      owner
        ? `"${userName}" is a principal id, not a user id. Use the user id "${owner.metadata.name}"${owner.displayName ? ` (${owner.displayName})` : ''}, the Rancher user that has this principal.`
        : `"${userName}" is a principal id, not a user id, and no Rancher user has it yet; the person must log in to Rancher once. Then use their user id (u-xxxxx) from \`rancher-workflows users\`.`,
    );
  }
  const byName = users.find((user) => user.username === userName || user.displayName === userName);
  if (byName) {
    throw checkFailure('user-is-name', `"${userName}" is a user's name, not a user id. Use the user id "${byName.metadata.name}".`);
  }
  throw checkFailure('user-not-found', `No Rancher user has the id "${userName}". List users with \`rancher-workflows users\` and use the ID column (u-xxxxx).`);
}

async function resolveRole(client: RancherClient, globalRoleName: string): Promise<GrantCheckResult['role']> {
  if (isKubernetesName(globalRoleName)) {
    const found = await getOrUndefined(client, `${V3}/globalroles/${globalRoleName}`);
    if (found) {
      const role = GlobalRoleSchema.parse(found);
      return { id: role.metadata.name, ...(role.displayName ? { displayName: role.displayName } : {}) };
    }
  }

  const roles = (await client.listAll(`${V3}/globalroles`, { pageSize: 500 })).items.map((item) => GlobalRoleSchema.parse(item));
  const wanted = globalRoleName.trim().toLowerCase();
  const byDisplayName = roles.find((role) => role.displayName?.toLowerCase() === wanted);
  if (byDisplayName) {
    throw checkFailure(
      'role-is-display-name',
      `"${globalRoleName}" is the display name of a global role, not its id. Use the id "${byDisplayName.metadata.name}".`,
    );
  }
  throw checkFailure('role-not-found', `No global role has the id "${globalRoleName}". List them with \`rancher-workflows global-roles\` and use the ID column.`);
}

/** Builds the binding activities on a client pool. */
export function createBindingActivities(clientFor: (connection: string) => Promise<RancherClient>) {
  return {
    /**
     * Checks that the user and the global role exist and whether the binding already exists.
     * Throws a non-retryable `GrantCheckFailed` failure that names the id to use instead.
     */
    async checkGrant(input: GrantCheckInput): Promise<GrantCheckResult> {
      try {
        const client = await clientFor(input.connection);
        const user = await resolveUser(client, input.userName);
        const role = await resolveRole(client, input.globalRoleName);
        const [existing] = await findBindings(client, user.id, role.id);
        return { user, role, ...(existing ? { existingBinding: existing.metadata.name } : {}) };
      } catch (error) {
        throw toApplicationFailure(error);
      }
    },

    /**
     * Creates the binding under a name derived from the workflow. A retry that finds its own
     * binding (409 with the same user and role), or an identical binding made meanwhile,
     * succeeds without creating a second one.
     */
    async createBinding(input: CreateBindingInput): Promise<{ name: string; created: boolean }> {
      try {
        const client = await clientFor(input.connection);
        const [identical] = await findBindings(client, input.userName, input.globalRoleName);
        if (identical) {
          log.info('Binding already exists; nothing to create', { connection: input.connection, binding: identical.metadata.name });
          return { name: identical.metadata.name, created: false };
        }

        try {
          await client.request({
            method: 'POST',
            path: `${V3}/globalrolebindings`,
            body: {
              apiVersion: 'management.cattle.io/v3',
              kind: 'GlobalRoleBinding',
              metadata: { name: input.name, annotations: input.annotations },
              globalRoleName: input.globalRoleName,
              userName: input.userName,
            },
          });
          log.info('Created global role binding', { connection: input.connection, binding: input.name, userName: input.userName, globalRoleName: input.globalRoleName });
          return { name: input.name, created: true };
        } catch (error) {
          if (!(error instanceof RancherHttpError && error.status === 409)) throw error;
          const existing = GlobalRoleBindingSchema.parse(await getOrUndefined(client, `${V3}/globalrolebindings/${input.name}`));
          if (existing.userName === input.userName && existing.globalRoleName === input.globalRoleName) {
            log.info('Binding was created by an earlier attempt', { connection: input.connection, binding: input.name });
            return { name: input.name, created: true };
          }
          throw ApplicationFailure.create({
            type: 'BindingNameTaken',
            message: `A global role binding named "${input.name}" already exists for another user or role (${existing.userName ?? existing.groupPrincipalName ?? '?'} → ${existing.globalRoleName}). Start the request again; it will use a new name.`,
            nonRetryable: true,
          });
        }
      } catch (error) {
        throw toApplicationFailure(error);
      }
    },

    /** Returns the binding's subject and role with display names, or `{found: false}`. */
    async inspectBinding(input: BindingRef): Promise<BindingDescription> {
      try {
        const client = await clientFor(input.connection);
        if (!isKubernetesName(input.bindingName)) return { found: false };
        const found = await getOrUndefined(client, `${V3}/globalrolebindings/${input.bindingName}`);
        if (!found) return { found: false };

        const binding = GlobalRoleBindingSchema.parse(found);
        const user = binding.userName ? await getOrUndefined(client, `${V3}/users/${binding.userName}`) : undefined;
        const role = await getOrUndefined(client, `${V3}/globalroles/${binding.globalRoleName}`);
        const userDisplayName = user ? UserSchema.parse(user).displayName : undefined;
        const roleDisplayName = role ? GlobalRoleSchema.parse(role).displayName : undefined;
        return {
          found: true,
          globalRoleName: binding.globalRoleName,
          ...(binding.userName ? { userName: binding.userName } : {}),
          ...(binding.userPrincipalName ? { userPrincipalName: binding.userPrincipalName } : {}),
          ...(binding.groupPrincipalName ? { groupPrincipalName: binding.groupPrincipalName } : {}),
          ...(userDisplayName ? { userDisplayName } : {}),
          ...(roleDisplayName ? { roleDisplayName } : {}),
          deleting: Boolean(binding.metadata.deletionTimestamp),
        };
      } catch (error) {
        throw toApplicationFailure(error);
      }
    },

    /**
     * Deletes a binding. Returns `not-found` for a 404 (already gone), `deleting` when finalizers
     * still hold it, `deleted` otherwise. A 403 or any other error is a failure, never "already gone".
     */
    async deleteBinding(input: BindingRef): Promise<{ outcome: 'deleted' | 'not-found' | 'deleting' }> {
      try {
        const client = await clientFor(input.connection);
        const path = `${V3}/globalrolebindings/${input.bindingName}`;
        try {
          await client.request({ method: 'DELETE', path });
        } catch (error) {
          if (error instanceof RancherHttpError && error.status === 404) return { outcome: 'not-found' };
          throw error;
        }

        const after = await getOrUndefined(client, path);
        const outcome = after && GlobalRoleBindingSchema.parse(after).metadata.deletionTimestamp ? 'deleting' : 'deleted';
        log.info('Deleted global role binding', { connection: input.connection, binding: input.bindingName, outcome });
        return { outcome };
      } catch (error) {
        throw toApplicationFailure(error);
      }
    },
  };
}
