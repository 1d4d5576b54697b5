/**
 * API keys and bearer-token authentication.
 *
 * Keys are stored as legacy `management.cattle.io/v3` Token objects whose `token` field contains a
 * SHA-256 hash of the secret, so the plain secret exists only in the value handed to the caller.
 * Every failure (no header, no `:`, unknown name, wrong secret, expired, disabled key, key scoped
 * to a cluster, disabled user) ends in the same 401, as in Rancher; the reason is returned only
 * for the simulator's own log.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { legacyTokensResource, usersResource } from './resources.js';
import { authenticateExtToken } from './ext-tokens.js';
import type { SeededRandom } from './random.js';
import { formatTimestamp, type Clock, type ObjectStore, type StoredObject } from './store.js';

/** The alphabet and length of the secret part of a Rancher API key. */
const secretAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const secretLength = 54;

/** An API key as the simulator keeps it. */
export interface TokenRecord {
  /** `token-` plus five characters, the access key. */
  name: string;
  /** The secret key, 54 lower-case letters and digits. */
  secret: string;
  userId: string;
  /** Expiry as RFC 3339 time, or `null` for a key that never expires. */
  expiresAt: string | null;
  /** Cluster the key is scoped to; empty for an unscoped key. */
  clusterName: string;
  enabled: boolean;
}

/** Fields a caller may set when adding a key; the simulator generates the rest. */
export interface TokenRequest {
  userId: string;
  name?: string;
  secret?: string;
  expiresAt?: string | null;
  clusterName?: string;
  enabled?: boolean;
  description?: string;
}

/** Result of checking an `Authorization` header. */
export type AuthenticationResult =
  | { ok: true; userId: string; tokenName: string }
  | { ok: false; reason: AuthenticationFailure; clusterName?: string };

/** Reason an authentication failed, for logs only: every failure gets the same 401 response. */
export type AuthenticationFailure =
  | 'missing-header'
  | 'not-bearer'
  | 'malformed-token'
  | 'unknown-token'
  | 'wrong-secret'
  | 'expired'
  | 'disabled-token'
  | 'cluster-scoped'
  | 'unknown-user'
  | 'disabled-user';

/** Returns the bearer value `name:secret` of a key. */
export function bearerValue(record: Pick<TokenRecord, 'name' | 'secret'>): string {
  return `${record.name}:${record.secret}`;
}

/** Returns a fresh random secret; it comes from `node:crypto`, never from the seeded generator. */
export function generateSecret(): string {
  let secret = '';
  for (let index = 0; index < secretLength; index += 1) {
    secret += secretAlphabet[randomInt(secretAlphabet.length)];
  }
  return secret;
}

/**
 * Adds an API key to the store and returns its record, including the plain secret.
 * @throws {ObjectExistsError} when `request.name` is given and already taken.
 */
export function addToken(store: ObjectStore, random: SeededRandom, request: TokenRequest): TokenRecord {
  let name = request.name;
  while (name === undefined || (request.name === undefined && store.has(legacyTokensResource, name))) {
    name = `token-${random.nameSuffix()}`;
  }

  const record: TokenRecord = {
    name,
    secret: request.secret ?? generateSecret(),
    userId: request.userId,
    expiresAt: request.expiresAt ?? null,
    clusterName: request.clusterName ?? '',
    enabled: request.enabled ?? true,
  };
  store.create(legacyTokensResource, {
    apiVersion: 'management.cattle.io/v3',
    kind: 'Token',
    metadata: { name, labels: { 'authn.management.cattle.io/token-userId': record.userId } },
    authProvider: 'local',
    clusterName: record.clusterName,
    description: request.description ?? '',
    enabled: record.enabled,
    expiresAt: record.expiresAt ?? '',
    isDerived: true,
    token: hashSecret(record.secret),
    userId: record.userId,
  });
  return record;
}

/**
 * Checks an `Authorization` header value against the stored keys and users.
 *
 * The management API belongs to no downstream cluster, so a cluster-scoped key always fails
 * here. NOTE: whether Rancher accepts a key scoped to the `local` cluster on `/apis` is not
 * known; the simulator rejects it like any other scoped key.
 */
export function authenticate(store: ObjectStore, clock: Clock, header: string | undefined): AuthenticationResult {
  if (header === undefined || header === '') {
    return { ok: false, reason: 'missing-header' };
  }

  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) {
    return { ok: false, reason: 'not-bearer' };
  }

  // Ext tokens (Rancher v2.12 and later) carry an `ext/` prefix before the token name.
  if (match[1].startsWith('ext/')) {
    return authenticateExtToken(store, clock, match[1].slice('ext/'.length));
  }

  const separator = match[1].indexOf(':');
  if (separator <= 0 || separator === match[1].length - 1) {
    return { ok: false, reason: 'malformed-token' };
  }

  const name = match[1].slice(0, separator);
  const secret = match[1].slice(separator + 1);
  const token = store.get(legacyTokensResource, name);
  if (!token) {
    // An ext token also authenticates without the `ext/` prefix.
    return authenticateExtToken(store, clock, match[1]);
  }
  if (!secretMatches(token, secret)) {
    return { ok: false, reason: 'wrong-secret' };
  }
  if (isExpired(token, clock())) {
    return { ok: false, reason: 'expired' };
  }
  if (token.enabled === false) {
    return { ok: false, reason: 'disabled-token' };
  }
  if (typeof token.clusterName === 'string' && token.clusterName !== '') {
    return { ok: false, reason: 'cluster-scoped', clusterName: token.clusterName };
  }

  const userId = String(token.userId);
  const user = store.get(usersResource, userId);
  if (!user) {
    return { ok: false, reason: 'unknown-user' };
  }
  if (user.enabled === false) {
    return { ok: false, reason: 'disabled-user' };
  }

  return { ok: true, userId, tokenName: name };
}

/** Returns an RFC 3339 time `milliseconds` after the clock's current time. */
export function timeFromNow(clock: Clock, milliseconds: number): string {
  return formatTimestamp(new Date(clock().getTime() + milliseconds));
}

function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

function secretMatches(token: StoredObject, secret: string): boolean {
  const expected = Buffer.from(String(token.token), 'utf8');
  const actual = Buffer.from(hashSecret(secret), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function isExpired(token: StoredObject, now: Date): boolean {
  if (typeof token.expiresAt !== 'string' || token.expiresAt === '') {
    return false;
  }
  return Date.parse(token.expiresAt) <= now.getTime();
}
