/**
 * Ext tokens (`ext.cattle.io/v1` Token, Rancher v2.12 and later): API keys whose bearer value is
 * `ext/token-xxxxx:<secret>` and whose object shows the expiry in `status.expiresAt`.
 *
 * The store keeps the SHA-256 hash of the secret in `status.hash`; the plain secret exists only
 * in the bearer value handed to the caller.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { generateSecret, type AuthenticationResult } from './auth.js';
import type { SeededRandom } from './random.js';
import { extTokensResource, usersResource } from './resources.js';
import { formatTimestamp, type Clock, type ObjectStore, type StoredObject } from './store.js';

/** Fields a caller may set when adding an ext token; the simulator generates the rest. */
export interface ExtTokenRequest {
  userId: string;
  /** Lifetime in milliseconds from now; negative means the token never expires. Default 90 days. */
  ttlMs?: number;
  clusterName?: string;
  enabled?: boolean;
  description?: string;
}

/** An added ext token: its name and the ready-to-use bearer value. */
export interface ExtTokenRecord {
  name: string;
  /** `ext/token-xxxxx:<secret>`. */
  bearer: string;
  /** RFC 3339 expiry, or empty when the token never expires. */
  expiresAt: string;
}

const ninetyDaysMs = 90 * 24 * 60 * 60 * 1000;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Adds an ext token for `request.userId` and returns its bearer value. */
export function addExtToken(store: ObjectStore, random: SeededRandom, clock: Clock, request: ExtTokenRequest): ExtTokenRecord {
  let name = `token-${random.nameSuffix()}`;
  while (store.has(extTokensResource, name)) name = `token-${random.nameSuffix()}`;

  const secret = generateSecret();
  const now = clock();
  const ttl = request.ttlMs ?? ninetyDaysMs;
  const expiresAt = ttl < 0 ? '' : formatTimestamp(new Date(now.getTime() + ttl));
  store.create(extTokensResource, {
    apiVersion: 'ext.cattle.io/v1',
    kind: 'Token',
    metadata: { name, labels: { 'cattle.io/user-id': request.userId } },
    spec: {
      userID: request.userId,
      userPrincipal: { name: `local://${request.userId}`, provider: 'local', principalType: 'user' },
      clusterName: request.clusterName ?? '',
      description: request.description ?? '',
      kind: '',
      ttl,
      ...(request.enabled === false ? { enabled: false } : {}),
    },
    status: { expiresAt, expired: false, current: false, lastUpdateTime: formatTimestamp(now), hash: hashSecret(secret) },
  });

  return { name, bearer: `ext/${name}:${secret}`, expiresAt };
}

function isExpired(token: StoredObject, now: Date): boolean {
  const expiresAt = (token.status as { expiresAt?: unknown } | undefined)?.expiresAt;
  return typeof expiresAt === 'string' && expiresAt !== '' && Date.parse(expiresAt) <= now.getTime();
}

/**
 * Checks the `token-xxxxx:<secret>` part of an `ext/` bearer value, with the same reasons as
 * legacy keys: unknown, wrong secret, expired, disabled, cluster-scoped, unknown or disabled user.
 */
export function authenticateExtToken(store: ObjectStore, clock: Clock, value: string): AuthenticationResult {
  const separator = value.indexOf(':');
  if (separator <= 0 || separator === value.length - 1) return { ok: false, reason: 'malformed-token' };

  const name = value.slice(0, separator);
  const token = store.get(extTokensResource, name);
  if (!token) return { ok: false, reason: 'unknown-token' };

  const spec = token.spec as { userID?: string; clusterName?: string; enabled?: boolean };
  const expected = Buffer.from(String((token.status as { hash?: unknown }).hash), 'utf8');
  const actual = Buffer.from(hashSecret(value.slice(separator + 1)), 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'wrong-secret' };
  if (isExpired(token, clock())) return { ok: false, reason: 'expired' };
  if (spec.enabled === false) return { ok: false, reason: 'disabled-token' };
  if (spec.clusterName) return { ok: false, reason: 'cluster-scoped', clusterName: spec.clusterName };

  const userId = String(spec.userID);
  const user = store.get(usersResource, userId);
  if (!user) return { ok: false, reason: 'unknown-user' };
  if (user.enabled === false) return { ok: false, reason: 'disabled-user' };

  return { ok: true, userId, tokenName: name };
}
