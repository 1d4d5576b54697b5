import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AuditPolicyCreateSchema,
  AuditPolicyListSchema,
  AuditPolicySchema,
  ClusterRoleTemplateBindingCreateSchema,
  ClusterRoleTemplateBindingListSchema,
  ClusterRoleTemplateBindingSchema,
  DeleteOptionsSchema,
  GlobalRoleBindingCreateSchema,
  GlobalRoleBindingListSchema,
  GlobalRoleBindingSchema,
  GlobalRoleCreateSchema,
  GlobalRoleListSchema,
  GlobalRoleSchema,
  KubeconfigCreateSchema,
  KubeconfigListSchema,
  KubeconfigSchema,
  ListEnvelopeSchema,
  ListMetaSchema,
  listOf,
  ObjectMetaSchema,
  PatchBodySchema,
  ProjectCreateSchema,
  ProjectListSchema,
  ProjectRoleTemplateBindingCreateSchema,
  ProjectRoleTemplateBindingListSchema,
  ProjectRoleTemplateBindingSchema,
  ProjectSchema,
  RancherErrorBodySchema,
  RoleTemplateCreateSchema,
  RoleTemplateListSchema,
  RoleTemplateSchema,
  StatusSchema,
  TokenCreateSchema,
  TokenListSchema,
  TokenSchema,
  UserCreateSchema,
  UserListSchema,
  UserSchema,
  WatchEventSchema,
} from '../../src/rancher/schemas.js';

// The reference material lives beside the repository (`<clone>/../shared/...`) and is never copied in.
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const openApiFile = process.env.RANCHER_OPENAPI_FILE ?? resolve(repositoryRoot, '../shared/rancher-reference/swagger-v2.13.json');
const examplesDirectory = resolve(repositoryRoot, '../shared/rancher-reference/examples');

type JsonSchema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
};

const definitions = (JSON.parse(readFileSync(openApiFile, 'utf8')) as { definitions: Record<string, JsonSchema> }).definitions;

type Json = Record<string, unknown>;

function readExample(file: string): Json {
  return JSON.parse(readFileSync(resolve(examplesDirectory, file), 'utf8')) as Json;
}

// ---------------------------------------------------------------------------
// (a) examples
// ---------------------------------------------------------------------------

/** Read-back schema per `kind` of an example file; Rancher's own error body has no kind. */
const schemaOfKind: Record<string, z.ZodType> = {
  User: UserSchema,
  GlobalRole: GlobalRoleSchema,
  GlobalRoleBinding: GlobalRoleBindingSchema,
  RoleTemplate: RoleTemplateSchema,
  Project: ProjectSchema,
  ClusterRoleTemplateBinding: ClusterRoleTemplateBindingSchema,
  ProjectRoleTemplateBinding: ProjectRoleTemplateBindingSchema,
  Token: TokenSchema,
  Kubeconfig: KubeconfigSchema,
  AuditPolicy: AuditPolicySchema,
  UserList: UserListSchema,
  Status: StatusSchema,
};

/** Create-body schema per kind. */
const createSchemaOfKind: Record<string, z.ZodType> = {
  User: UserCreateSchema,
  GlobalRole: GlobalRoleCreateSchema,
  GlobalRoleBinding: GlobalRoleBindingCreateSchema,
  RoleTemplate: RoleTemplateCreateSchema,
  Project: ProjectCreateSchema,
  ClusterRoleTemplateBinding: ClusterRoleTemplateBindingCreateSchema,
  ProjectRoleTemplateBinding: ProjectRoleTemplateBindingCreateSchema,
  Token: TokenCreateSchema,
  Kubeconfig: KubeconfigCreateSchema,
  AuditPolicy: AuditPolicyCreateSchema,
};

const exampleFiles = readdirSync(examplesDirectory).filter((file) => file.endsWith('.json'));

