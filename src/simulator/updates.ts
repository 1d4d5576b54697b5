/**
 * Updates (PUT) and patches (PATCH) of whole objects and of their `/status` subresource, with
 * kube-apiserver's optimistic concurrency. A PUT must carry the object's current
 * `metadata.resourceVersion` and gets 409 `Conflict` when it is stale. A patch that sets one is
 * checked the same way.
 *
 * A request to the main resource keeps the stored status when the type has a status
 * subresource, and a request to `/status` changes nothing but the status.
 */
import jsonPatch from 'fast-json-patch';
import { checkNamespace, checkObjectType, findVisible, presentObject, rejectDryRun, requesterOf, type Operation, type OperationRequest } from './operations.js';
import type { ResourceType } from './resources.js';
import { badRequest, conflict, invalid, SimulatorResponseError, unsupportedMediaType, type StatusCause } from './status.js';
import type { StoredObject } from './store.js';
import { fieldAt, hasStatusSubresource, hooksOf, rejectInvalid, type DraftObject } from './type-hooks.js';

/** Media types a PATCH accepts; the extension API server also takes strategic merge patches. */
const mergePatch = 'application/merge-patch+json';
const jsonPatchType = 'application/json-patch+json';
const strategicMergePatch = 'application/strategic-merge-patch+json';
const applyPatch = 'application/apply-patch+yaml';

/** Replaces an object, or its status for `/status` requests. */
export const updateOperation: Operation = async (request) => {
  rejectDryRun(request.query);
  const current = findVisible(request);
  const body = checkObjectType(await request.readBody(), request.resource);
  return applyUpdate(request, current, body, 'update');
};

/**
 * Patches an object with a JSON merge patch (RFC 7396) or a JSON Patch (RFC 6902), then stores
 * the result with the same checks as an update.
 */
export const patchOperation: Operation = async (request) => {
  rejectDryRun(request.query);
  const current = findVisible(request);
  const raw = request.readRawBody ? await request.readRawBody() : undefined;
  if (raw === undefined || raw.text.trim() === '') {
    throw new SimulatorResponseError(badRequest('the patch body is empty'));
  }

  const patched = applyPatchDocument(request.resource, current, raw.mediaType, raw.text);
  const metadata = patched.metadata as unknown;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new SimulatorResponseError(invalid(request.resource, current.metadata.name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: metadata must be an object', field: 'metadata' }]));
  }
  return applyUpdate(request, current, checkObjectType(patched, request.resource), 'patch');
};

function applyPatchDocument(resource: ResourceType, current: StoredObject, mediaType: string, text: string): Record<string, unknown> {
  const accepted = resource.group === 'ext.cattle.io' ? [jsonPatchType, mergePatch, strategicMergePatch, applyPatch] : [jsonPatchType, mergePatch, applyPatch];
  if (!accepted.includes(mediaType)) {
    throw new SimulatorResponseError(unsupportedMediaType(mediaType, accepted));
  }
  if (mediaType === applyPatch) {
    // TODO(simulator): server-side apply — no client of this project sends apply patches yet.
    throw new SimulatorResponseError(unsupportedMediaType(mediaType, accepted.filter((type) => type !== applyPatch)));
  }

  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (error) {
    throw new SimulatorResponseError(badRequest(`the patch is not valid JSON: ${(error as Error).message}`));
  }

  if (mediaType === jsonPatchType) {
    return applyJsonPatch(resource, current, patch);
  }
  // NOTE: a strategic merge patch is applied as a JSON merge patch. The two differ only for lists
  // with merge keys, which the token fields clients patch (spec.enabled, spec.ttl) do not have.
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new SimulatorResponseError(badRequest('a merge patch must be a JSON object'));
  }
  return applyMergePatch(current, patch) as Record<string, unknown>;
}

function applyJsonPatch(resource: ResourceType, current: StoredObject, patch: unknown): Record<string, unknown> {
  if (!Array.isArray(patch)) {
    throw new SimulatorResponseError(badRequest('a JSON Patch must be a JSON array of operations'));
  }
  try {
    return jsonPatch.applyPatch(structuredClone(current), patch as jsonPatch.Operation[], true, true).newDocument as Record<string, unknown>;
  } catch (error) {
    if (error instanceof jsonPatch.JsonPatchError) {
      const message = error.message.split('\n')[0] ?? error.name;
      throw new SimulatorResponseError(
        invalid(resource, current.metadata.name, [{ reason: 'FieldValueInvalid', message: `the JSON Patch could not be applied: ${message}`, field: '' }]),
      );
    }
    throw error;
  }
}

/** Applies an RFC 7396 merge patch: objects merge recursively, `null` removes a field, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return structuredClone(patch);
  }

  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}

/**
 * Checks and stores the new state of an object. `verb` changes only the wording of errors: an
 * update must carry a resourceVersion, a patch inherits the current one.
 */
