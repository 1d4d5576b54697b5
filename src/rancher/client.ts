/**
 * HTTPS client for Rancher's Kubernetes-style management API (`/apis/...`).
 *
 * It sends exactly one HTTP request per call: Temporal's activity retry policy retries, driven by
 * the `retryable` flag of the errors in `errors.ts`.
 */
import { rootCertificates } from 'node:tls';
import type { LookupFunction } from 'node:net';
import ky, { TimeoutError, type KyInstance } from 'ky';
import { Agent, fetch as undiciFetch } from 'undici';
import { parseRancherDomain, type RancherDomain } from './domain.js';
import { ListEnvelopeSchema } from './schemas.js';
import { RancherError, RancherResponseError, type RancherMethod } from './errors.js';
import {
  clientTimeoutErrorFor,
  createRedactor,
  httpErrorFor,
  isClassifiedByStatusAlone,
  isErrorBody,
  transportErrorFor,
  type Redactor,
} from './classify.js';

/** Options of {@link RancherClient}. */
export interface RancherClientOptions {
  /** Rancher instance as `host[:port]`, or an already parsed domain. */
  domain: string | RancherDomain;
  /** API key, `token-xxxxx:secret`; surrounding whitespace is removed. */
  token: string;
  /** PEM CA certificate(s) trusted in addition to the system roots, for self-signed Rancher installs. */
  ca?: string | Buffer;
  /** Time limit for one request until the response headers arrive, and for each pause while the body arrives; default 30000 ms. */
  timeoutMs?: number;
  /** Resolver used instead of the system one, for tests and DNS failure simulation. */
  lookup?: LookupFunction;
}

/** One request to the Rancher API. */
export interface RancherRequest {
  method: RancherMethod;
  /** Absolute path starting with `/apis/`, without query string. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body; a string is sent as it is. */
  body?: unknown;
  /** Body media type; default `application/merge-patch+json` for PATCH, `application/json` otherwise. */
  contentType?: string;
}

/** A successful response. */
export interface RancherResponse<T = unknown> {
  status: number;
  /** Parsed JSON; undefined for an empty body; an array of events for a watch stream. */
  body: T;
  /** Response headers with lower-case names. */
  headers: Record<string, string>;
}

/** One page of a Kubernetes list. */
export interface ListPage<T = unknown> {
  items: T[];
  /** Token for the next page; absent on the last page. */
  continue?: string;
  resourceVersion?: string;
  remainingItemCount?: number;
}

/** Options of {@link RancherClient.listPage}. */
export interface ListPageOptions {
  limit?: number;
  continue?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of {@link RancherClient.listAll}. */
export interface ListAllOptions {
  /** Items per request; default 100. */
  pageSize?: number;
  /** Stop after this many items and report `truncated`; default no limit. */
  maxItems?: number;
  labelSelector?: string;
  /** Called after each page with the number of items collected so far. */
  onPage?: (page: ListPage, total: number) => void;
}

const defaultTimeoutMs = 30_000;
const defaultPageSize = 100;
// setTimeout's limit; ky rejects larger timeouts.
const maxTimeoutMs = 2_147_483_647;

function invalidOption(message: string): RancherError {
  return new RancherError(message, { code: 'invalid-options', retryable: false });
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((character) => {
    const code = character.charCodeAt(0);
    return code < 0x20 || code === 0x7f;
  });
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Checks that `path` is a plain absolute `/apis/...` path. Which paths are allowed is the
 * endpoint catalog's business; this check only keeps the request on the configured server.
 */
function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/apis/')) return 'the path must start with /apis/';
  if (/[?#]/.test(path)) return 'the path must not contain a query or fragment; pass query parameters separately';
  if (/[\s\\]/.test(path) || hasControlCharacter(path)) return 'the path must not contain whitespace, backslashes or control characters';
  if (path.includes('//')) return 'the path must not contain empty segments ("//")';
  if (/%2e|%2f|%5c/i.test(path)) return 'the path must not contain encoded dots or slashes';
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'the path must not contain "." or ".." segments';

  return undefined;
}

function stringifyQuery(query: RancherRequest['query']): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) parameters.append(key, String(value));
  }
  const text = parameters.toString();

  return text === '' ? '' : `?${text}`;
}

/** Checks whether a parsed 2xx body looks like something Rancher's `/apis` API returns. */
function isKubernetesBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;

  const { kind, apiVersion } = body as { kind?: unknown; apiVersion?: unknown };
  return (typeof kind === 'string' && typeof apiVersion === 'string') || isErrorBody(body);
}

/**
 * Client for one Rancher server and API key. Create one per connection and call
 * {@link RancherClient.close} when done, which closes its pooled connections.
 */