/** Turn an object read back from Rancher into a create body: no server-set fields, no name. */
function toCreateBody(object: Json): Json {
  const body = structuredClone(object);
  const metadata = (body.metadata ?? {}) as Json;
  for (const field of ['name', 'uid', 'resourceVersion', 'creationTimestamp', 'generation']) delete metadata[field];
  delete body.status;
  return body;
}

describe('examples', () => {
  it('includes an object of every kind with examples', () => {
    const kinds = new Set(exampleFiles.map((file) => readExample(file).kind));
    for (const kind of ['User', 'GlobalRole', 'GlobalRoleBinding', 'RoleTemplate', 'Project', 'ClusterRoleTemplateBinding', 'ProjectRoleTemplateBinding', 'Token', 'UserList', 'Status']) {
      expect(kinds).toContain(kind);
    }
  });

  it.each(exampleFiles)('%s parses', (file) => {
    const example = readExample(file);
    const schema = typeof example.kind === 'string' ? schemaOfKind[example.kind] : RancherErrorBodySchema;
    expect(schema, `no schema for kind ${String(example.kind)}`).toBeDefined();

    const result = schema?.safeParse(example);
    expect(result?.success, result?.error ? z.prettifyError(result.error) : '').toBe(true);
  });

  const objectFiles = exampleFiles.filter((file) => String(readExample(file).kind) in createSchemaOfKind);

  it.each(objectFiles)('%s parses as a create body with generateName', (file) => {
    const example = readExample(file);
    const body = toCreateBody(example);
    (body.metadata as Json).generateName = 'x-';

    const result = createSchemaOfKind[example.kind as string]?.safeParse(body);
    expect(result?.success, result?.error ? z.prettifyError(result.error) : '').toBe(true);
  });

  it('keeps unknown fields', () => {
    const user = UserSchema.parse(readExample('user.json'));
    expect(user.status).toEqual(readExample('user.json').status);
    expect(user.metadata.uid).toBe('600e7d1a-6f0f-4eb5-b14d-ad1cf3ddc79e');
    expect(TokenSchema.parse(readExample('ext-token-create-response.json')).status.bearerToken).toMatch(/^ext\/token-xhw9s:/);
  });

  it('parses the items of a list envelope', () => {
    const list = UserListSchema.parse(readExample('list-envelope-users.json'));
    expect(list.items[0]?.metadata.name).toBe('u-7fk2m');
    expect(list.metadata?.continue).toBeTruthy();
    expect(ListEnvelopeSchema.parse(readExample('list-envelope-users.json')).items).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// (b) agreement with the OpenAPI definitions
// ---------------------------------------------------------------------------

function resolveDefinition(schema: JsonSchema): JsonSchema {
  let current = schema;
  while (current.$ref !== undefined) {
    const name = current.$ref.replace('#/definitions/', '');
    const next = definitions[name];
    if (next === undefined) throw new Error(`unresolved definition ${name}`);
    current = next;
  }
  return current;
}

/**
 * Walk the JSON Schema that zod generates next to the OpenAPI definition and list every
 * disagreement: a typed field the definition lacks, a different type, an enum value the
 * definition does not allow, or a field the definition requires that the schema leaves optional.
 * `relaxed` names required fields that a schema leaves optional on purpose.
 */
function compareWithDefinition(zodSchema: JsonSchema, documentSchema: JsonSchema, path: string, relaxed: ReadonlySet<string>, problems: string[]): void {
  const document = resolveDefinition(documentSchema);

  if (zodSchema.anyOf !== undefined) {
    for (const branch of zodSchema.anyOf) compareWithDefinition(branch, document, path, relaxed, problems);
    return;
  }
  if (zodSchema.type === undefined) return;

  const label = path === '' ? '(root)' : path;
  if (zodSchema.type !== document.type) {
    problems.push(`${label}: schema type ${zodSchema.type}, document type ${String(document.type)}`);
    return;
  }

  const zodValues = zodSchema.enum ?? (zodSchema.const !== undefined ? [zodSchema.const] : undefined);
  if (zodValues !== undefined && document.enum !== undefined) {
    for (const value of zodValues) {
      if (!document.enum.includes(value)) problems.push(`${label}: enum value ${JSON.stringify(value)} is not in the document`);
    }
  }

  if (zodSchema.type === 'array' && zodSchema.items !== undefined && document.items !== undefined) {
    compareWithDefinition(zodSchema.items, document.items, `${path}[]`, relaxed, problems);
  }

  if (zodSchema.type !== 'object') return;

  const prefix = path === '' ? '' : `${path}.`;
  for (const [name, property] of Object.entries(zodSchema.properties ?? {})) {
    const documentProperty = document.properties?.[name];
    if (documentProperty === undefined) {
      problems.push(`${prefix}${name}: typed in the schema but not in the document`);
      continue;
    }
    compareWithDefinition(property, documentProperty, `${prefix}${name}`, relaxed, problems);
  }

  const isRecord = zodSchema.propertyNames !== undefined;
  if (isRecord && typeof zodSchema.additionalProperties === 'object' && typeof document.additionalProperties === 'object') {
    compareWithDefinition(zodSchema.additionalProperties, document.additionalProperties, `${prefix}*`, relaxed, problems);
  }

  for (const name of document.required ?? []) {
    if (relaxed.has(`${prefix}${name}`)) continue;
    if (!(zodSchema.required ?? []).includes(name)) problems.push(`${prefix}${name}: required by the document but optional in the schema`);
  }
}

function disagreements(schema: z.ZodType, definition: string, relaxed: string[] = []): string[] {
  const generated = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  const problems: string[] = [];
  compareWithDefinition(generated, { $ref: `#/definitions/${definition}` }, '', new Set(relaxed), problems);
  return problems;
}

const management = (kind: string) => `io.cattle.management.v3.${kind}`;
const meta = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;

const definitionCases: [string, z.ZodType, string, string[]?][] = [
  ['ObjectMetaSchema', ObjectMetaSchema, meta('ObjectMeta')],
  ['ListMetaSchema', ListMetaSchema, meta('ListMeta')],
  ['StatusSchema', StatusSchema, meta('Status')],
  ['DeleteOptionsSchema', DeleteOptionsSchema, meta('DeleteOptions')],
  ['WatchEventSchema', WatchEventSchema, meta('WatchEvent')],
  ['UserSchema', UserSchema, management('User')],
  ['GlobalRoleSchema', GlobalRoleSchema, management('GlobalRole')],
  ['GlobalRoleBindingSchema', GlobalRoleBindingSchema, management('GlobalRoleBinding')],
  ['RoleTemplateSchema', RoleTemplateSchema, management('RoleTemplate')],
  ['ProjectSchema', ProjectSchema, management('Project')],
  ['ClusterRoleTemplateBindingSchema', ClusterRoleTemplateBindingSchema, management('ClusterRoleTemplateBinding')],
  ['ProjectRoleTemplateBindingSchema', ProjectRoleTemplateBindingSchema, management('ProjectRoleTemplateBinding')],
  ['TokenSchema', TokenSchema, 'io.cattle.ext.v1.Token'],
  ['KubeconfigSchema', KubeconfigSchema, 'io.cattle.ext.v1.Kubeconfig'],
  ['AuditPolicySchema', AuditPolicySchema, 'io.cattle.auditlog.v1.AuditPolicy'],
  ['UserCreateSchema', UserCreateSchema, management('User')],
  ['GlobalRoleCreateSchema', GlobalRoleCreateSchema, management('GlobalRole')],
  ['GlobalRoleBindingCreateSchema', GlobalRoleBindingCreateSchema, management('GlobalRoleBinding')],
  ['RoleTemplateCreateSchema', RoleTemplateCreateSchema, management('RoleTemplate')],
  ['ProjectCreateSchema', ProjectCreateSchema, management('Project')],
  ['ClusterRoleTemplateBindingCreateSchema', ClusterRoleTemplateBindingCreateSchema, management('ClusterRoleTemplateBinding')],
  ['ProjectRoleTemplateBindingCreateSchema', ProjectRoleTemplateBindingCreateSchema, management('ProjectRoleTemplateBinding')],
  // Rancher fills in the owner principal and the whole status of a new token, so a create body
  // carries neither.
  ['TokenCreateSchema', TokenCreateSchema, 'io.cattle.ext.v1.Token', ['status', 'spec.userPrincipal']],
  ['KubeconfigCreateSchema', KubeconfigCreateSchema, 'io.cattle.ext.v1.Kubeconfig'],
  ['AuditPolicyCreateSchema', AuditPolicyCreateSchema, 'io.cattle.auditlog.v1.AuditPolicy'],
  ['UserListSchema', UserListSchema, management('UserList')],
  ['GlobalRoleListSchema', GlobalRoleListSchema, management('GlobalRoleList')],
  ['GlobalRoleBindingListSchema', GlobalRoleBindingListSchema, management('GlobalRoleBindingList')],
  ['RoleTemplateListSchema', RoleTemplateListSchema, management('RoleTemplateList')],
  ['ProjectListSchema', ProjectListSchema, management('ProjectList')],
  ['ClusterRoleTemplateBindingListSchema', ClusterRoleTemplateBindingListSchema, management('ClusterRoleTemplateBindingList')],
  ['ProjectRoleTemplateBindingListSchema', ProjectRoleTemplateBindingListSchema, management('ProjectRoleTemplateBindingList')],
  ['TokenListSchema', TokenListSchema, 'io.cattle.ext.v1.TokenList'],
  ['KubeconfigListSchema', KubeconfigListSchema, 'io.cattle.ext.v1.KubeconfigList'],
  ['AuditPolicyListSchema', AuditPolicyListSchema, 'io.cattle.auditlog.v1.AuditPolicyList'],
  // The document types a patch as an object. A JSON patch is an array of operations, which the
  // schema accepts in its second branch, so only the object branch is compared.
  ['PatchBodySchema (object branch)', PatchBodySchema.options[0], meta('Patch')],
];

describe('schemas against the OpenAPI definitions', () => {
  it.each(definitionCases)('%s agrees with the document', (_name, schema, definition, relaxed) => {
    expect(definitions[definition], definition).toBeDefined();
    expect(disagreements(schema, definition, relaxed)).toEqual([]);
  });

  it('comparison detects a wrong type', () => {
    const wrong = UserSchema.extend({ enabled: z.string().optional() });
    expect(disagreements(wrong, management('User'))).toEqual(['enabled: schema type string, document type boolean']);
  });

  it('comparison detects a relaxed required field', () => {
    const relaxed = GlobalRoleBindingSchema.extend({ globalRoleName: z.string().optional() });
    expect(disagreements(relaxed, management('GlobalRoleBinding'))).toEqual(['globalRoleName: required by the document but optional in the schema']);
  });

  it('comparison detects a field the document lacks', () => {
    const extra = ProjectRoleTemplateBindingSchema.extend({ status: z.looseObject({}).optional() });
    expect(disagreements(extra, management('ProjectRoleTemplateBinding'))).toEqual(['status: typed in the schema but not in the document']);
  });
});

// ---------------------------------------------------------------------------
// (c) rejections name the field path
// ---------------------------------------------------------------------------

/** Return a copy of `object` with the value at the dotted `path` replaced, or removed when `value` is undefined. */
function withChange(object: Json, path: string, value: unknown): Json {
  const copy = structuredClone(object);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let target: Record<string, unknown> = copy;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

const kubeconfig: Json = {
  apiVersion: 'ext.cattle.io/v1',
  kind: 'Kubeconfig',
  metadata: { name: 'kubeconfig-4vbqf' },
  spec: { clusters: ['c-m-4bx2q7dz'], currentContext: 'c-m-4bx2q7dz', ttl: 2592000 },
  status: { summary: 'Complete', tokens: ['token-8pzrx'] },
};

const auditPolicy: Json = {
  apiVersion: 'auditlog.cattle.io/v1',
  kind: 'AuditPolicy',
  metadata: { name: 'log-user-changes' },
  spec: {
    enabled: true,
    filters: [{ action: 'allow', requestURI: '/apis/management.cattle.io/v3/users.*' }],
    verbosity: { level: 2, request: { body: true } },
  },
};

const rejectionCases: [string, z.ZodType, Json, string][] = [
  ['user without metadata.name', UserSchema, withChange(readExample('user.json'), 'metadata.name', undefined), 'metadata.name'],
  ['user with an empty name', UserSchema, withChange(readExample('user.json'), 'metadata.name', ''), 'metadata.name'],
  ['user without metadata', UserSchema, withChange(readExample('user.json'), 'metadata', undefined), 'metadata'],
  ['user with enabled as a string', UserSchema, withChange(readExample('user.json'), 'enabled', 'yes'), 'enabled'],
  ['user with principalIds as a string', UserSchema, withChange(readExample('user.json'), 'principalIds', 'local://u-7fk2m'), 'principalIds'],
  ['global role rule without verbs', GlobalRoleSchema, withChange(readExample('globalrole.json'), 'rules.0.verbs', undefined), 'rules.0.verbs'],
  ['global role with builtin as a string', GlobalRoleSchema, withChange(readExample('globalrole.json'), 'builtin', 'true'), 'builtin'],
  ['binding without globalRoleName', GlobalRoleBindingSchema, withChange(readExample('globalrolebinding.json'), 'globalRoleName', undefined), 'globalRoleName'],
  ['binding condition without reason', GlobalRoleBindingSchema, withChange(readExample('globalrolebinding.json'), 'status.localConditions.0.reason', undefined), 'status.localConditions.0.reason'],
  ['role template with an unknown context', RoleTemplateSchema, withChange(readExample('roletemplate.json'), 'context', 'global'), 'context'],
  ['project without spec.clusterName', ProjectSchema, withChange(readExample('project.json'), 'spec.clusterName', undefined), 'spec.clusterName'],
  ['project without spec.displayName', ProjectSchema, withChange(readExample('project.json'), 'spec.displayName', undefined), 'spec.displayName'],
  ['CRTB without clusterName', ClusterRoleTemplateBindingSchema, withChange(readExample('clusterroletemplatebinding.json'), 'clusterName', undefined), 'clusterName'],
  ['CRTB without roleTemplateName', ClusterRoleTemplateBindingSchema, withChange(readExample('clusterroletemplatebinding.json'), 'roleTemplateName', undefined), 'roleTemplateName'],
  ['PRTB without projectName', ProjectRoleTemplateBindingSchema, withChange(readExample('projectroletemplatebinding.json'), 'projectName', undefined), 'projectName'],
  ['PRTB without roleTemplateName', ProjectRoleTemplateBindingSchema, withChange(readExample('projectroletemplatebinding.json'), 'roleTemplateName', undefined), 'roleTemplateName'],
  ['token without spec', TokenSchema, withChange(readExample('ext-token.json'), 'spec', undefined), 'spec'],
  ['token without status', TokenSchema, withChange(readExample('ext-token.json'), 'status', undefined), 'status'],
  ['token without status.expired', TokenSchema, withChange(readExample('ext-token.json'), 'status.expired', undefined), 'status.expired'],
  ['token with status.expiresAt as a number', TokenSchema, withChange(readExample('ext-token.json'), 'status.expiresAt', 0), 'status.expiresAt'],
  ['token principal without name', TokenSchema, withChange(readExample('ext-token.json'), 'spec.userPrincipal.name', undefined), 'spec.userPrincipal.name'],
  ['token with a fractional ttl', TokenSchema, withChange(readExample('ext-token.json'), 'spec.ttl', 1.5), 'spec.ttl'],
  ['token create body without spec', TokenCreateSchema, withChange(toCreateBody(readExample('ext-token.json')), 'spec', undefined), 'spec'],
  ['kubeconfig with ttl as a string', KubeconfigSchema, withChange(kubeconfig, 'spec.ttl', '30d'), 'spec.ttl'],
  ['kubeconfig with clusters as a string', KubeconfigSchema, withChange(kubeconfig, 'spec.clusters', 'local'), 'spec.clusters'],
  ['audit policy without spec.enabled', AuditPolicySchema, withChange(auditPolicy, 'spec.enabled', undefined), 'spec.enabled'],
  ['audit policy without spec', AuditPolicySchema, withChange(auditPolicy, 'spec', undefined), 'spec'],
  ['audit verbosity without level', AuditPolicySchema, withChange(auditPolicy, 'spec.verbosity.level', undefined), 'spec.verbosity.level'],
  ['list item without a name', UserListSchema, withChange(readExample('list-envelope-users.json'), 'items.0.metadata.name', undefined), 'items.0.metadata.name'],
  ['list without items', UserListSchema, withChange(readExample('list-envelope-users.json'), 'items', undefined), 'items'],
  ['token list without metadata', TokenListSchema, { items: [] }, 'metadata'],
  [
    'create body without name or generateName',
    GlobalRoleBindingCreateSchema,
    withChange(toCreateBody(readExample('globalrolebinding.json')), 'metadata.generateName', undefined),
    'metadata.name',
  ],
  ['create body without globalRoleName', GlobalRoleBindingCreateSchema, withChange({ metadata: { generateName: 'grb-' } }, 'userName', 'u-7fk2m'), 'globalRoleName'],
  ['Status without kind', StatusSchema, withChange(readExample('status-404.json'), 'kind', undefined), 'kind'],
  ['Status with code as a string', StatusSchema, withChange(readExample('status-404.json'), 'code', '404'), 'code'],
  ['DeleteOptions with a string grace period', DeleteOptionsSchema, { gracePeriodSeconds: '5' }, 'gracePeriodSeconds'],
  ['watch event without object', WatchEventSchema, { type: 'ADDED' }, 'object'],
];

describe('rejections', () => {
  it.each(rejectionCases)('rejects %s', (_label, schema, value, fieldPath) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    if (result.success) return;

    expect(result.error.issues.map((issue) => issue.path.join('.'))).toContain(fieldPath);
    // z.prettifyError writes array indexes in brackets: `items[0].metadata.name`.
    expect(z.prettifyError(result.error)).toContain(`at ${fieldPath.replace(/\.(\d+)/g, '[$1]')}`);
  });

  it('accepts the sample kubeconfig and audit policy', () => {
    expect(KubeconfigSchema.safeParse(kubeconfig).success).toBe(true);
    expect(AuditPolicySchema.safeParse(auditPolicy).success).toBe(true);
    expect(KubeconfigCreateSchema.safeParse({ spec: { clusters: ['local'] } }).success).toBe(true);
  });

  it('accepts merge patches and JSON patches', () => {
    expect(PatchBodySchema.safeParse({ enabled: false }).success).toBe(true);
    expect(PatchBodySchema.safeParse([{ op: 'replace', path: '/enabled', value: false }]).success).toBe(true);
    expect(PatchBodySchema.safeParse('enabled=false').success).toBe(false);
  });
});

describe('listOf', () => {
  it('types the items', () => {
    const list = listOf(GlobalRoleBindingSchema).parse({ items: [readExample('globalrolebinding.json')] });
    const first: { globalRoleName: string } | undefined = list.items[0];
    expect(first?.globalRoleName).toBe('user');
  });

  it('applies the item schema', () => {
    const result = listOf(ProjectSchema).safeParse({ items: [{ metadata: { name: 'p-1' } }, { metadata: {} }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['items', 1, 'metadata', 'name']);
  });
});
