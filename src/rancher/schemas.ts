/**
 * zod schemas for the Rancher objects this project reads and writes.
 *
 * Objects pass unknown fields through, because Rancher and its controllers add annotations,
 * labels and status fields between releases. A schema rejects only what would break the
 * product: a missing name, a wrong type on a field the product reads.
 *
 * This module has no I/O so that workflow code may import it.
 */
import { z } from 'zod';

/** Kubernetes `ObjectMeta`: only the fields the product reads are typed. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  generateName: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});

/** Kubernetes `ListMeta`: `continue` is present only when more items remain. */
export const ListMetaSchema = z.looseObject({
  continue: z.string().optional(),
  resourceVersion: z.string().optional(),
  remainingItemCount: z.number().int().nonnegative().optional(),
  selfLink: z.string().optional(),
});

/** The Kubernetes list envelope with items of any kind; item schemas are applied separately. */
export const ListEnvelopeSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ListMetaSchema.optional(),
  items: z.array(z.unknown()),
});
export type ListEnvelope = z.infer<typeof ListEnvelopeSchema>;

/** The Kubernetes `Status` object that error responses and deletes carry. */
export const StatusSchema = z.looseObject({
  kind: z.literal('Status'),
  apiVersion: z.string().optional(),
  metadata: z.looseObject({}).optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().int().optional(),
  details: z
    .looseObject({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      uid: z.string().optional(),
      retryAfterSeconds: z.number().int().optional(),
      causes: z.array(z.looseObject({ reason: z.string().optional(), message: z.string().optional(), field: z.string().optional() })).optional(),
    })
    .optional(),
});
export type KubernetesStatus = z.infer<typeof StatusSchema>;

/** Rancher's own error body, sent for authentication failures: `{type: "error", status: "401", message}`. */
export const RancherErrorBodySchema = z.looseObject({
  type: z.literal('error'),
  status: z.string(),
  message: z.string(),
});

// ---------------------------------------------------------------------------
// Shared building blocks
// ---------------------------------------------------------------------------

/**
 * Kubernetes `ObjectMeta` in a create body: `metadata.name` may be absent when `generateName`
 * lets the server pick the name.
 */
export const CreateObjectMetaSchema = ObjectMetaSchema.extend({
  name: z.string().min(1).optional(),
}).refine((meta) => meta.name !== undefined || (meta.generateName !== undefined && meta.generateName !== ''), {
  message: 'metadata.name or metadata.generateName is required',
  path: ['name'],
});

/**
 * Rancher's own condition shape (users, projects): only `type` and `status` are required, and the
 * timestamps are plain strings.
 */
export const RancherConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastUpdateTime: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/**
 * Kubernetes `metav1.Condition`. Go serializes its five required fields even when empty (they have
 * no `omitempty`), and a CRD schema makes the API server reject a condition without them.
 */
export const ConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastTransitionTime: z.string(),
  reason: z.string(),
  message: z.string(),
  observedGeneration: z.number().int().optional(),
});

/** RBAC `PolicyRule` as Rancher embeds it in global roles and role templates; `verbs` is required. */
export const PolicyRuleSchema = z.looseObject({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
});
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

/** `status` of the binding kinds that Rancher reconciles in the local and downstream clusters. */
const BindingStatusSchema = z.looseObject({
  summary: z.string().optional(),
  summaryLocal: z.string().optional(),
  summaryRemote: z.string().optional(),
  lastUpdateTime: z.string().optional(),
  localConditions: z.array(ConditionSchema).optional(),
  remoteConditions: z.array(ConditionSchema).optional(),
  observedGenerationLocal: z.number().int().optional(),
  observedGenerationRemote: z.number().int().optional(),
});

/**
 * Build the schema of a Kubernetes list whose items all match `item`, for example
 * `listOf(UserSchema)` for a `UserList`.
 */
export function listOf<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: ListMetaSchema.optional(),
    items: z.array(item),
  });
}

