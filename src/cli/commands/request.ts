/**
 * `request`: run `rancherApiRequest` for one operation of the endpoint catalog, named by its
 * operation id (`request readManagementCattleIoV3GlobalRole --param name=admin`) or by method and
 * path (`request GET /apis/management.cattle.io/v3/globalroles/admin`).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { rancherApiRequest } from '../../../workflows/index.js';
import type { ApiRequestInput, ApiRequestResult } from '../../../workflows/api-request.js';
import { prepareApiRequest } from '../../rancher/api-request.js';
import { connectClient, webUiLink, workflowId } from '../../temporal/client.js';
import { taskQueueFromEnv } from '../../worker.js';
import { connectionOption } from '../options.js';
import { describeFailure, printJson } from '../output.js';
import { webUiBase } from './lists.js';

interface RequestFlags {
  connection: string;
  param?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  requestedBy?: string;
  reason?: string;
  wait: boolean;
  json?: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Returns a parser for a repeatable `key=value` flag that collects the pairs into an object. */
export function keyValueOption(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new InvalidArgumentError(`${flag} must be key=value, got "${value}".`);
    const key = value.slice(0, equals);
    if (key in previous) throw new InvalidArgumentError(`${flag} ${key} is given twice.`);
    return { ...previous, [key]: value.slice(equals + 1) };
  };
}

/**
 * Parses `--body`: JSON text, or `@FILE` for a file that contains JSON.
 * @throws {InvalidArgumentError} when the file cannot be read or the text is not JSON.
 */
