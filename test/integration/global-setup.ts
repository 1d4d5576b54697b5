/**
 * Starts one Temporal dev server (the real `temporal` CLI) for every integration test file,
 * and bundles the workflow code once so each file's worker starts quickly.
 */
import type { TestProject } from 'vitest/node';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/temporal/ensure-cli.js';
import { workflowsPath } from '../../src/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowCode: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const path = await ensureTemporalCli({ log: (line) => console.log(line) });
  const environment = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path } } });
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });

  project.provide('temporalAddress', environment.address);
  project.provide('workflowCode', bundle.code);
  return async () => {
    await environment.teardown();
  };
}