/** Body of a DELETE request (`meta/v1 DeleteOptions`); every field is optional. */
export const DeleteOptionsSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  dryRun: z.array(z.string()).optional(),
  gracePeriodSeconds: z.number().int().nonnegative().optional(),
  ignoreStoreReadErrorWithClusterBreakingPotential: z.boolean().optional(),
  orphanDependents: z.boolean().optional(),
  propagationPolicy: z.string().optional(),
  preconditions: z.looseObject({ resourceVersion: z.string().optional(), uid: z.string().optional() }).optional(),
});
export type DeleteOptions = z.infer<typeof DeleteOptionsSchema>;

/**
 * Body of a PATCH request. A merge patch or an apply patch is an object. A JSON patch
 * (`application/json-patch+json`) is an array of operations, so arrays are accepted as well.
 */
export const PatchBodySchema = z.union([
  z.looseObject({}),
  z.array(z.looseObject({ op: z.string(), path: z.string() })),
]);
export type PatchBody = z.infer<typeof PatchBodySchema>;

/** One event of a watch stream: `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
export const WatchEventSchema = z.looseObject({
  type: z.string(),
  object: z.looseObject({}),
});
export type WatchEvent = z.infer<typeof WatchEventSchema>;

// ---------------------------------------------------------------------------
// management.cattle.io/v3
// ---------------------------------------------------------------------------

/** `management.cattle.io/v3` User. */
export const UserSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  username: z.string().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  mustChangePassword: z.boolean().optional(),
  principalIds: z.array(z.string()).optional(),
  status: z.looseObject({ conditions: z.array(RancherConditionSchema).optional() }).optional(),
});
export type User = z.infer<typeof UserSchema>;

/** `management.cattle.io/v3` GlobalRole. */
export const GlobalRoleSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  displayName: z.string().optional(),
  description: z.string().optional(),
  builtin: z.boolean().optional(),
  newUserDefault: z.boolean().optional(),
  inheritedClusterRoles: z.array(z.string()).optional(),
  /** Rules that apply in the local cluster only. */
  rules: z.array(PolicyRuleSchema).optional(),
  /** Rules per namespace of the local cluster. */
  namespacedRules: z.record(z.string(), z.array(PolicyRuleSchema)).optional(),
  status: z
    .looseObject({
      summary: z.string().optional(),
      lastUpdateTime: z.string().optional(),
      observedGeneration: z.number().int().optional(),
      conditions: z.array(ConditionSchema).optional(),
    })
    .optional(),
});
export type GlobalRole = z.infer<typeof GlobalRoleSchema>;

/** `management.cattle.io/v3` GlobalRoleBinding; `globalRoleName` is required by the CRD. */
export const GlobalRoleBindingSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  globalRoleName: z.string().min(1),
  userName: z.string().optional(),
  userPrincipalName: z.string().optional(),
  groupPrincipalName: z.string().optional(),
  status: BindingStatusSchema.optional(),
});
export type GlobalRoleBinding = z.infer<typeof GlobalRoleBindingSchema>;


/** `management.cattle.io/v3` User in a create body (`generateName: "u-"` is the usual practice). */
export const UserCreateSchema = UserSchema.extend({ metadata: CreateObjectMetaSchema });

/** `management.cattle.io/v3` GlobalRole in a create body. */
export const GlobalRoleCreateSchema = GlobalRoleSchema.extend({ metadata: CreateObjectMetaSchema });

/** `management.cattle.io/v3` GlobalRoleBinding in a create body (`generateName: "grb-"` is usual). */
export const GlobalRoleBindingCreateSchema = GlobalRoleBindingSchema.extend({ metadata: CreateObjectMetaSchema });

/** `management.cattle.io/v3` RoleTemplate. `context` is `cluster`, `project` or empty. */
export const RoleTemplateSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  displayName: z.string().optional(),
  description: z.string().optional(),
  context: z.enum(['project', 'cluster', '']).optional(),
  builtin: z.boolean().optional(),
  hidden: z.boolean().optional(),
  locked: z.boolean().optional(),
  external: z.boolean().optional(),
  administrative: z.boolean().optional(),
  clusterCreatorDefault: z.boolean().optional(),
  projectCreatorDefault: z.boolean().optional(),
  roleTemplateNames: z.array(z.string()).optional(),
  rules: z.array(PolicyRuleSchema).optional(),
  externalRules: z.array(PolicyRuleSchema).optional(),
});
export type RoleTemplate = z.infer<typeof RoleTemplateSchema>;

