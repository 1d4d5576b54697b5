/**
 * The connection test: lists users with a page size of 1 and turns each failure into one named
 * problem with its fix. The worker's activity and the `connection add|edit` commands both run it,
 * so a person gets the same diagnosis in the CLI and in workflow results.
 */
import type { LookupFunction } from 'node:net';
import { RancherClient } from '../rancher/client.js';
import { totalFromFirstPage } from '../rancher/resources.js';
import { RancherDomainError, RancherError, RancherHttpError, RancherTlsError } from '../rancher/errors.js';
import { ConnectionConfigError, tokenHint } from './source.js';

/** Path the connection test lists; a user list needs an unscoped key whose user may list users. */
export const usersPath = '/apis/management.cattle.io/v3/users';
const extTokensPath = '/apis/ext.cattle.io/v1/tokens';

/** Stable problem codes of the connection test; README.md lists them with their meaning. */
export type ConnectionProblemCode =
  | 'domain-empty'
  | 'domain-invalid'
  | 'domain-url'
  | 'domain-path'
  | 'domain-http'
  | 'domain-whitespace'
  | 'domain-trailing-dot'
  | 'key-missing'
  | 'key-malformed'
  | 'dns'
  | 'connection-refused'
  | 'connection-reset'
  | 'network'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-hostname-mismatch'
  | 'tls-expired'
  | 'tls-not-yet-valid'
  | 'tls'
  | 'not-rancher'
  | 'key-incomplete'
  | 'key-rejected'
  | 'key-expired'
  | 'key-cluster-scoped'
  | 'forbidden'
  | 'server-error'
  | 'rate-limited'
  | 'config'
  | 'unknown';

/** One named problem: a stable code and a message that names the value and the fix. */
export interface ConnectionProblem {
  code: ConnectionProblemCode;
  message: string;
}

/** Result of a connection test. It never contains the token, only its last four characters. */
export interface ConnectionDiagnosis {
  ok: boolean;
  /** Normalised `host[:port]`, or the value as given when it is not a valid domain. */
  domain: string;
  tokenHint: string;
  /** Number of users, when Rancher returns `remainingItemCount` or the list fits one page. */
  userCount?: number;
  /** Expiry of an ext token (RFC 3339), read from `/apis/ext.cattle.io/v1/tokens/{name}`. */
  expiresAt?: string;
  problem?: ConnectionProblem;
}

/** Input of the connection test; the token stays in this process. */
export interface DiagnosisInput {
  domain: string;
  token: string;
  caPem?: string;
  /** Connection id, used in the commands that a fix suggests. */
  connection?: string;
  /** False while `connection add` tests a connection it has not saved yet, so a fix suggests `add` again, not `edit`. */
  saved?: boolean;
  /** Expiry recorded by an earlier successful test, used to name the date when Rancher rejects the key. */
  knownExpiresAt?: string;
  lookup?: LookupFunction;
  timeoutMs?: number;
  now?: () => Date;
}

const newKeyHint =
  'Create a new API key in Rancher (avatar menu → Account & API Keys → Create API Key, Scope: No Scope) and copy its whole bearer token, "token-xxxxx:<secret key>"';

function describeKey(token: string): string {
  const hint = tokenHint(token);
  return hint ? `the API key ending in "…${hint}"` : `the API key (${token.length} characters)`;
}

function updateCommand(connection: string | undefined, saved = true): string {
  if (!saved) return `rancher-workflows connection add --id ${connection ?? '<id>'} --domain <domain>`;
  return connection ? `rancher-workflows connection edit ${connection}` : 'rancher-workflows connection edit <id>';
}