function applyUpdate(request: OperationRequest, current: StoredObject, body: DraftObject, verb: 'update' | 'patch'): { status: number; body: unknown } {
  const { context, resource } = request;
  const hooks = hooksOf(resource);
  const requester = requesterOf(request);
  const metadata = body.metadata;

  const bodyName = metadata.name;
  if (bodyName !== undefined && bodyName !== '' && bodyName !== current.metadata.name) {
    throw new SimulatorResponseError(badRequest(`the name of the object (${String(bodyName)}) does not match the name on the URL (${current.metadata.name})`));
  }
  checkNamespace(resource, metadata, current.metadata.namespace);

  const resourceVersion = metadata.resourceVersion;
  if (verb === 'update' && (resourceVersion === undefined || resourceVersion === '')) {
    throw new SimulatorResponseError(
      invalid(resource, current.metadata.name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }]),
    );
  }
  if (resourceVersion !== undefined && resourceVersion !== '' && resourceVersion !== current.metadata.resourceVersion) {
    throw new SimulatorResponseError(conflict(resource, current.metadata.name));
  }

  const next = mergeWritableParts(resource, current, body, request.subresource === 'status', hooks.serverOwnedStatus === true);
  const causes = [...immutableFieldCauses(current, next, hooks.immutable ?? [], false), ...immutableFieldCauses(current, next, hooks.setOnce ?? [], true)];
  rejectInvalid(resource, current.metadata.name, causes);
  rejectInvalid(resource, current.metadata.name, hooks.validate?.(next) ?? []);
  hooks.admit?.(context, next, current, requester);

  // kube-apiserver skips the write, and keeps the resourceVersion, when nothing changed.
  if (sameContent(current, next as unknown as StoredObject)) {
    return { status: 200, body: presentObject(context, resource, current, requester) };
  }

  const updated = context.store.update(resource, next as unknown as StoredObject, specChanged(current, next));
  return { status: 200, body: presentObject(context, resource, updated, requester) };
}

/**
 * Builds the stored form of an update: server-owned metadata comes from the stored object, and
 * so does the status or everything but the status, depending on which part the request may write.
 */
function mergeWritableParts(resource: ResourceType, current: StoredObject, body: DraftObject, statusRequest: boolean, serverOwnedStatus: boolean): DraftObject {
  const serverMetadata = {
    name: current.metadata.name,
    ...(current.metadata.namespace === undefined ? {} : { namespace: current.metadata.namespace }),
    uid: current.metadata.uid,
    resourceVersion: current.metadata.resourceVersion,
    generation: current.metadata.generation,
    creationTimestamp: current.metadata.creationTimestamp,
  };

  if (statusRequest) {
    const next = structuredClone(current) as unknown as DraftObject;
    if (body.status === undefined) {
      delete next.status;
    } else {
      next.status = structuredClone(body.status);
    }
    return next;
  }

  const next = structuredClone(body);
  const clientMetadata: Record<string, unknown> = { ...next.metadata };
  for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) {
    delete clientMetadata[field];
  }
  next.metadata = { ...clientMetadata, ...serverMetadata };
  if (current.metadata.generateName !== undefined && next.metadata.generateName === undefined) {
    next.metadata.generateName = current.metadata.generateName;
  }

  if (hasStatusSubresource(resource) || serverOwnedStatus) {
    if (current.status === undefined) {
      delete next.status;
    } else {
      next.status = structuredClone(current.status);
    }
  }
  return next;
}

function immutableFieldCauses(current: StoredObject, next: DraftObject, paths: readonly string[], setOnce: boolean): StatusCause[] {
  return paths
    .filter((path) => {
      const before = fieldAt(current, path);
      const after = fieldAt(next, path);
      if (setOnce && (before === undefined || before === '')) {
        return false;
      }
      return JSON.stringify(before) !== JSON.stringify(after);
    })
    .map((path) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(fieldAt(next, path) ?? null)}: field is immutable`, field: path }));
}

function withoutVolatileFields(object: Record<string, unknown>): string {
  const copy = structuredClone(object);
  const metadata = copy.metadata as Record<string, unknown>;
  delete metadata.resourceVersion;
  delete metadata.generation;
  return stableStringify(copy);
}

function sameContent(current: StoredObject, next: StoredObject): boolean {
  return withoutVolatileFields(current) === withoutVolatileFields(next);
}

/** Returns whether anything outside `metadata` and `status` changed, which moves `generation`. */
function specChanged(current: StoredObject, next: DraftObject): boolean {
  const withoutMetadataAndStatus = (object: Record<string, unknown>): string => {
    const copy = { ...object };
    delete copy.metadata;
    delete copy.status;
    return stableStringify(copy);
  };
  return withoutMetadataAndStatus(current) !== withoutMetadataAndStatus(next);
}

/** JSON with object keys sorted, so that key order does not count as a change. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return item;
    }
    const entries = Object.entries(item);
    entries.sort(([left], [right]) => left.localeCompare(right, 'en'));
    return Object.fromEntries(entries);
  });
}