/** `management.cattle.io/v3` RoleTemplate in a create body. */
export const RoleTemplateCreateSchema = RoleTemplateSchema.extend({ metadata: CreateObjectMetaSchema });

/**
 * `management.cattle.io/v3` Project. Its namespace is the id of the cluster it belongs to, and
 * `status.backingNamespace` names the namespace that contains its role template bindings.
 */
export const ProjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  spec: z
    .looseObject({
      clusterName: z.string().min(1),
      displayName: z.string(),
      description: z.string().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      backingNamespace: z.string().optional(),
      conditions: z.array(RancherConditionSchema).optional(),
    })
    .optional(),
});
export type Project = z.infer<typeof ProjectSchema>;

/** `management.cattle.io/v3` Project in a create body (`generateName: "p-"` is the usual practice). */
export const ProjectCreateSchema = ProjectSchema.extend({ metadata: CreateObjectMetaSchema });

/**
 * `management.cattle.io/v3` ClusterRoleTemplateBinding: grants a role template in one cluster.
 * `clusterName` and `roleTemplateName` are required, and the namespace equals `clusterName`.
 */
export const ClusterRoleTemplateBindingSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  clusterName: z.string().min(1),
  roleTemplateName: z.string().min(1),
  userName: z.string().optional(),
  userPrincipalName: z.string().optional(),
  groupName: z.string().optional(),
  groupPrincipalName: z.string().optional(),
  status: BindingStatusSchema.optional(),
});
export type ClusterRoleTemplateBinding = z.infer<typeof ClusterRoleTemplateBindingSchema>;

/** `management.cattle.io/v3` ClusterRoleTemplateBinding in a create body. */
export const ClusterRoleTemplateBindingCreateSchema = ClusterRoleTemplateBindingSchema.extend({
  metadata: CreateObjectMetaSchema,
});

/**
 * `management.cattle.io/v3` ProjectRoleTemplateBinding: grants a role template in one project.
 * `projectName` (`<clusterId>:<projectId>`) and `roleTemplateName` are required. The object lives
 * in the project's backing namespace and has no `status`.
 */
export const ProjectRoleTemplateBindingSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  projectName: z.string().min(1),
  roleTemplateName: z.string().min(1),
  userName: z.string().optional(),
  userPrincipalName: z.string().optional(),
  groupName: z.string().optional(),
  groupPrincipalName: z.string().optional(),
  serviceAccount: z.string().optional(),
});
export type ProjectRoleTemplateBinding = z.infer<typeof ProjectRoleTemplateBindingSchema>;

/** `management.cattle.io/v3` ProjectRoleTemplateBinding in a create body. */
export const ProjectRoleTemplateBindingCreateSchema = ProjectRoleTemplateBindingSchema.extend({
  metadata: CreateObjectMetaSchema,
});

// ---------------------------------------------------------------------------
// ext.cattle.io/v1 (served by Rancher's extension API server)
// ---------------------------------------------------------------------------

/** The principal that owns an ext Token; `name` is the principal id such as `local://u-7fk2m`. */
export const TokenPrincipalSchema = z.looseObject({
  name: z.string().min(1),
  displayName: z.string().optional(),
  loginName: z.string().optional(),
  principalType: z.string().optional(),
  provider: z.string().optional(),
  me: z.boolean().optional(),
  memberOf: z.boolean().optional(),
  profilePicture: z.string().optional(),
  profileURL: z.string().optional(),
  extraInfo: z.record(z.string(), z.string()).optional(),
});

const TokenSpecFields = {
  userID: z.string().optional(),
  clusterName: z.string().optional(),
  description: z.string().optional(),
  kind: z.string().optional(),
  /** Lifetime in milliseconds: a negative value never expires, 0 takes the server default. */
  ttl: z.number().int().optional(),
  enabled: z.boolean().optional(),
};

/**
 * `ext.cattle.io/v1` Token as Rancher returns it. `status.value` and `status.bearerToken` carry
 * the secret and appear only in the create response.
 */