/** Maps the domain parser's problem to a connection problem code. */
function domainProblem(error: RancherDomainError): ConnectionProblem {
  const codes: Record<RancherDomainError['problem'], ConnectionProblemCode> = {
    empty: 'domain-empty',
    'http-scheme': 'domain-http',
    'unsupported-scheme': 'domain-url',
    userinfo: 'domain-url',
    path: /^[a-z][a-z0-9+.-]*:\/\//i.test(error.value) ? 'domain-url' : 'domain-path',
    whitespace: 'domain-whitespace',
    'trailing-dot': 'domain-trailing-dot',
    'invalid-port': 'domain-invalid',
    'invalid-host': 'domain-invalid',
  };
  return { code: codes[error.problem], message: error.message };
}

/** Returns which part of a key is missing, or undefined when it has both parts. */
function missingKeyPart(token: string): 'secret' | 'access-key' | undefined {
  const value = token.replace(/^ext\//, '');
  const separator = value.indexOf(':');
  if (separator === -1) return /^token-/.test(value) ? 'secret' : 'access-key';
  if (separator === 0) return 'access-key';
  if (separator === value.length - 1) return 'secret';

  return undefined;
}

/** Finds a cluster id such as `c-m-4bx2q7dz`, `c-7xk2p` or `local` in a server message. */
function clusterIn(message: string): string | undefined {
  return /\b(c-m-[a-z0-9]{8}|c-[a-z0-9]{5}|local)\b/.exec(message)?.[1];
}

function unauthorizedProblem(error: RancherHttpError, input: DiagnosisInput, now: Date): ConnectionProblem {
  const key = describeKey(input.token);
  const serverMessage = error.serverMessage ?? '';
  const rejected = `${input.domain.trim()} rejected ${key} (401 Unauthorized${serverMessage ? `: "${serverMessage}"` : ''})`;
  const update = `then store it with "${updateCommand(input.connection, input.saved)} --token-stdin"`;

  const missing = missingKeyPart(input.token);
  if (missing === 'secret') {
    return {
      code: 'key-incomplete',
      message: `${rejected}: the key is only the access key ("token-xxxxx") without ":<secret key>". Give the whole bearer token, "token-xxxxx:<secret key>". Rancher shows the secret only when the key is created, so if it is lost: ${newKeyHint}, ${update}.`,
    };
  }
  if (missing === 'access-key') {
    return {
      code: 'key-incomplete',
      message: `${rejected}: the key is only the secret key, without the access key "token-xxxxx:" in front. Give the whole bearer token, "token-xxxxx:<secret key>", as Rancher showed it when the key was created.`,
    };
  }

  if (/clusterID does not match|cluster[- ]scoped|scoped to (?:the )?cluster/i.test(serverMessage)) {
    const cluster = clusterIn(serverMessage);
    return {
      code: 'key-cluster-scoped',
      message: `${rejected}: the key is scoped to ${cluster ? `cluster "${cluster}"` : 'a cluster'}, and a cluster-scoped key cannot use Rancher's management API. ${newKeyHint}, ${update}.`,
    };
  }

  const knownExpiry = input.knownExpiresAt ? Date.parse(input.knownExpiresAt) : Number.NaN;
  if (/expired/i.test(serverMessage) || (!Number.isNaN(knownExpiry) && knownExpiry <= now.getTime())) {
    const when = Number.isNaN(knownExpiry) ? '' : ` at ${input.knownExpiresAt}`;
    return { code: 'key-expired', message: `${rejected}: the key expired${when}. ${newKeyHint}, ${update}.` };
  }

  return {
    code: 'key-rejected',
    message:
      `${rejected}. Rancher gives the same answer for every key problem, so the key is one of: unknown or deleted, expired, disabled, ` +
      `scoped to a cluster (keys for this tool need Scope: No Scope), or owned by a disabled user. ${newKeyHint}, ${update}.`,
  };
}

function forbiddenProblem(error: RancherHttpError, input: DiagnosisInput): ConnectionProblem {
  const user = /User "([^"]+)"/.exec(error.serverMessage ?? '')?.[1];
  const who = user ? `its user "${user}"` : 'its user';
  return {
    code: 'forbidden',
    message:
      `${input.domain.trim()} accepted ${describeKey(input.token)}, but ${who} may not list users (403 Forbidden${error.serverMessage ? `: "${error.serverMessage}"` : ''}). ` +
      'Give that user the global role "Manage Users" (users-manage) or "Administrator" in Rancher (Users & Authentication → Users → Edit Config), or use the key of a user who has one.',
  };
}

