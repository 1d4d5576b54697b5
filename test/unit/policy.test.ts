import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, PolicyFileError, resolvePolicy } from '../../src/approval/policy.js';

const folder = mkdtempSync(join(tmpdir(), 'rw-policy-unit-'));
function writePolicy(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

describe('approval policy', () => {
  it('requires approval by default', async () => {
    const policy = await loadPolicy('createGlobalRoleBinding', undefined, {});

    expect(policy.requireApproval).toBe(true);
    expect(policy.approvers).toBe('anyone-but-requester');
    expect(policy.approvalTimeoutMs).toBe(72 * 3_600_000);
    expect(policy.maxGrantDurationMs).toBeUndefined();
    expect(policy.source).toBe('built-in defaults');
  });

  it('applies defaults, workflow, then operation', () => {
    const file = {
      defaults: { approvalTimeout: '1h', approvers: ['bob'] },
      workflows: {
        rancherApiRequest: { approvalTimeout: '2h', operations: { deleteExtCattleIoV1Token: { requireApproval: false } } },
        createGlobalRoleBinding: { maxGrantDuration: '30d' },
      },
    };

    const token = resolvePolicy(file, 'f', 'rancherApiRequest', 'deleteExtCattleIoV1Token');
    const other = resolvePolicy(file, 'f', 'rancherApiRequest', 'createManagementCattleIoV3GlobalRoleBinding');
    const grant = resolvePolicy(file, 'f', 'createGlobalRoleBinding');

    expect(token.requireApproval).toBe(false);
    expect(token.approvalTimeoutMs).toBe(7_200_000);
    expect(other.requireApproval).toBe(true);
    expect(other.approvers).toEqual(['bob']);
    expect(grant.approvalTimeoutMs).toBe(3_600_000);
    expect(grant.maxGrantDurationMs).toBe(30 * 86_400_000);
  });

  it('reads the file named by the variable', async () => {
    const path = writePolicy('ok.json', JSON.stringify({ workflows: { deleteGlobalRoleBinding: { requireApproval: false } } }));

    const policy = await loadPolicy('deleteGlobalRoleBinding', undefined, { RANCHER_WORKFLOWS_POLICY_FILE: path });

    expect(policy.requireApproval).toBe(false);
    expect(policy.source).toBe(path);
  });

  it.each([
    ['an unknown key', { defaults: { requireAproval: false } }, 'requireAproval'],
    ['an unknown workflow', { workflows: { listUsers: {} } }, 'listUsers'],
    ['an unknown operation', { workflows: { rancherApiRequest: { operations: { deleteSecret: {} } } } }, 'deleteSecret'],
    ['an invalid duration', { defaults: { approvalTimeout: 'soon' } }, 'approvalTimeout'],
    ['an empty approver list', { defaults: { approvers: [] } }, 'approvers'],
  ])('rejects %s naming it', async (_case, content, field) => {
    const path = writePolicy(`bad-${field}.json`, JSON.stringify(content));

    const error = await loadPolicy('rancherApiRequest', undefined, { RANCHER_WORKFLOWS_POLICY_FILE: path }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PolicyFileError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(field);
  });

  it('rejects a file that is not JSON', async () => {
    const path = writePolicy('broken.json', '{ "defaults": ');

    await expect(loadPolicy('rancherApiRequest', undefined, { RANCHER_WORKFLOWS_POLICY_FILE: path })).rejects.toThrow(/not valid JSON/);
  });

  it('names a missing file', async () => {
    await expect(loadPolicy('rancherApiRequest', undefined, { RANCHER_WORKFLOWS_POLICY_FILE: join(folder, 'missing.json') })).rejects.toThrow(
      /missing\.json", which cannot be read/,
    );
  });
});
