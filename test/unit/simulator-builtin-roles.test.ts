import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleTemplates } from '../../src/simulator/builtin-role-templates.js';
import { builtinGlobalRoles } from '../../src/simulator/builtin-roles.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { requestSimulator } from './simulator-http.js';

interface ReferenceGlobalRole {
  name: string;
  displayName: string;
  builtin: boolean;
  newUserDefault: boolean;
  labels: Record<string, string>;
  rules?: unknown[];
}

interface ReferenceRoleTemplate {
  name: string;
  displayName: string;
  context: 'cluster' | 'project';
  builtin: boolean;
  external: boolean;
  hidden: boolean;
  administrative: boolean;
  locked: boolean;
  clusterCreatorDefault: boolean;
  projectCreatorDefault: boolean;
  roleTemplateNames: string[];
  labels: Record<string, string>;
  rules?: unknown[];
}

// The reference file lives outside the repository; RANCHER_BUILTIN_ROLES_FILE points elsewhere.
const referenceFile = process.env.RANCHER_BUILTIN_ROLES_FILE ?? path.resolve(process.cwd(), '../shared/rancher-reference/builtin-roles.json');

let reference: ReferenceGlobalRole[];
let referenceTemplates: ReferenceRoleTemplate[];
let simulator: RunningSimulator;

beforeAll(async () => {
  const parsed = JSON.parse(await readFile(referenceFile, 'utf8')) as { globalRoles: ReferenceGlobalRole[]; roleTemplates: ReferenceRoleTemplate[] };
  reference = parsed.globalRoles;
  referenceTemplates = parsed.roleTemplates;
  simulator = await startSimulator({ users: 2 });
});

afterAll(async () => {
  await simulator.close();
});

describe('simulator built-in global roles', () => {
  it('have the reference names in order', () => {
    expect(builtinGlobalRoles.map((role) => role.name)).toEqual(reference.map((role) => role.name));
    expect(builtinGlobalRoles).toHaveLength(17);
  });

  it('match display names, defaults and labels', () => {
    for (const expected of reference) {
      const actual = builtinGlobalRoles.find((role) => role.name === expected.name);

      expect(actual, expected.name).toBeDefined();
      expect(actual?.displayName, expected.name).toBe(expected.displayName);
      expect(actual?.newUserDefault, expected.name).toBe(expected.newUserDefault);
      expect(actual?.labels, expected.name).toEqual(expected.labels);
      expect(expected.builtin, expected.name).toBe(true);
    }
  });

  it('match rules where the reference lists them', () => {
    for (const expected of reference.filter((role) => role.rules !== undefined)) {
      const actual = builtinGlobalRoles.find((role) => role.name === expected.name);

      expect(actual?.rules, expected.name).toEqual(expected.rules);
    }
  });

  it('are served by the API', async () => {
    const response = await requestSimulator(simulator.port, simulator.caPem, {
      path: '/apis/management.cattle.io/v3/globalroles',
      token: simulator.tokens.admin,
    });

    expect(response.status).toBe(200);
    const list = response.body as { kind: string; items: { metadata: { name: string }; displayName: string; builtin: boolean; newUserDefault: boolean }[] };
    expect(list.kind).toBe('GlobalRoleList');
    expect(list.items.map((item) => item.metadata.name)).toEqual(reference.map((role) => role.name).sort());
    for (const item of list.items) {
      const expected = reference.find((role) => role.name === item.metadata.name);
      expect(item.displayName, item.metadata.name).toBe(expected?.displayName);
      expect(item.builtin, item.metadata.name).toBe(true);
      expect(item.newUserDefault, item.metadata.name).toBe(expected?.newUserDefault);
    }
  });
});

describe('simulator built-in role templates', () => {
  it('have the reference names in order', () => {
    expect(builtinRoleTemplates.map((template) => template.name)).toEqual(referenceTemplates.map((template) => template.name));
    expect(builtinRoleTemplates).toHaveLength(42);
    expect(builtinRoleTemplates.filter((template) => template.context === 'cluster')).toHaveLength(14);
    expect(builtinRoleTemplates.filter((template) => template.context === 'project')).toHaveLength(28);
  });

  it('match display names, contexts, flags and labels', () => {
    for (const expected of referenceTemplates) {
      const actual = builtinRoleTemplates.find((template) => template.name === expected.name);

      expect(actual, expected.name).toBeDefined();
      expect(actual?.displayName, expected.name).toBe(expected.displayName);
      expect(actual?.context, expected.name).toBe(expected.context);
      expect(actual?.external, expected.name).toBe(expected.external);
      expect(actual?.hidden, expected.name).toBe(expected.hidden);
      expect(actual?.administrative, expected.name).toBe(expected.administrative);
      expect(actual?.clusterCreatorDefault, expected.name).toBe(expected.clusterCreatorDefault);
      expect(actual?.projectCreatorDefault, expected.name).toBe(expected.projectCreatorDefault);
      expect(actual?.roleTemplateNames, expected.name).toEqual(expected.roleTemplateNames);
      expect(actual?.labels, expected.name).toEqual(expected.labels);
      expect(expected.builtin, expected.name).toBe(true);
      expect(expected.locked, expected.name).toBe(false);
    }
  });

  it('match rules where the reference lists them', () => {
    for (const expected of referenceTemplates.filter((template) => template.rules !== undefined)) {
      const actual = builtinRoleTemplates.find((template) => template.name === expected.name);

      expect(actual?.rules, expected.name).toEqual(expected.rules);
    }
  });

  it('are served by the API', async () => {
    const response = await requestSimulator(simulator.port, simulator.caPem, {
      path: '/apis/management.cattle.io/v3/roletemplates',
      token: simulator.tokens.admin,
    });

    expect(response.status).toBe(200);
    const list = response.body as { kind: string; items: { metadata: { name: string; labels: Record<string, string> }; displayName: string; context: string; builtin: boolean; locked: boolean }[] };
    expect(list.kind).toBe('RoleTemplateList');
    expect(list.items.map((item) => item.metadata.name)).toEqual(referenceTemplates.map((template) => template.name).sort());
    for (const item of list.items) {
      const expected = referenceTemplates.find((template) => template.name === item.metadata.name);
      expect(item.displayName, item.metadata.name).toBe(expected?.displayName);
      expect(item.context, item.metadata.name).toBe(expected?.context);
      expect(item.builtin, item.metadata.name).toBe(true);
      expect(item.locked, item.metadata.name).toBe(false);
      expect(item.metadata.labels, item.metadata.name).toEqual(expected?.labels);
    }
  });
});
