/** Terminal output helpers: aligned tables and readable failure messages. */
import stringWidth from 'string-width';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';

/** Formats rows as a table with a header, padding by display width so CJK and accented names line up. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(stringWidth(header), ...rows.map((row) => stringWidth(row[column] ?? ''))));
  const pad = (cells: string[]) =>
    cells
      .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - stringWidth(cell)))
      .join('  ')
      .trimEnd();
  return [pad(headers), ...rows.map(pad)].join('\n');
}

/** Returns the innermost failure message of a workflow error, which names the cause and the fix. */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof WorkflowFailedError || current instanceof ActivityFailure) {
    if (!current.cause) break;
    current = current.cause;
  }
  if (current instanceof ApplicationFailure && current.type) return `${current.message} (${current.type})`;
  return current instanceof Error ? current.message : String(current);
}

/** Prints `value` as indented JSON on standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
