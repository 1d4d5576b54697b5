/**
 * Replays recorded workflow histories against today's workflow code. A change that would break
 * running workflows (a new activity call, a reordered step) fails here with a nondeterminism error.
 * Record new histories with `RECORD_HISTORIES=1 npx vitest run --project integration record`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';

const folder = fileURLToPath(new URL('../histories/', import.meta.url));
const files = readdirSync(folder).filter((name) => name.endsWith('.json'));

describe('recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s', async (file) => {
    const history: unknown = JSON.parse(readFileSync(`${folder}${file}`, 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { code: inject('workflowCode') } }, history, file);
  });
});
