/**
 * Validation of the simulator's responses against Rancher's OpenAPI 2.0 document with Ajv.
 *
 * Each response body is checked against the definition its operation declares for the status
 * code: the object, list or `Status` for 2xx, `io.k8s.apimachinery.pkg.apis.meta.v1.Status` for
 * every error, and `WatchEvent` for each watch event, whose object must also match the kind's own
 * definition (or `Status` for an `ERROR` event). The `x-kubernetes-group-version-kind` extension is
 * enforced as well: a body that names a `kind` must carry one of the kinds and apiVersions the
 * definition lists. Rancher's own 401 body (`{"type":"error","status":"401",...}`) is declared
 * nowhere in the document, so it is counted separately instead of validated.
 *
 * The document is read from `RANCHER_OPENAPI_FILE`, by default
 * `../shared/rancher-reference/swagger-v2.13.json` next to the repository; it is never copied in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RecordedResponse } from '../../src/simulator/index.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Path of the OpenAPI document the checks read. */
export const openApiFile = process.env.RANCHER_OPENAPI_FILE ?? path.resolve(repositoryRoot, '../shared/rancher-reference/swagger-v2.13.json');

const statusDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const watchEventDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
const unmatchedOperation = '(no operation)';

interface OpenApiOperation {
  operationId: string;
  responses: Record<string, { schema?: { $ref?: string } }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  definitions: Record<string, Record<string, unknown>>;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** One response that failed validation. */
export interface ConformanceProblem {
  record: RecordedResponse;
  /** The definition the body was checked against, when one applied. */
  definition?: string;
  errors: string[];
}

/** The outcome of checking a set of recorded responses. */
export interface ConformanceReport {
  /** Responses validated against a definition (each watch event counts once). */
  checked: number;
  invalid: ConformanceProblem[];
  /** Rancher's 401 bodies, which the document does not declare and which are not validated. */
  rancherUnauthorized: number;
  /** Number of validated responses per operation id; responses before routing count under `(no operation)`. */
  byOperation: Map<string, number>;
}

// ajv-formats is a CommonJS module, so TypeScript types its default import as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/** Validates recorded responses against the OpenAPI document. */
export class OpenApiConformance {
  private readonly ajv: Ajv;
  private readonly operations = new Map<string, OpenApiOperation>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly definitionOfKind = new Map<string, string>();