export const TokenSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  spec: z.looseObject({ ...TokenSpecFields, userPrincipal: TokenPrincipalSchema }),
  status: z.looseObject({
    current: z.boolean(),
    expired: z.boolean(),
    /** An RFC 3339 time, or the empty string when the token never expires. */
    expiresAt: z.string(),
    lastUpdateTime: z.string(),
    lastUsedAt: z.string().optional(),
    lastActivitySeen: z.string().optional(),
    hash: z.string().optional(),
    value: z.string().optional(),
    bearerToken: z.string().optional(),
  }),
});
export type Token = z.infer<typeof TokenSchema>;

/**
 * `ext.cattle.io/v1` Token in a create body. Rancher generates the name and fills in the owner
 * and `status`, so only `spec` is required here.
 */
export const TokenCreateSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema.partial().optional(),
  spec: z.looseObject({ ...TokenSpecFields, userPrincipal: TokenPrincipalSchema.optional() }),
});

/** `ext.cattle.io/v1` Kubeconfig. `status.value` contains the generated kubeconfig text. */
export const KubeconfigSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  spec: z
    .looseObject({
      clusters: z.array(z.string()).optional(),
      currentContext: z.string().optional(),
      description: z.string().optional(),
      /** Lifetime in seconds, unlike Token's milliseconds. */
      ttl: z.number().int().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      summary: z.string().optional(),
      tokens: z.array(z.string()).optional(),
      value: z.string().optional(),
      conditions: z.array(ConditionSchema).optional(),
    })
    .optional(),
});
export type Kubeconfig = z.infer<typeof KubeconfigSchema>;

/** `ext.cattle.io/v1` Kubeconfig in a create body; Rancher generates the name. */
export const KubeconfigCreateSchema = KubeconfigSchema.extend({ metadata: ObjectMetaSchema.partial().optional() });

// ---------------------------------------------------------------------------
// auditlog.cattle.io/v1
// ---------------------------------------------------------------------------

const AuditVerbositySectionSchema = z.looseObject({
  body: z.boolean().optional(),
  headers: z.boolean().optional(),
});

/** `auditlog.cattle.io/v1` AuditPolicy; `spec.enabled` is required. */
export const AuditPolicySchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema,
  spec: z.looseObject({
    enabled: z.boolean(),
    filters: z.array(z.looseObject({ action: z.string().optional(), requestURI: z.string().optional() })).optional(),
    additionalRedactions: z
      .array(z.looseObject({ headers: z.array(z.string()).optional(), paths: z.array(z.string()).optional() }))
      .optional(),
    verbosity: z
      .looseObject({
        level: z.number().int(),
        request: AuditVerbositySectionSchema.optional(),
        response: AuditVerbositySectionSchema.optional(),
      })
      .optional(),
  }),
  status: z.looseObject({ conditions: z.array(ConditionSchema).optional() }).optional(),
});
export type AuditPolicy = z.infer<typeof AuditPolicySchema>;

/** `auditlog.cattle.io/v1` AuditPolicy in a create body. */
export const AuditPolicyCreateSchema = AuditPolicySchema.extend({ metadata: CreateObjectMetaSchema });

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

export const UserListSchema = listOf(UserSchema);
export const GlobalRoleListSchema = listOf(GlobalRoleSchema);
export const GlobalRoleBindingListSchema = listOf(GlobalRoleBindingSchema);
export const RoleTemplateListSchema = listOf(RoleTemplateSchema);
export const ProjectListSchema = listOf(ProjectSchema);
export const ClusterRoleTemplateBindingListSchema = listOf(ClusterRoleTemplateBindingSchema);
export const ProjectRoleTemplateBindingListSchema = listOf(ProjectRoleTemplateBindingSchema);
export const AuditPolicyListSchema = listOf(AuditPolicySchema);
/** The extension API server always sends list metadata, so the `ext.cattle.io` lists require it. */
export const TokenListSchema = listOf(TokenSchema).extend({ metadata: ListMetaSchema });
export const KubeconfigListSchema = listOf(KubeconfigSchema).extend({ metadata: ListMetaSchema });
