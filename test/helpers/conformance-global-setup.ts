/**
 * Vitest global setup that checks every response the simulator sends during a test run against
 * Rancher's OpenAPI document.
 *
 * Setup points `RANCHER_SIMULATOR_RECORD_DIR` at a new temporary folder unless it is already set.
 * Test files run in child processes that inherit the variable, and each simulator they start
 * appends its responses there. Teardown validates all of them, prints the counts and fails the run when any
 * response is invalid. A run that started no simulator, such as a filtered one, records nothing and
 * passes; test/unit/simulator-conformance.test.ts checks that the recorder is wired up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeReport, OpenApiConformance, readRecordedResponses } from './openapi-conformance.js';

const variable = 'RANCHER_SIMULATOR_RECORD_DIR';

/** Creates the record folder and returns the teardown that validates its contents. */
export default function setup(): () => void {
  const presetFolder = process.env[variable];
  const folder = presetFolder ?? mkdtempSync(path.join(os.tmpdir(), 'simulator-responses-'));
  process.env[variable] = folder;

  return () => {
    const records = readRecordedResponses(folder);
    const report = new OpenApiConformance().check(records);
    console.log(describeReport(report).join('\n'));
    if (presetFolder === undefined) {
      rmSync(folder, { recursive: true, force: true });
    }

    if (report.invalid.length > 0) {
      throw new Error(`OpenAPI conformance: ${report.invalid.length} of ${report.checked} simulator responses do not match the OpenAPI document (listed above)`);
    }
  };
}
