/**
 * Parsing of the Rancher instance a connection points at: a bare domain with an optional port.
 *
 * This module has no I/O and imports no Node built-ins, so workflow code may import it.
 */
import { RancherDomainError, type RancherDomainProblem } from './errors.js';

/** A validated Rancher instance. */
export interface RancherDomain {
  /** Lower-case host name or IP address; IPv6 addresses keep their brackets. */
  host: string;
  port?: number;
  /** Normalised `host[:port]`, the form connections store. */
  domain: string;
  /** `https://host[:port]`, without a trailing slash. */
  baseUrl: string;
}

const maxHostLength = 253;
const maxLabelLength = 63;
const labelPattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const schemePattern = /^([a-z][a-z0-9+.-]*):\/\//i;

const fixHint = 'Give the server\'s domain with an optional port, for example "rancher.example.com" or "rancher.internal:8443"';

function reject(value: string, problem: RancherDomainProblem, detail: string): never {
  throw new RancherDomainError(value, problem, `Invalid Rancher domain "${value}": ${detail}`);
}

/** Masks the user information of `user:password@host` so that no password reaches a message. */
function maskUserInfo(value: string): string {
  return value.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?)[^/?#]*@/i, '$1***@');
}

function isIPv4(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;

  return parts.every((part) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
}

/** Checks an IPv6 address without brackets; zone ids (`%eth0`) are not accepted. */
function isIPv6(value: string): boolean {
  let address = value;
  let groupsNeeded = 8;

  // An embedded IPv4 address takes the place of the last two groups.
  const lastColon = address.lastIndexOf(':');
  if (address.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(address.slice(lastColon + 1))) return false;
    address = address.slice(0, lastColon + 1) + '0';
    groupsNeeded = 7;
  }

  const halves = address.split('::');
  if (halves.length > 2) return false;

  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return false;

  return halves.length === 2 ? groups.length < groupsNeeded : groups.length === groupsNeeded;
}

/** Returns why `host` is not an RFC 1123 host name, or undefined when it is one. */
function hostNameProblem(host: string): string | undefined {
  if (host.length > maxHostLength) return `the host name is ${host.length} characters long, more than the maximum of ${maxHostLength}`;

  const labels = host.split('.');
  for (const label of labels) {
    if (label === '') return 'the host name contains an empty label ("..")';
    if (label.length > maxLabelLength) return `the label "${label}" is longer than ${maxLabelLength} characters`;
    if (!labelPattern.test(label)) return `the label "${label}" may contain only letters, digits and inner hyphens`;
  }

  // Digits-only labels throughout would make a dotted number that is not an IPv4 address.
  if (labels.every((label) => /^[0-9]+$/.test(label))) return `"${host}" is neither a host name nor a valid IPv4 address`;

  return undefined;
}

function parsePort(value: string, text: string): number {
  if (text === '') reject(value, 'invalid-port', 'the port after ":" is missing. Give a port from 1 to 65535, or leave out the ":" for 443.');

  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    reject(value, 'invalid-port', `the port "${text}" is not a number from 1 to 65535. Use a port such as 8443, or leave it out for 443.`);
  }

  return port;
}

/**
 * Parses a Rancher domain such as `rancher.example.com`, `rancher.internal:8443` or `[::1]:8443`.
 *
 * The host is lower-cased. A pasted `https://host[:port]` with at most a trailing `/`, a bare
 * trailing `/` and surrounding whitespace are accepted, and `notice` then describes what was removed.
 *
 * @throws {RancherDomainError} when the value is empty, uses `http://` or another scheme, contains
 *   a path, query, fragment, inner whitespace, user information or a trailing dot, has a port
 *   outside 1–65535, or its host is neither an RFC 1123 host name nor an IP address. The message
 *   quotes the value (with user information masked) and says how to fix it.
 */
export function parseRancherDomain(value: string): RancherDomain & { notice?: string } {
  const removed: string[] = [];

  // Blank and whitespace checks.
  const trimmed = value.trim();
  if (trimmed === '') reject(value, 'empty', `the value is empty. ${fixHint}.`);
  if (trimmed !== value) removed.push('surrounding whitespace');
  const displayValue = maskUserInfo(trimmed);
  if (/\s/.test(trimmed)) reject(displayValue, 'whitespace', `it contains whitespace. ${fixHint}, with no spaces.`);

  // Scheme.
  let rest = trimmed;
  const scheme = schemePattern.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    const schemeName = scheme[1]?.toLowerCase();
    const suggestion = maskUserInfo(rest).replace(/\/$/, '');
    if (schemeName === 'http') {
      reject(displayValue, 'http-scheme', `only HTTPS is supported. Use "${suggestion}" (the client always connects with https://).`);
    }
    if (schemeName !== 'https') {
      reject(displayValue, 'unsupported-scheme', `the scheme "${scheme[1]}://" is not supported. Use "${suggestion}" (the client always connects with https://).`);
    }
    removed.push('the scheme "https://" (the client always connects with https://)');
  }

  // User information, path, query and fragment.
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  if (authority === '') reject(displayValue, 'invalid-host', `the host is missing. ${fixHint}.`);
  if (authority.includes('@')) {
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    reject(displayValue, 'userinfo', `it contains user information ("***@"). Use "${host}" and pass the API key separately.`);
  }
  if (tail === '/') {
    removed.push('the trailing "/"');
  } else if (tail !== '') {
    const part = tail.startsWith('?') ? 'a query' : tail.startsWith('#') ? 'a fragment' : 'a path';
    reject(displayValue, 'path', `a domain cannot contain ${part} ("${tail}"). Use "${authority.toLowerCase()}"; the client adds the API paths itself.`);
  }

  // Host and port.
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) reject(displayValue, 'invalid-host', 'the IPv6 address has no closing "]". Write it as "[::1]:8443".');
    host = authority.slice(0, close + 1).toLowerCase();
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) reject(displayValue, 'invalid-host', `unexpected "${after}" after the IPv6 address. Write it as "[::1]:8443".`);
    if (after !== '') portText = after.slice(1);
    if (!isIPv6(host.slice(1, -1))) reject(displayValue, 'invalid-host', `"${host}" is not a valid IPv6 address. Write it as "[::1]:8443".`);
  } else {
    const colons = authority.split(':').length - 1;
    if (colons > 1) {
      reject(displayValue, 'invalid-host', 'an IPv6 address must be written in brackets, as in "[::1]:8443".');
    }
    const colon = authority.indexOf(':');
    host = (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
    if (colon !== -1) portText = authority.slice(colon + 1);

    if (host.endsWith('.') && host.length > 1) {
      reject(displayValue, 'trailing-dot', `it ends with a dot. Use "${host.replace(/\.+$/, '')}${portText === undefined ? '' : `:${portText}`}" without the trailing dot.`);
    }
    const problem = isIPv4(host) ? undefined : hostNameProblem(host);
    if (host === '' || problem) {
      const detail = host === '' ? 'the host is missing' : problem;
      reject(displayValue, 'invalid-host', `${detail}. Use a DNS name made of letters, digits and hyphens (labels of at most ${maxLabelLength} characters, ${maxHostLength} in all) or an IP address.`);
    }
  }
  const port = portText === undefined ? undefined : parsePort(displayValue, portText);

  // Result.
  const domain = port === undefined ? host : `${host}:${port}`;
  const result: RancherDomain & { notice?: string } = { host, domain, baseUrl: `https://${domain}` };
  if (port !== undefined) result.port = port;
  if (removed.length > 0) {
    result.notice = `Using Rancher domain "${domain}" for "${trimmed}": removed ${removed.join(' and ')}.`;
  }

  return result;
}
