/**
 * The approval commands as a person runs them: the built CLI against the dev server, a worker
 * and the simulator. Needs `npm run build` first, which `npm test` does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { staticConnectionSource } from '../../src/connections/source.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startTestWorker, type TestWorker } from '../helpers/temporal.js';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
let simulator: RunningSimulator;
let temporal: TestWorker;
const outputs: string[] = [];

/** Runs the CLI and returns its exit code and output; a non-zero exit is a result, not an error. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), RANCHER_WORKFLOWS_TASK_QUEUE: temporal.taskQueue };
  const result = await run('node', [cliPath, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  outputs.push(result.stdout, result.stderr);
  return result;
}

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  const policyFile = join(mkdtempSync(join(tmpdir(), 'rw-cli-')), 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ defaults: { approvalTimeout: '2m' } }));
  temporal = await startTestWorker({
    connections: staticConnectionSource([{ id: 'default', domain: simulator.domain, token: simulator.tokens.admin, caPem: simulator.caPem }]),
    policyFile,
  });
});

afterAll(async () => {
  await temporal?.close();
  await simulator?.close();
});

describe('approval commands', () => {
  it('grant, refused self-approval, approve, status', async () => {
    const user = simulator.users.localUserIds[0] ?? '';
    const { pending, refused, approved, status } = await temporal.runUntil(async () => {
      const grant = await cli('grant', '--user', user, '--role', 'restricted-admin', '--requested-by', 'alice', '--reason', 'cli test', '--no-wait', '--json');
      expect(grant.code).toBe(0);
      const { workflowId } = JSON.parse(grant.stdout) as { workflowId: string };
      expect(workflowId).toBe(`rancher/default/grant/${user}/restricted-admin`);

      let waiting: { workflowId: string }[] = [];
      for (let attempt = 0; attempt < 10 && !waiting.some((entry) => entry.workflowId === workflowId); attempt += 1) {
        waiting = JSON.parse((await cli('pending', '--json')).stdout) as { workflowId: string }[];
      }
      const selfApproval = await cli('approve', workflowId, '--as', 'alice', '--json');
      const approval = await cli('approve', workflowId, '--as', 'bob', '--comment', 'fine', '--json');
      let finished = await cli('status', workflowId, '--json');
      for (let attempt = 0; attempt < 10 && !finished.stdout.includes('"COMPLETED"'); attempt += 1) finished = await cli('status', workflowId, '--json');
      return { pending: waiting, refused: selfApproval, approved: approval, status: finished };
    });

    expect(pending.map((entry) => entry.workflowId)).toContain(`rancher/default/grant/${user}/restricted-admin`);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ counted: false, reason: 'the requester cannot approve their own request' });
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ counted: true });
    const final = JSON.parse(status.stdout) as { status: string; result: { outcome: string; bindingName: string; approval: { decision: { by: string } } } };
    expect(final.status).toBe('COMPLETED');
    expect(final.result.outcome).toBe('granted');
    expect(final.result.approval.decision.by).toBe('bob');
    expect(final.result.bindingName).toMatch(/^grb-rw-/);
  });

  it('rejects invalid input before starting', async () => {
    const result = await cli('grant', '--user', 'u-abcde', '--role', 'admin', '--requested-by', 'alice', '--duration', '0s', '--no-wait');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('duration');
    expect(result.stderr).toContain('longer than zero');
  });

  it('says a finished request has nothing to approve', async () => {
    const result = await temporal.runUntil(async () => {
      const grant = await cli('grant', '--user', simulator.users.localUserIds[1] ?? '', '--role', 'user', '--requested-by', 'alice', '--json');
      const { workflowId } = JSON.parse(grant.stdout) as { workflowId: string; outcome: string };
      expect(JSON.parse(grant.stdout)).toMatchObject({ outcome: 'already-exists' });
      return cli('approve', workflowId, '--as', 'bob');
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already ended (COMPLETED, outcome already-exists)');
  });

  it('prints no token', () => {
    const secret = simulator.tokens.admin.split(':')[1] ?? '';

    expect(outputs.length).toBeGreaterThan(10);
    expect(secret.length).toBeGreaterThan(20);
    expect(outputs.join('\n')).not.toContain(secret);
  });
});