export class RancherClient {
  readonly domain: RancherDomain;
  readonly timeoutMs: number;
  readonly #agent: Agent;
  readonly #http: KyInstance;
  readonly #redact: Redactor;
  #closing: Promise<void> | undefined;

  /**
   * Validates the options and prepares the connection pool; nothing is sent yet.
   * @throws {RancherDomainError} when `domain` is not a valid Rancher domain.
   * @throws {RancherError} with code `invalid-options` when the token is empty or contains
   *   whitespace or control characters, or `timeoutMs` is not a positive integer.
   */
  constructor(options: RancherClientOptions) {
    this.domain = parseRancherDomain(typeof options.domain === 'string' ? options.domain : options.domain.domain);

    const token = options.token.trim();
    if (token === '') throw invalidOption('The Rancher API key is empty — give the whole key, "token-xxxxx:secret".');
    if (/\s/.test(token) || hasControlCharacter(token)) {
      throw invalidOption('The Rancher API key contains whitespace or control characters — give the whole key, "token-xxxxx:secret", on one line.');
    }

    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    if (!isPositiveInteger(timeoutMs) || timeoutMs > maxTimeoutMs) {
      throw invalidOption(`timeoutMs must be a positive integer number of milliseconds up to ${maxTimeoutMs}, not ${String(options.timeoutMs)}.`);
    }
    this.timeoutMs = timeoutMs;
    this.#redact = createRedactor(token);

    // Transport: undici's own fetch and Agent, because Node's global fetch takes no CA or resolver.
    const ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca.toString()];
    this.#agent = new Agent({
      connect: { timeout: timeoutMs, ...(ca ? { ca } : {}), ...(options.lookup ? { lookup: options.lookup } : {}) },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const agent = this.#agent;

    // ky builds a global Request, which undici's fetch does not accept as a Request of its own,
    // so the adapter copies the parts across.
    const fetchThroughAgent = async (input: globalThis.Request): Promise<globalThis.Response> => {
      const body = input.body === null ? undefined : await input.arrayBuffer();
      const response = await undiciFetch(input.url, {
        method: input.method,
        headers: [...input.headers],
        body,
        signal: input.signal,
        redirect: 'manual',
        dispatcher: agent,
      });
      return response as unknown as globalThis.Response;
    };

