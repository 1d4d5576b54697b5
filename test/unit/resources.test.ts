import { describe, expect, it } from 'vitest';
import { listableResources, listPathOf } from '../../src/rancher/resources.js';

describe('global role binding summary', () => {
  it('keeps ids, subject and creation time', () => {
    const summary = listableResources.globalrolebindings.summarize({
      apiVersion: 'management.cattle.io/v3',
      kind: 'GlobalRoleBinding',
      metadata: { name: 'grb-abcde', creationTimestamp: '2025-01-06T09:00:00Z', annotations: { big: 'x'.repeat(1000) } },
      globalRoleName: 'admin',
      userName: 'u-abcde',
    });

    expect(summary).toEqual({ id: 'grb-abcde', globalRoleName: 'admin', userName: 'u-abcde', createdAt: '2025-01-06T09:00:00Z' });
  });

  it('keeps a group principal', () => {
    const summary = listableResources.globalrolebindings.summarize({ metadata: { name: 'grb-group' }, globalRoleName: 'user', groupPrincipalName: 'activedirectory_group://CN=ops' });

    expect(summary).toEqual({ id: 'grb-group', globalRoleName: 'user', groupPrincipalName: 'activedirectory_group://CN=ops' });
  });

  it('rejects a binding without a role', () => {
    expect(() => listableResources.globalrolebindings.summarize({ metadata: { name: 'grb-x' } })).toThrow(/globalRoleName/);
  });
});

describe('project summary', () => {
  it('takes the cluster from the namespace', () => {
    const summary = listableResources.projects.summarize({
      metadata: { name: 'p-xyz12', namespace: 'c-m-abc' },
      spec: { clusterName: 'c-m-abc', displayName: 'Payments' },
      status: { backingNamespace: 'c-m-abc-p-xyz12' },
    });

    expect(summary).toEqual({ id: 'p-xyz12', cluster: 'c-m-abc', displayName: 'Payments', backingNamespace: 'c-m-abc-p-xyz12' });
  });

  it('falls back to spec.clusterName', () => {
    const summary = listableResources.projects.summarize({ metadata: { name: 'p-1' }, spec: { clusterName: 'local', displayName: 'System' } });

    expect(summary).toEqual({ id: 'p-1', cluster: 'local', displayName: 'System' });
  });
});

describe('role template summary', () => {
  it('keeps context and flags', () => {
    const summary = listableResources.roletemplates.summarize({ metadata: { name: 'project-owner' }, displayName: 'Project Owner', context: 'project', builtin: true, locked: false });

    expect(summary).toEqual({ id: 'project-owner', displayName: 'Project Owner', context: 'project', builtin: true, locked: false, hidden: false, external: false });
  });

  it('defaults a missing context to empty', () => {
    const summary = listableResources.roletemplates.summarize({ metadata: { name: 'rt-inherited' }, hidden: true, external: true });

    expect(summary.context).toBe('');
    expect(summary.displayName).toBe('');
    expect(summary.hidden).toBe(true);
    expect(summary.external).toBe(true);
  });
});

describe('listPathOf', () => {
  it('lists projects of all clusters', () => {
    expect(listPathOf('projects')).toBe('/apis/management.cattle.io/v3/projects');
  });

  it('lists projects of one cluster', () => {
    expect(listPathOf('projects', 'c-m-abc')).toBe('/apis/management.cattle.io/v3/namespaces/c-m-abc/projects');
  });

  it.each(['../x', 'a/b', '%2F', '', 'x'.repeat(300)])('rejects the namespace %j', (namespace) => {
    expect(() => listPathOf('projects', namespace)).toThrow(/Invalid namespace/);
  });

  it('rejects a namespace for a cluster-scoped kind', () => {
    expect(() => listPathOf('users', 'c-m-abc')).toThrow(/not namespaced/);
  });
});
