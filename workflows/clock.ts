/**
 * Time inside workflow code. Temporal's workflow sandbox replaces `Date` with the start time of
 * the current workflow task, recorded in history, so this value is the same on every replay.
 */
export function workflowNow(): Date {
  return new Date();
}