    this.#http = ky.create({
      retry: 0,
      timeout: timeoutMs,
      throwHttpErrors: false,
      redirect: 'manual',
      fetch: fetchThroughAgent as typeof globalThis.fetch,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
  }

  /**
   * Sends one request and returns the parsed response.
   * @throws {RancherError} `invalid-request` for a path that is not a plain `/apis/...` path.
   * @throws {RancherHttpError} (or its 401, 403 and 404 subclasses) for a non-2xx status.
   * @throws {RancherTimeoutError}, {RancherNetworkError}, {RancherTlsError} when no response arrived.
   * @throws {RancherResponseError} when the response is not Rancher's API: HTML, invalid JSON, a
   *   redirect, or JSON that is neither a Kubernetes object, list or Status nor Rancher's error body.
   */
  async request<T = unknown>(request: RancherRequest): Promise<RancherResponse<T>> {
    const { method, path } = request;
    const target = { method, path, domain: this.domain.domain, timeoutMs: this.timeoutMs };

    // Request check.
    const problem = typeof path === 'string' ? pathProblem(path) : 'the path must be a string';
    if (problem) {
      throw new RancherError(`${method} ${this.#redact(String(path))} failed: ${problem} — give an API path such as /apis/management.cattle.io/v3/users.`, {
        method,
        path: this.#redact(String(path)),
        code: 'invalid-request',
        retryable: false,
      });
    }

    // Body encoding.
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      headers['content-type'] = request.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    }

    // Exchange.
    let response: globalThis.Response;
    let text: string;
    try {
      response = await this.#http(`${this.domain.baseUrl}${path}${stringifyQuery(request.query)}`, { method, headers, body });
      text = await response.text();
    } catch (error) {
      if (error instanceof TimeoutError) throw clientTimeoutErrorFor(target);
      throw transportErrorFor(error, target);
    }

    return this.#interpret<T>(response, text, target);
  }

  #interpret<T>(response: globalThis.Response, text: string, target: { method: string; path: string; domain: string }): RancherResponse<T> {
    const { method, path, domain } = target;
    const { status } = response;
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const contentType = headers['content-type'];
    const notRancher = (what: string, cause?: unknown) =>
      new RancherResponseError(
        `${method} ${path} failed: ${what} — check that ${domain} is the Rancher server itself, not a proxy, login page or other web site.`,
        { method, path, status, contentType, cause },
      );

    // Redirects: Rancher's API never redirects API requests, so a redirect means another server or a login page.
    if (status >= 300 && status < 400) {
      throw notRancher(`the server redirected (${status}) to "${this.#redact(headers.location ?? '')}" instead of responding`);
    }

    // Body parsing: a watch stream is one JSON event per line.
    let parsed: unknown;
    let parseError: unknown;
    try {
      if (contentType?.includes('stream=watch')) {
        parsed = text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
      } else if (text.trim() !== '') {
        parsed = JSON.parse(text);
      }
    } catch (error) {
      parseError = error;
    }
    const looksLikeHtml = /^\s*</.test(text) || contentType?.includes('text/html') === true;
    const describeBody = () => (looksLikeHtml ? 'an HTML page' : parseError ? 'text that is not valid JSON' : 'JSON that is not a Kubernetes object, list or Status');

    // Error statuses.
    if (status < 200 || status >= 300) {
      const bodyIsRancher = text.trim() === '' || (parseError === undefined && isErrorBody(parsed));
      if (!bodyIsRancher && !isClassifiedByStatusAlone(status)) {
        throw notRancher(`the server responded ${status} with ${describeBody()}`, parseError);
      }
      throw httpErrorFor({ method, path, domain, status, statusText: response.statusText, headers, body: parsed, redact: this.#redact });
    }

    // Successful responses.
    const isWatch = contentType?.includes('stream=watch') === true;
    if (parseError !== undefined || looksLikeHtml || (parsed !== undefined && !isWatch && !isKubernetesBody(parsed))) {
      throw notRancher(`the server responded ${status} with ${describeBody()}`, parseError);
    }

    return { status, body: parsed as T, headers };
  }

  /**
   * Reads one page of a Kubernetes list at `path` and checks the list envelope.
   * @throws {RancherResponseError} when the response is not a Kubernetes list.
   * @throws what {@link RancherClient.request} throws; a 410 (`code` `expired`) means the
   *   continue token expired and the list must start again.
   */
  async listPage(path: string, options: ListPageOptions = {}): Promise<ListPage> {
    const response = await this.request({
      method: 'GET',
      path,
      query: { limit: options.limit, continue: options.continue, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    });

    const envelope = ListEnvelopeSchema.safeParse(response.body);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
      throw new RancherResponseError(
        `GET ${path} failed: the response is not a Kubernetes list (${where}: ${issue?.message ?? 'invalid'}) — check that the path names a collection, not a single object.`,
        { method: 'GET', path, status: response.status, contentType: response.headers['content-type'], cause: envelope.error },
      );
    }

    const page: ListPage = { items: envelope.data.items };
    const metadata = envelope.data.metadata;
    if (metadata?.continue) page.continue = metadata.continue;
    if (metadata?.resourceVersion) page.resourceVersion = metadata.resourceVersion;
    if (metadata?.remainingItemCount !== undefined) page.remainingItemCount = metadata.remainingItemCount;

    return page;
  }

  /**
   * Reads a whole list by following `continue` tokens, stopping at `maxItems`.
   * `truncated` is true when items were left unread because of `maxItems`.
   * @throws {RancherError} `invalid-options` for a `pageSize` or `maxItems` that is not a positive integer.
   * @throws {RancherResponseError} when the server repeats a continue token, which would loop forever.
   * @throws what {@link RancherClient.listPage} throws.
   */
  async listAll(path: string, options: ListAllOptions = {}): Promise<{ items: unknown[]; truncated: boolean }> {
    const pageSize = options.pageSize ?? defaultPageSize;
    const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    if (!isPositiveInteger(pageSize)) throw invalidOption(`GET ${path}: pageSize must be a positive integer, not ${String(options.pageSize)}.`);
    if (options.maxItems !== undefined && !isPositiveInteger(maxItems)) {
      throw invalidOption(`GET ${path}: maxItems must be a positive integer, not ${String(options.maxItems)}.`);
    }

    const items: unknown[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    for (;;) {
      const limit = Math.min(pageSize, maxItems - items.length);
      const page = await this.listPage(path, { limit, continue: token, labelSelector: options.labelSelector });

      // A server that ignores `limit` may send more than requested.
      const room = maxItems - items.length;
      items.push(...page.items.slice(0, room));
      options.onPage?.(page, items.length);

      const moreOnServer = page.continue !== undefined;
      if (page.items.length > room) return { items, truncated: true };
      if (items.length >= maxItems) return { items, truncated: moreOnServer };
      if (!moreOnServer) return { items, truncated: false };

      if (seenTokens.has(page.continue!)) {
        throw new RancherResponseError(`GET ${path} failed: the server sent the same continue token twice — the list cannot be read to the end; check the server.`, {
          method: 'GET',
          path,
          status: 200,
        });
      }
      seenTokens.add(page.continue!);
      token = page.continue;
    }
  }

  /** Closes pooled connections; later requests fail. Calling it again returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#agent.close();
    return this.#closing;
  }
}
