import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { bodyOption, formatRequestResult, keyValueOption, requestTarget } from '../../src/cli/commands/request.js';
import { clusterOption, contextOption, renderBindings } from '../../src/cli/commands/lists.js';
import { REDACTED } from '../../src/rancher/api-request.js';

describe('request target', () => {
  it('takes an operation id alone', () => {
    expect(requestTarget('readManagementCattleIoV3GlobalRole', undefined)).toEqual({ operationId: 'readManagementCattleIoV3GlobalRole' });
  });

  it('takes a method and a path', () => {
    expect(requestTarget('get', '/apis/management.cattle.io/v3/globalroles/admin')).toEqual({ method: 'GET', path: '/apis/management.cattle.io/v3/globalroles/admin' });
  });

  it('rejects a method without a path', () => {
    expect(() => requestTarget('DELETE', undefined)).toThrow(InvalidArgumentError);
  });

  it('rejects a path after an operation id', () => {
    expect(() => requestTarget('readManagementCattleIoV3GlobalRole', '/apis/x')).toThrow(/no path may follow/);
  });
});

describe('key=value flags', () => {
  const parse = keyValueOption('--query');

  it('collects repeated pairs', () => {
    expect(parse('labelSelector=app=web', parse('limit=5'))).toEqual({ limit: '5', labelSelector: 'app=web' });
  });

  it('rejects a pair without a key', () => {
    expect(() => parse('=5')).toThrow(/key=value/);
    expect(() => parse('limit')).toThrow(/key=value/);
  });

  it('rejects a repeated key', () => {
    expect(() => parse('limit=6', { limit: '5' })).toThrow(/twice/);
  });
});

describe('--body', () => {
  it('parses JSON text', () => {
    expect(bodyOption('{"metadata":{"name":"x"}}')).toEqual({ metadata: { name: 'x' } });
  });

  it('reads @file', () => {
    expect(bodyOption('@grb.json', (file) => (file === 'grb.json' ? '{"globalRoleName":"user"}' : ''))).toEqual({ globalRoleName: 'user' });
  });

  it('names a file that cannot be read', () => {
    const failing = () => {
      throw new Error('ENOENT: no such file');
    };
    expect(() => bodyOption('@missing.json', failing)).toThrow(/"missing.json" cannot be read: ENOENT/);
  });

  it('rejects text that is not JSON', () => {
    expect(() => bodyOption('{name: x}')).toThrow(/--body is not valid JSON/);
  });
});

describe('list flags', () => {
  it('accepts cluster ids', () => {
    expect(clusterOption('c-m-x2k9q')).toBe('c-m-x2k9q');
    expect(clusterOption('local')).toBe('local');
  });

  it('rejects a cluster id with a slash', () => {
    expect(() => clusterOption('a/b')).toThrow(/--cluster/);
  });

  it('accepts only the two contexts', () => {
    expect(contextOption('project')).toBe('project');
    expect(() => contextOption('global')).toThrow(/--context/);
  });
});

describe('bindings table', () => {
  it('joins user and role display names', () => {
    const table = renderBindings(
      [
        { id: 'grb-1', globalRoleName: 'admin', userName: 'u-abcde' },
        { id: 'grb-2', globalRoleName: 'custom', groupPrincipalName: 'github_team://42' },
        { id: 'grb-3', globalRoleName: 'user', userName: 'u-gone' },
      ],
      [{ id: 'u-abcde', displayName: 'Zofia Wiśniewska', principalIds: [], enabled: true }],
      [{ id: 'admin', displayName: 'Admin', builtin: true, newUserDefault: false }],
    );
    const lines = table.split('\n');

    expect(lines[0]).toMatch(/^NAME\s+USER\s+ROLE$/);
    expect(lines[1]).toMatch(/^grb-1\s+u-abcde \(Zofia Wiśniewska\)\s+admin \(Admin\)$/);
    expect(lines[2]).toMatch(/^grb-2\s+github_team:\/\/42\s+custom$/);
    expect(lines[3]).toMatch(/^grb-3\s+u-gone\s+user$/);
  });
});

describe('request result', () => {
  it('shows the status and the body', () => {
    const text = formatRequestResult({ outcome: 'done', operationId: 'readX', method: 'GET', path: '/apis/x', status: 200, body: { kind: 'X' } });

    expect(text.split('\n')[0]).toBe('readX: GET /apis/x → 200');
    expect(text).toContain('"kind": "X"');
  });

  it('names redacted fields and dropped events', () => {
    const text = formatRequestResult({
      outcome: 'done', operationId: 'watchX', method: 'GET', path: '/apis/x', status: 200,
      body: [{ type: 'ADDED', object: { status: { value: REDACTED } } }], watchEvents: 300, watchTruncated: true, redacted: ['0.object.status.value'],
    });

    expect(text).toContain('kept the first 1 of 300 watch events');
    expect(text).toContain('left out secret fields: 0.object.status.value');
  });

  it('says a rejected request was not sent', () => {
    const text = formatRequestResult({ outcome: 'rejected', operationId: 'deleteX', method: 'DELETE', path: '/apis/x', approval: { state: 'rejected', requestedBy: 'ana', summary: 's', requestedAt: 't', refusedDecisions: [], decision: { outcome: 'rejected', by: 'ben', at: 't', comment: 'no' } } });

    expect(text).toBe('deleteX: DELETE /apis/x was not sent: the request was rejected by ben: no.');
  });
});