/** Finds the names a TLS certificate covers in Node's ERR_TLS_CERT_ALTNAME_INVALID error, when present. */
function certificateNames(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth += 1) {
    const altNames = (current as { cert?: { subjectaltname?: unknown } }).cert?.subjectaltname;
    if (typeof altNames === 'string' && altNames !== '') return altNames;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function transportProblem(error: RancherError, domain: string, input: DiagnosisInput): ConnectionProblem | undefined {
  const host = domain.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
  const port = /:([0-9]+)$/.exec(domain)?.[1] ?? '443';
  const systemCode = (error as { systemCode?: string }).systemCode;
  const because = systemCode ? ` (${systemCode})` : '';

  switch (error.code) {
    case 'dns':
      return {
        code: 'dns',
        message: `The host name "${host}" of domain "${domain}" could not be resolved${because}. Check the spelling of the domain, and that this machine's DNS server or hosts file knows the name.`,
      };
    case 'connection-refused':
      return {
        code: 'connection-refused',
        message: `${domain} refused the connection on port ${port}${because}. Check that Rancher is running and listens on that port (Rancher's HTTPS port is 443 unless it was installed with another one), and that the domain names the Rancher server.`,
      };
    case 'timeout':
      return {
        code: 'timeout',
        message: `${domain} did not respond within ${input.timeoutMs ?? 30_000} ms${because}. Check that a firewall, proxy or VPN lets this machine reach port ${port}, and that Rancher is not overloaded.`,
      };
    case 'tls-untrusted':
      return {
        code: 'tls-untrusted',
        message:
          `The TLS certificate of ${domain} is not trusted${because}: Rancher uses a self-signed certificate or one from a private CA. ` +
          `Save Rancher's CA certificate to a PEM file and give it as the connection's CA file (--ca-file, or RANCHER_CA_FILE for connection "default"). ` +
          `Rancher shows the CA certificate under Global Settings → cacerts and serves it at https://${domain}/cacerts; compare its fingerprint with the one your Rancher administrator has before you trust it.`,
      };
    case 'tls-hostname-mismatch': {
      const names = certificateNames(error instanceof RancherTlsError ? error.cause : undefined);
      return {
        code: 'tls-hostname-mismatch',
        message:
          `The TLS certificate of ${domain} was issued for another name${names ? ` (${names})` : ''}, not for "${host}"${because}. ` +
          "Use the domain the certificate was issued for (Rancher's server-url setting), or reissue the certificate with this name.",
      };
    }
    case 'tls-expired':
    case 'tls-not-yet-valid':
    case 'tls':
    case 'connection-reset':
    case 'network':
      return { code: error.code, message: error.message };
    default:
      return undefined;
  }
}

function httpProblem(error: RancherHttpError, input: DiagnosisInput, now: Date): ConnectionProblem | undefined {
  const domain = input.domain.trim();
  if (error.status === 401) return unauthorizedProblem(error, input, now);
  if (error.status === 403) return forbiddenProblem(error, input);
  if (error.status === 404) {
    return {
      code: 'not-rancher',
      message: `${domain} responded 404 Not Found for ${usersPath}${error.serverMessage ? ` ("${error.serverMessage}")` : ''}: it serves no Rancher management API. Check that the domain names the Rancher server itself, not a downstream cluster or another Kubernetes API server.`,
    };
  }
  if (error.status === 429) {
    return { code: 'rate-limited', message: `${domain} is limiting the request rate (429 Too Many Requests). Run the test again later.` };
  }
  if (error.status >= 500) {
    return {
      code: 'server-error',
      message:
        `${domain} responded ${error.status} ${error.statusText}${error.serverMessage ? ` ("${error.serverMessage}")` : ''}: Rancher, or a proxy or load balancer in front of it, failed. ` +
        'Run the test again later; if the error stays, check the Rancher pods and their logs (kubectl -n cattle-system logs -l app=rancher).',
    };
  }
  return undefined;
}

/**
 * Turns an error of the connection test into one named problem. Errors outside the Rancher
 * family and {@link ConnectionConfigError} become `unknown` with their message.
 */
export function problemFromError(error: unknown, input: DiagnosisInput): ConnectionProblem {
  const now = input.now?.() ?? new Date();
  const cause = error instanceof ConnectionConfigError ? error.cause : undefined;
  if (error instanceof RancherDomainError) return domainProblem(error);
  if (cause instanceof RancherDomainError) return { ...domainProblem(cause), message: error instanceof Error ? error.message : String(error) };
  if (error instanceof ConnectionConfigError) return { code: 'config', message: error.message };

  if (error instanceof RancherHttpError) {
    const problem = httpProblem(error, input, now);
    if (problem) return problem;
  }
  if (error instanceof RancherError) {
    if (error.code === 'not-rancher') return { code: 'not-rancher', message: error.message };
    if (error.code === 'invalid-options' && input.token.trim() === '') {
      return { code: 'key-missing', message: `The API key is empty. ${newKeyHint}, and give it to the connection.` };
    }
    if (error.code === 'invalid-options') {
      return { code: 'key-malformed', message: `${describeKey(input.token)} contains whitespace or control characters. Give the bearer token "token-xxxxx:<secret key>" on one line, with nothing else.` };
    }
    const problem = transportProblem(error, input.domain.trim(), input);
    if (problem) return problem;
    return { code: 'unknown', message: error.message };
  }

  return { code: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

/** Reads the expiry of an ext token (`ext/token-xxxxx:secret`); returns undefined for other keys or when the token object has no expiry. */
async function extTokenExpiry(client: RancherClient, token: string): Promise<string | undefined> {
  const name = /^ext\/(token-[a-z0-9]+):/.exec(token.trim())?.[1];
  if (!name) return undefined;

  try {
    const response = await client.request<{ status?: { expiresAt?: unknown } }>({ method: 'GET', path: `${extTokensPath}/${name}` });
    const expiresAt = response.body?.status?.expiresAt;
    return typeof expiresAt === 'string' && expiresAt !== '' ? expiresAt : undefined;
  } catch {
    // The expiry is extra information; a key that may list users but not read its own token still works.
    return undefined;
  }
}

/**
 * Runs the connection test: checks the domain and the key, lists users with `limit=1` and, for an
 * ext token, reads the key's expiry. A failed test resolves with the problem in the result.
 */
export async function diagnoseConnection(input: DiagnosisInput): Promise<ConnectionDiagnosis> {
  const hint = tokenHint(input.token.trim());
  let client: RancherClient;
  try {
    client = new RancherClient({
      domain: input.domain,
      token: input.token,
      ...(input.caPem ? { ca: input.caPem } : {}),
      ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
      ...(input.lookup ? { lookup: input.lookup } : {}),
    });
  } catch (error) {
    return { ok: false, domain: input.domain, tokenHint: hint, problem: problemFromError(error, input) };
  }

  const domain = client.domain.domain;
  const normalisedInput = { ...input, domain };
  try {
    const page = await client.listPage(usersPath, { limit: 1 });
    const userCount = totalFromFirstPage(page);
    const expiresAt = await extTokenExpiry(client, input.token);
    return { ok: true, domain, tokenHint: hint, ...(userCount !== undefined ? { userCount } : {}), ...(expiresAt ? { expiresAt } : {}) };
  } catch (error) {
    return { ok: false, domain, tokenHint: hint, problem: problemFromError(error, normalisedInput) };
  } finally {
    await client.close();
  }
}
