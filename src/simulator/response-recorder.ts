/**
 * Writes every response the simulator sends to a folder as JSON lines, one file per simulator,
 * so that a check running after the tests can validate all of them against the OpenAPI document.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RecordedResponse } from './server.js';

let fileCounter = 0;

/**
 * Returns a listener that appends each response to `<folder>/responses-<pid>-<n>.jsonl`.
 * The write is synchronous so that no record is lost when a test process ends right after.
 * @throws when the folder cannot be created.
 */
export function fileRecorder(folder: string): (record: RecordedResponse) => void {
  mkdirSync(folder, { recursive: true });
  fileCounter += 1;
  const file = path.join(folder, `responses-${process.pid}-${fileCounter}.jsonl`);
  return (record) => {
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  };
}