  constructor(documentFile: string = openApiFile) {
    const document = JSON.parse(readFileSync(documentFile, 'utf8')) as OpenApiDocument;
    for (const pathItem of Object.values(document.paths)) {
      for (const operation of Object.values(pathItem)) {
        const candidate = operation as Partial<OpenApiOperation>;
        if (typeof candidate.operationId === 'string' && candidate.responses) {
          this.operations.set(candidate.operationId, candidate as OpenApiOperation);
        }
      }
    }
    for (const [name, definition] of Object.entries(document.definitions)) {
      const kinds = definition['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
      if (kinds?.length === 1 && kinds[0]) {
        this.definitionOfKind.set(`${apiVersionOf(kinds[0])}/${kinds[0].kind}`, name);
      }
    }

    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    addFormats(this.ajv);
    // OpenAPI 2.0 integer formats: ranges of signed 32- and 64-bit integers.
    this.ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
    // Kubernetes extensions that describe merge behaviour only; they never reject a value.
    for (const keyword of ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-map-type']) {
      this.ajv.addKeyword({ keyword });
    }
    this.ajv.addKeyword({
      keyword: 'x-kubernetes-group-version-kind',
      schemaType: 'array',
      validate: (kinds: GroupVersionKind[], data: unknown) => {
        if (typeof data !== 'object' || data === null || !('kind' in data)) {
          return true;
        }
        const { kind, apiVersion } = data as { kind?: unknown; apiVersion?: unknown };
        return kinds.some((gvk) => gvk.kind === kind && (apiVersion === undefined || apiVersion === apiVersionOf(gvk)));
      },
      errors: false,
    });
    this.ajv.addSchema({ definitions: document.definitions }, 'openapi');
  }

  /** Returns the number of operations the document declares. */
  get operationCount(): number {
    return this.operations.size;
  }

  /** Checks records and returns the counts and every problem found. */
  check(records: Iterable<RecordedResponse>): ConformanceReport {
    const report: ConformanceReport = { checked: 0, invalid: [], rancherUnauthorized: 0, byOperation: new Map() };
    for (const record of records) {
      if (record.status === 401 && (record.body as { type?: unknown } | undefined)?.type === 'error') {
        report.rancherUnauthorized += 1;
        continue;
      }

      const problem = this.checkOne(record);
      report.checked += 1;
      const operation = record.operationId ?? unmatchedOperation;
      report.byOperation.set(operation, (report.byOperation.get(operation) ?? 0) + 1);
      if (problem) {
        report.invalid.push(problem);
      }
    }
    return report;
  }

  private checkOne(record: RecordedResponse): ConformanceProblem | undefined {
    if (record.status >= 400) {
      return this.validate(record, statusDefinition, record.body);
    }
    if (record.watchEvent) {
      return this.checkWatchEvent(record);
    }

    const operation = record.operationId === undefined ? undefined : this.operations.get(record.operationId);
    if (!operation) {
      return { record, errors: [`a ${record.status} response matched no operation of the document`] };
    }
    const declared = operation.responses[String(record.status)]?.schema?.$ref?.replace('#/definitions/', '');
    if (!declared) {
      return { record, errors: [`${record.operationId} declares no ${record.status} response; it declares ${Object.keys(operation.responses).join(', ')}`] };
    }
    return this.validate(record, declared, record.body);
  }

  private checkWatchEvent(record: RecordedResponse): ConformanceProblem | undefined {
    const envelope = this.validate(record, watchEventDefinition, record.body);
    if (envelope) {
      return envelope;
    }

    const event = record.body as { type: string; object: { apiVersion?: string; kind?: string } };
    if (event.type === 'ERROR') {
      return this.validate(record, statusDefinition, event.object);
    }
    if (!['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'].includes(event.type)) {
      return { record, definition: watchEventDefinition, errors: [`unknown watch event type ${JSON.stringify(event.type)}`] };
    }
    const definition = this.definitionOfKind.get(`${event.object.apiVersion ?? ''}/${event.object.kind ?? ''}`);
    if (!definition) {
      return { record, definition: watchEventDefinition, errors: [`the event object's kind ${event.object.apiVersion ?? '?'}/${event.object.kind ?? '?'} has no definition`] };
    }
    return this.validate(record, definition, event.object);
  }

  private validate(record: RecordedResponse, definition: string, body: unknown): ConformanceProblem | undefined {
    let validator = this.validators.get(definition);
    if (!validator) {
      const compiled = this.ajv.getSchema(`openapi#/definitions/${definition}`);
      if (!compiled) {
        return { record, definition, errors: [`the document has no definition ${definition}`] };
      }
      validator = compiled;
      this.validators.set(definition, validator);
    }

    if (validator(body)) {
      return undefined;
    }
    const errors = (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`);
    return { record, definition, errors: errors.length > 0 ? errors : ['rejected by x-kubernetes-group-version-kind: kind or apiVersion does not match'] };
  }
}

/** Reads every `*.jsonl` file the simulator's recorder wrote to `folder`. */
export function readRecordedResponses(folder: string): RecordedResponse[] {
  const files = readdirSync(folder).filter((file) => file.endsWith('.jsonl'));
  return files.flatMap((file) =>
    readFileSync(path.join(folder, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RecordedResponse),
  );
}

/** Formats a report as the lines a test run prints. */
export function describeReport(report: ConformanceReport): string[] {
  const operations = [...report.byOperation.keys()].filter((operation) => operation !== unmatchedOperation).length;
  const unmatched = report.byOperation.get(unmatchedOperation) ?? 0;
  const lines = [
    `OpenAPI conformance: checked ${report.checked} responses, ${report.invalid.length} invalid` +
      ` (${operations} operations, ${unmatched} error responses outside any operation;` +
      ` ${report.rancherUnauthorized} Rancher 401 bodies not validated because the document declares no 401 body)`,
  ];
  for (const problem of report.invalid.slice(0, 20)) {
    lines.push(`  ${problem.record.method} ${problem.record.path} ${problem.record.status} (${problem.record.operationId ?? 'no operation'}) against ${problem.definition ?? '-'}: ${problem.errors.join('; ')}`);
  }
  if (report.invalid.length > 20) {
    lines.push(`  … and ${report.invalid.length - 20} more`);
  }
  return lines;
}
