import { describe, expect, it } from 'vitest';
import { parseRancherDomain } from '../../src/rancher/domain.js';
import { RancherDomainError, RancherError } from '../../src/rancher/errors.js';

describe('parseRancherDomain accepts', () => {
  const accepted: Array<[input: string, host: string, port: number | undefined, domain: string]> = [
    ['rancher.example.com', 'rancher.example.com', undefined, 'rancher.example.com'],
    ['rancher.internal:8443', 'rancher.internal', 8443, 'rancher.internal:8443'],
    ['localhost:9443', 'localhost', 9443, 'localhost:9443'],
    ['127.0.0.1:8443', '127.0.0.1', 8443, '127.0.0.1:8443'],
    ['[::1]:8443', '[::1]', 8443, '[::1]:8443'],
    ['[::1]', '[::1]', undefined, '[::1]'],
    ['[2001:DB8::1]:443', '[2001:db8::1]', 443, '[2001:db8::1]:443'],
    ['[::ffff:127.0.0.1]:8443', '[::ffff:127.0.0.1]', 8443, '[::ffff:127.0.0.1]:8443'],
    ['Rancher.Example.COM', 'rancher.example.com', undefined, 'rancher.example.com'],
    ['rancher-1.example.com:1', 'rancher-1.example.com', 1, 'rancher-1.example.com:1'],
    ['r.example.com:65535', 'r.example.com', 65535, 'r.example.com:65535'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', undefined, 'xn--bcher-kva.example'],
    [`${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`, undefined, `${'a'.repeat(63)}.example.com`],
  ];

  it.each(accepted)('%s', (input, host, port, domain) => {
    const parsed = parseRancherDomain(input);

    expect(parsed.host).toBe(host);
    expect(parsed.port).toBe(port);
    expect(parsed.domain).toBe(domain);
    expect(parsed.baseUrl).toBe(`https://${domain}`);
    expect(parsed.notice).toBeUndefined();
  });

  it('253-character host name', () => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(host).toHaveLength(253);

    expect(parseRancherDomain(host).domain).toBe(host);
  });
});

describe('parseRancherDomain normalises', () => {
  const normalised: Array<[input: string, domain: string, removed: string]> = [
    ['https://rancher.example.com/', 'rancher.example.com', 'https://'],
    ['https://rancher.example.com', 'rancher.example.com', 'https://'],
    ['HTTPS://Rancher.Example.com:8443/', 'rancher.example.com:8443', 'https://'],
    ['rancher.example.com/', 'rancher.example.com', 'trailing "/"'],
    ['  rancher.example.com\n', 'rancher.example.com', 'whitespace'],
  ];

  it.each(normalised)('%j with a notice', (input, domain, removed) => {
    const parsed = parseRancherDomain(input);

    expect(parsed.domain).toBe(domain);
    expect(parsed.baseUrl).toBe(`https://${domain}`);
    expect(parsed.notice).toContain(`"${domain}"`);
    expect(parsed.notice).toContain(removed);
  });
});

describe('parseRancherDomain rejects', () => {
  const rejected: Array<[input: string, problem: string, quoted: string]> = [
    ['', 'empty', '""'],
    ['   ', 'empty', '"   "'],
    ['http://rancher.example.com', 'http-scheme', '"http://rancher.example.com"'],
    ['HTTP://rancher.example.com:8080/', 'http-scheme', '"HTTP://rancher.example.com:8080/"'],
    ['ftp://rancher.example.com', 'unsupported-scheme', '"ftp://rancher.example.com"'],
    ['wss://rancher.example.com', 'unsupported-scheme', '"wss://rancher.example.com"'],
    ['rancher.example.com/dashboard', 'path', '"rancher.example.com/dashboard"'],
    ['https://x/y', 'path', '"https://x/y"'],
    ['https://rancher.example.com/v3/', 'path', '"https://rancher.example.com/v3/"'],
    ['rancher.example.com?x=1', 'path', '"rancher.example.com?x=1"'],
    ['rancher.example.com#top', 'path', '"rancher.example.com#top"'],
    ['rancher example.com', 'whitespace', '"rancher example.com"'],
    ['rancher.example.com\t:8443', 'whitespace', '"rancher.example.com\t:8443"'],
    ['rancher.example.com.', 'trailing-dot', '"rancher.example.com."'],
    ['rancher.example.com.:8443', 'trailing-dot', '"rancher.example.com.:8443"'],
    ['admin@rancher.example.com', 'userinfo', '"***@rancher.example.com"'],
    ['rancher.example.com:0', 'invalid-port', '"rancher.example.com:0"'],
    ['rancher.example.com:65536', 'invalid-port', '"rancher.example.com:65536"'],
    ['rancher.example.com:', 'invalid-port', '"rancher.example.com:"'],
    ['rancher.example.com:https', 'invalid-port', '"rancher.example.com:https"'],
    ['rancher.example.com:-1', 'invalid-port', '"rancher.example.com:-1"'],
    ['[::1]:99999', 'invalid-port', '"[::1]:99999"'],
    ['rancher_example.com', 'invalid-host', '"rancher_example.com"'],
    ['-rancher.example.com', 'invalid-host', '"-rancher.example.com"'],
    ['rancher-.example.com', 'invalid-host', '"rancher-.example.com"'],
    ['rancher..example.com', 'invalid-host', '"rancher..example.com"'],
    [`${'a'.repeat(64)}.example.com`, 'invalid-host', `"${'a'.repeat(64)}.example.com"`],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'invalid-host', '253'],
    ['1.2.3.256', 'invalid-host', '"1.2.3.256"'],
    ['::1', 'invalid-host', '"::1"'],
    ['[::1', 'invalid-host', '"[::1"'],
    ['[1:2:3:4:5:6:7:8:9]', 'invalid-host', '"[1:2:3:4:5:6:7:8:9]"'],
    ['[fe80::1%eth0]', 'invalid-host', '"[fe80::1%eth0]"'],
    [':8443', 'invalid-host', '":8443"'],
    ['ranchér.example.com', 'invalid-host', '"ranchér.example.com"'],
  ];

  it.each(rejected)('%j as %s', (input, problem, quoted) => {
    let caught: unknown;
    try {
      parseRancherDomain(input);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(RancherDomainError);
    expect(caught).toBeInstanceOf(RancherError);
    const error = caught as RancherDomainError;
    expect(error.problem).toBe(problem);
    expect(error.code).toBe('invalid-domain');
    expect(error.retryable).toBe(false);
    expect(error.name).toBe('RancherDomainError');
    expect(error.message).toMatch(/^Invalid Rancher domain "/);
    expect(error.message).toContain(quoted);
  });

  it('http:// with the exact fix', () => {
    expect(() => parseRancherDomain('http://rancher.example.com')).toThrow(
      'Invalid Rancher domain "http://rancher.example.com": only HTTPS is supported. Use "rancher.example.com" (the client always connects with https://).',
    );
  });

  it('path with the domain to use', () => {
    expect(() => parseRancherDomain('rancher.example.com/dashboard')).toThrow('Use "rancher.example.com"');
  });

  it('userinfo without showing the password', () => {
    let caught: RancherDomainError | undefined;
    try {
      parseRancherDomain('https://admin:hunter2secret@rancher.example.com/');
    } catch (error) {
      caught = error as RancherDomainError;
    }

    expect(caught?.problem).toBe('userinfo');
    expect(caught?.message).toContain('Use "rancher.example.com"');
    expect(JSON.stringify({ ...caught, message: caught?.message })).not.toContain('hunter2secret');
    expect(caught?.value).toBe('https://***@rancher.example.com/');
  });
});