export function bodyOption(value: string, readFile: (file: string) => string = (file) => readFileSync(file, 'utf8')): unknown {
  let text = value;
  let source = '--body';
  if (value.startsWith('@')) {
    const file = value.slice(1);
    source = `--body file "${file}"`;
    try {
      text = readFile(file);
    } catch (error) {
      throw new InvalidArgumentError(`${source} cannot be read: ${(error as Error).message}.`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`${source} is not valid JSON: ${(error as Error).message}.`);
  }
}

/**
 * Turns the positional arguments into the operation part of the workflow input: an operation
 * id alone, or an HTTP method followed by a path.
 * @throws {InvalidArgumentError} for a method without a path, or a path after an operation id.
 */
export function requestTarget(first: string, second: string | undefined): Pick<ApiRequestInput, 'operationId' | 'method' | 'path'> {
  if (METHODS.includes(first.toUpperCase())) {
    if (second === undefined) throw new InvalidArgumentError(`${first.toUpperCase()} needs a path, for example /apis/management.cattle.io/v3/globalroles/admin.`);
    return { method: first.toUpperCase(), path: second };
  }
  if (second !== undefined) {
    throw new InvalidArgumentError(`"${first}" is an operation id, so no path may follow it; give either OPERATION_ID or METHOD PATH.`);
  }
  return { operationId: first };
}

/** Prints a finished request: the status line and Rancher's body, or the approval outcome. */
export function formatRequestResult(result: ApiRequestResult): string {
  const line = `${result.operationId}: ${result.method} ${result.path}`;
  if (result.outcome !== 'done') {
    const decision = result.approval?.decision ? ` by ${result.approval.decision.by}${result.approval.decision.comment ? `: ${result.approval.decision.comment}` : ''}` : '';
    return `${line} was not sent: the request was ${result.outcome}${decision}.`;
  }
  const notes: string[] = [];
  if (result.watchTruncated) notes.push(`kept the first ${Array.isArray(result.body) ? result.body.length : 0} of ${result.watchEvents} watch events`);
  if (result.redacted?.length) notes.push(`left out secret fields: ${result.redacted.join(', ')}`);
  const noteText = notes.length > 0 ? `\n(${notes.join('; ')})` : '';
  return `${line} → ${result.status}\n${JSON.stringify(result.body, null, 2)}${noteText}`;
}

async function runRequest(first: string, second: string | undefined, flags: RequestFlags): Promise<void> {
  const input: ApiRequestInput = {
    connection: flags.connection,
    ...requestTarget(first, second),
    ...(flags.param ? { params: flags.param } : {}),
    ...(flags.query ? { query: flags.query } : {}),
    ...(flags.body !== undefined ? { body: flags.body } : {}),
    ...(flags.requestedBy ? { requestedBy: flags.requestedBy } : {}),
    ...(flags.reason ? { reason: flags.reason } : {}),
  };

  // The workflow checks the request again; checking here first gives the error without a workflow run.
  let mutating: boolean;
  let operationId: string;
  try {
    const prepared = prepareApiRequest(input);
    mutating = prepared.operation.mutating;
    operationId = prepared.operation.operationId;
  } catch (error) {
    process.exitCode = 1;
    console.error(`Invalid request: ${(error as Error).message}`);
    return;
  }
  if (mutating && !flags.requestedBy) {
    process.exitCode = 1;
    console.error(`${operationId} changes Rancher, so it needs --requested-by WHO (your name), and usually an approval.`);
    return;
  }

  const client = await connectClient();
  try {
    const id = workflowId(flags.connection, 'request');
    const handle = await client.workflow.start<typeof rancherApiRequest>('rancherApiRequest', { taskQueue: taskQueueFromEnv(), workflowId: id, args: [input] });
    if (mutating) {
      const message = [
        `Started ${id}.`,
        `${operationId} changes Rancher, so it waits for approval unless the approval policy says otherwise.`,
        `Another person approves with: rancher-workflows approve ${id} --as WHO`,
        `Workflow: ${webUiLink(webUiBase(), client.options.namespace, id, handle.firstExecutionRunId)}`,
      ].join('\n');
      if (flags.json && !flags.wait) printJson({ workflowId: id });
      else console.error(message);
      if (!flags.wait) return;
    }

    const result = await handle.result();
    if (flags.json) printJson({ workflowId: id, ...result });
    else console.log(formatRequestResult(result));
    if (result.outcome !== 'done') process.exitCode = 1;
  } catch (error) {
    process.exitCode = 1;
    console.error(`The request failed: ${describeFailure(error)}`);
  } finally {
    await client.connection.close();
  }
}

export function registerRequestCommand(program: Command): void {
  program
    .command('request')
    .description('Send one request of the endpoint catalog through the rancherApiRequest workflow; changes wait for approval')
    .argument('<operation>', "Rancher's operation id, such as readManagementCattleIoV3GlobalRole, or an HTTP method followed by a path")
    .argument('[path]', 'the path, with the method form: /apis/management.cattle.io/v3/globalroles/admin')
    .option('--connection <id>', 'Rancher connection to use', connectionOption, 'default')
    .option('--param <key=value>', 'path parameter, such as name=admin or namespace=c-m-x2k9q (repeatable)', keyValueOption('--param'))
    .option('--query <key=value>', 'query parameter, such as limit=10 or labelSelector=app=x (repeatable)', keyValueOption('--query'))
    .option('--body <json>', 'request body as JSON text, or @FILE to read it from a file', (value: string) => bodyOption(value))
    .option('--requested-by <who>', 'your name; required for operations that change something')
    .option('--reason <text>', 'why the change is needed, shown to the approver')
    .option('--no-wait', 'for a change: print the workflow id and return without waiting for approval and the result')
    .option('--json', 'print the workflow result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  rancher-workflows request readManagementCattleIoV3GlobalRole --param name=admin
  rancher-workflows request GET /apis/management.cattle.io/v3/globalroles/admin
  rancher-workflows request listManagementCattleIoV3User --query limit=5 --json
  rancher-workflows request createManagementCattleIoV3GlobalRoleBinding --body @grb.json --requested-by ana --reason "on-call"`,
    )
    .action((first: string, second: string | undefined, flags: RequestFlags) => runRequest(first, second, flags));
}
