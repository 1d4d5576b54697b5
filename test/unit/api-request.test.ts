import { describe, expect, it } from 'vitest';
import { CatalogError, MAX_WATCH_EVENTS } from '../../src/rancher/catalog.js';
import { checkResponse, prepareApiRequest, REDACTED, RequestBodyError, ResponseSchemaError } from '../../src/rancher/api-request.js';

const tokenStatus = { current: false, expired: false, expiresAt: '', lastUpdateTime: '2026-01-01T00:00:00Z' };

describe('prepareApiRequest', () => {
  it('marks a list with watch=true as a watch', () => {
    const prepared = prepareApiRequest({ operationId: 'listManagementCattleIoV3User', query: { watch: true, timeoutSeconds: 5 } });

    expect(prepared.watch).toBe(true);
    expect(prepared.query).toEqual({ watch: 'true', timeoutSeconds: '5' });
  });

  it('passes catalog errors through', () => {
    expect(() => prepareApiRequest({ method: 'GET', path: '/api/v1/secrets' })).toThrow(CatalogError);
  });

  it('requires a body for a create', () => {
    expect(() => prepareApiRequest({ operationId: 'createManagementCattleIoV3GlobalRole' })).toThrow(/Missing body/);
  });

  it('rejects a body on a read', () => {
    expect(() => prepareApiRequest({ operationId: 'listManagementCattleIoV3User', body: {} })).toThrow(/takes no body/);
  });

  it('names the invalid body field', () => {
    const error = (() => {
      try {
        prepareApiRequest({ operationId: 'createManagementCattleIoV3GlobalRoleBinding', body: { metadata: { name: 'grb-x' }, globalRoleName: 7 } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(RequestBodyError);
    expect((error as RequestBodyError).field).toBe('globalRoleName');
  });
});

describe('checkResponse', () => {
  it('names the field that does not match', () => {
    const prepared = prepareApiRequest({ operationId: 'readManagementCattleIoV3GlobalRoleBinding', params: { name: 'grb-x' } });

    expect(() => checkResponse(prepared, { kind: 'GlobalRoleBinding', metadata: { name: 'grb-x' } })).toThrow(ResponseSchemaError);
    expect(() => checkResponse(prepared, { kind: 'GlobalRoleBinding', metadata: { name: 'grb-x' } })).toThrow(/globalRoleName/);
  });

  it('caps watch events', () => {
    const prepared = prepareApiRequest({ operationId: 'watchExtCattleIoV1KubeconfigList', query: { timeoutSeconds: 1 } });
    const events = Array.from({ length: MAX_WATCH_EVENTS + 5 }, (_, index) => ({ type: 'ADDED', object: { kind: 'Kubeconfig', metadata: { name: `k${index}` } } }));
    const checked = checkResponse(prepared, events);

    expect((checked.body as unknown[]).length).toBe(MAX_WATCH_EVENTS);
    expect(checked.watchEvents).toBe(MAX_WATCH_EVENTS + 5);
    expect(checked.watchTruncated).toBe(true);
  });

  it('redacts a new token secret', () => {
    const prepared = prepareApiRequest({ operationId: 'createExtCattleIoV1Token', body: { spec: { ttl: 1000 } } });
    const body = { kind: 'Token', metadata: { name: 'token-abcde' }, spec: { userPrincipal: { name: 'local://u-1' } }, status: { ...tokenStatus, value: 'secret-value', bearerToken: 'ext/token-abcde:secret-value' } };
    const checked = checkResponse(prepared, body);

    expect(JSON.stringify(checked.body)).not.toContain('secret-value');
    expect(checked.redacted).toEqual(['status.value', 'status.bearerToken']);
    expect((checked.body as typeof body).status.value).toBe(REDACTED);
  });

  it('redacts kubeconfigs in a list', () => {
    const prepared = prepareApiRequest({ operationId: 'listExtCattleIoV1Kubeconfig' });
    const checked = checkResponse(prepared, { kind: 'KubeconfigList', metadata: {}, items: [{ metadata: { name: 'kc-1' }, status: { value: 'apiVersion: v1\ntoken: abc' } }] });

    expect(checked.redacted).toEqual(['items.0.status.value']);
  });
});
