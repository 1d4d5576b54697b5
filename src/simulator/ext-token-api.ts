/**
 * The `ext.cattle.io/v1` Token API: create, read, update and delete of ext tokens as Rancher's
 * extension API server serves them.
 *
 * Rancher always generates the name (`token-` plus five characters) and ignores the client's name
 * and generateName. The owner (`spec.userID`) must be the caller. The secret (`status.value`) and
 * the ready-to-use bearer value (`status.bearerToken`, `ext/token-xxxxx:<secret>`) appear only in
 * the create response. The store keeps a SHA-256 hash of the secret in `status.hash`, which
 * responses leave out. `status.current` is true on the token that authenticated the request, and
 * `status.expired` is computed from `status.expiresAt` at read time. Users see only their own
 * tokens; users bound to the `admin` global role see all.
 */
import { createHash } from 'node:crypto';
import { generateSecret } from './auth.js';
import { extTokensResource, globalRoleBindingsResource, usersResource } from './resources.js';
import { forbidden, SimulatorResponseError, type StatusCause } from './status.js';
import { formatTimestamp, type StoredObject } from './store.js';
import { fieldAt, type DraftObject, type Requester, type SimulatorContext, type TypeHooks } from './type-hooks.js';

/** Default and maximum lifetime of a token, `auth-token-max-ttl-minutes` = 129600 (90 days), in milliseconds. */
export const maxTokenTtlMs = 129_600 * 60 * 1000;

const secrets = new WeakMap<object, string>();

/** Returns the SHA-256 hash of a secret, in the hex form `status.hash` stores. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Returns whether the user is bound to the `admin` global role. */
export function isAdministrator(context: SimulatorContext, userId: string): boolean {
  return context.store.list(globalRoleBindingsResource).some(({ object }) => object.userName === userId && object.globalRoleName === 'admin');
}

/** Returns the expiry time for a lifetime in milliseconds: empty for a negative one, which never expires. */
export function expiryOf(created: Date, ttlMs: number): string {
  return ttlMs < 0 ? '' : formatTimestamp(new Date(created.getTime() + ttlMs));
}

/** Returns the effective lifetime: 0 means the default, and longer than the maximum is cut to it. */
function effectiveTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || ttl === 0) {
    return maxTokenTtlMs;
  }
  return ttl < 0 ? ttl : Math.min(ttl, maxTokenTtlMs);
}

function userPrincipalOf(context: SimulatorContext, userId: string): Record<string, unknown> {
  const user = context.store.get(usersResource, userId);
  const principalIds = Array.isArray(user?.principalIds) ? (user.principalIds as string[]) : [];
  const name = principalIds[0] ?? `local://${userId}`;
  const provider = name.startsWith('local://') ? 'local' : (name.split('_')[0] ?? 'local');
  return {
    name,
    provider,
    principalType: 'user',
    ...(typeof user?.displayName === 'string' ? { displayName: user.displayName } : {}),
    ...(typeof user?.username === 'string' && user.username !== '' ? { loginName: user.username } : {}),
  };
}

/**
 * Fills a new token's spec for the caller, generates its secret and sets its status. Used by the
 * create operation and by kubeconfig creation, which makes a token for the kubeconfig.
 */
export function prepareExtToken(context: SimulatorContext, token: DraftObject, userId: string): void {
  const spec = (typeof token.spec === 'object' && token.spec !== null ? token.spec : {}) as Record<string, unknown>;
  const now = context.clock();
  const ttl = effectiveTtl(spec.ttl);
  token.spec = {
    ...spec,
    userID: userId,
    userPrincipal: userPrincipalOf(context, userId),
    clusterName: typeof spec.clusterName === 'string' ? spec.clusterName : '',
    kind: typeof spec.kind === 'string' ? spec.kind : '',
    ttl,
  };

  const secret = generateSecret();
  secrets.set(token, secret);
  token.metadata.labels = { ...token.metadata.labels, 'cattle.io/user-id': userId };
  token.status = { current: false, expired: false, expiresAt: expiryOf(now, ttl), lastUpdateTime: formatTimestamp(now), hash: hashTokenSecret(secret) };
}

/** Returns the secret generated for a token draft by `prepareExtToken`. */
export function secretOfDraft(token: DraftObject): string | undefined {
  return secrets.get(token);
}

function isExpired(token: StoredObject, now: Date): boolean {
  const expiresAt = fieldAt(token, 'status.expiresAt');
  return typeof expiresAt === 'string' && expiresAt !== '' && Date.parse(expiresAt) <= now.getTime();
}

function presentToken(context: SimulatorContext, token: StoredObject, requester: Requester): StoredObject {
  const status: Record<string, unknown> = { ...(token.status as Record<string, unknown>) };
  delete status.hash;
  delete status.value;
  delete status.bearerToken;
  status.current = requester.tokenName === token.metadata.name;
  status.expired = isExpired(token, context.clock());
  return { ...token, status };
}

/** Hooks of the ext `Token`. */
export const extTokenHooks: TypeHooks = {
  immutable: ['spec.userID', 'spec.userPrincipal', 'spec.clusterName', 'spec.kind'],
  serverOwnedStatus: true,
  prepareCreate(context, token, requester) {
    const requestedOwner = fieldAt(token, 'spec.userID');
    if (typeof requestedOwner === 'string' && requestedOwner !== '' && requestedOwner !== requester.userId) {
      throw new SimulatorResponseError(forbidden(extTokensResource, '', 'create', `user ${requester.userId} may not create a token for user ${requestedOwner}`));
    }
    // Rancher ignores the client's name and generateName.
    token.metadata.name = '';
    token.metadata.generateName = 'token-';
    prepareExtToken(context, token, requester.userId);
  },
  validate(token): StatusCause[] {
    const causes: StatusCause[] = [];
    if (typeof token.spec !== 'object' || token.spec === null || Array.isArray(token.spec)) {
      return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec' }];
    }
    const ttl = fieldAt(token, 'spec.ttl');
    if (ttl !== undefined && !Number.isSafeInteger(ttl)) {
      causes.push({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: spec.ttl must be an integer number of milliseconds', field: 'spec.ttl' });
    }
    const enabled = fieldAt(token, 'spec.enabled');
    if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') {
      causes.push({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: spec.enabled must be a boolean', field: 'spec.enabled' });
    }
    return causes;
  },
  admit(_context, token, old) {
    if (!old) {
      return;
    }
    // A changed lifetime moves the expiry, counted from the creation time as Rancher does.
    const ttl = effectiveTtl(fieldAt(token, 'spec.ttl'));
    (token.spec as Record<string, unknown>).ttl = ttl;
    if (ttl !== fieldAt(old, 'spec.ttl')) {
      token.status = { ...(token.status as Record<string, unknown>), expiresAt: expiryOf(new Date(old.metadata.creationTimestamp), ttl) };
    }
  },
  createResponse(_context, created, draft) {
    const secret = secretOfDraft(draft) ?? '';
    return { ...created, status: { ...(created.status as Record<string, unknown>), value: secret, bearerToken: `ext/${created.metadata.name}:${secret}` } };
  },
  visible(context, token, requester) {
    return fieldAt(token, 'spec.userID') === requester.userId || isAdministrator(context, requester.userId);
  },
  present: presentToken,
};
