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
});
export type GlobalRoleBinding = z.infer<typeof GlobalRoleBindingSchema>;
