/**
 * Generic Kubernetes operations over any resource type in the store: list, get, create, delete
 * and collection delete. Updates and patches live in `updates.ts`, watches in `watch.ts`.
 * Per-type behaviour (validation, admission webhooks, controllers) comes from `type-hooks.ts`.
 */
import './type-registrations.js';
import { listPage, parseListQuery, type ListEnvelope } from './list.js';
import type { SeededRandom } from './random.js';
import { allResourceTypes, apiVersionOf, type ResourceType } from './resources.js';
import { alreadyExists, badRequest, conflict, deleted, deletedCollection, invalid, notFound, SimulatorResponseError, type SimulatorResponse } from './status.js';
import { formatTimestamp, ObjectExistsError, type NewObject, type ObjectStore, type StoredObject } from './store.js';
import { hasStatusSubresource, hooksOf, rejectInvalid, type DraftObject, type Requester, type SimulatorContext } from './type-hooks.js';

export type { SimulatorContext } from './type-hooks.js';

/** One authenticated request, resolved to a resource type and, for object paths, a name. */
export interface OperationRequest {
  context: SimulatorContext;
  resource: ResourceType;
  name?: string;
  namespace?: string;
  /** `status` for requests to the `/status` subresource. */
  subresource?: 'status';
  query: URLSearchParams;
  /** The `metadata.name` of the user the bearer token belongs to. */
  userId: string;
  /** Name of the API key that authenticated the request, when known. */
  tokenName?: string;
  /** Reads and parses the JSON body; rejects an empty body with 400. */
  readBody(): Promise<unknown>;
  /**
   * Reads the body as text with its media type (parameters removed), or `undefined` when the
   * request has no body. Handlers that accept several media types, such as PATCH, use this.
   */
  readRawBody?(): Promise<{ mediaType: string; text: string } | undefined>;
}

/** A handler for one method on one route. */
export type Operation = (request: OperationRequest) => SimulatorResponse | Promise<SimulatorResponse>;

// Fields the server owns: a client's values are dropped on create, as kube-apiserver does.
const serverOwnedMetadata = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];
const rfc1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxNameLength = 253;
// kube-apiserver cuts a generateName prefix to 58 characters so that prefix + 5 fits in 63.
const maxGenerateNamePrefix = 58;

/**
 * Rejects `dryRun`, so that a client never mistakes a stored write for a dry run.
 * TODO(simulator): run dry-run writes through validation and admission without storing them;
 * kubeconfig admission creates a token, so it would need a way to skip that side effect.
 */
export function rejectDryRun(query: URLSearchParams): void {
  const dryRun = query.get('dryRun');
  if (dryRun !== null && dryRun !== '') {
    throw new SimulatorResponseError(badRequest(`dryRun=${dryRun} is not supported by the simulator; send the request without dryRun`));
  }
}

/** Returns the requester of an operation request. */
export function requesterOf(request: Pick<OperationRequest, 'userId' | 'tokenName'>): Requester {
  return request.tokenName === undefined ? { userId: request.userId } : { userId: request.userId, tokenName: request.tokenName };
}

/** Returns an object as shown to the requester, after the type's `present` hook. */
export function presentObject(context: SimulatorContext, resource: ResourceType, object: StoredObject, requester: Requester): StoredObject {
  const present = hooksOf(resource).present;
  return present ? present(context, object, requester) : object;
}

/** Returns whether the requester may see an object, after the type's `visible` hook. */
export function isVisible(context: SimulatorContext, resource: ResourceType, object: StoredObject, requester: Requester): boolean {
  const visible = hooksOf(resource).visible;
  return visible ? visible(context, object, requester) : true;
}

/** Lists a collection with selectors and paging; `watch=true` is routed to the watch handler before this. */
export const listOperation: Operation = (request) => {
  const { context, resource, namespace, query } = request;
  const requester = requesterOf(request);
  const listQuery = parseListQuery(query);
  const envelope: ListEnvelope = listPage(context.store, resource, listQuery, namespace, (object) => isVisible(context, resource, object, requester));
  envelope.items = envelope.items.map((item) => presentObject(context, resource, item, requester));
  return { status: 200, body: envelope };
};

/** Returns one object (or its status subresource, which has the same shape), or a 404 `NotFound` status. */
export const getOperation: Operation = (request) => {
  const { context, resource } = request;
  const object = findVisible(request);
  return { status: 200, body: presentObject(context, resource, object, requesterOf(request)) };
};

/**
 * Creates an object: 400 for a body that is not an object of this type, 422 for invalid fields,
 * type-specific admission errors, 409 when the name is taken, otherwise 201 with the object.
 */
export const createOperation: Operation = async (request) => {
  const { context, resource, namespace } = request;
  const requester = requesterOf(request);
  const hooks = hooksOf(resource);
  rejectDryRun(request.query);
  const object = checkObjectType(await request.readBody(), resource);
  const metadata = object.metadata;
  for (const field of serverOwnedMetadata) {
    delete metadata[field];
  }
  checkNamespace(resource, metadata, namespace);
  if (resource.namespaced && namespace !== undefined) {
    metadata.namespace = namespace;
  }
  // With a status subresource, and for types whose status only the server writes, a create
  // ignores the client's status, as kube-apiserver does.
  if (hasStatusSubresource(resource) || hooks.serverOwnedStatus) {
    delete object.status;
  }

  hooks.prepareCreate?.(context, object, requester);
  assignName(context.random, context.store, resource, object, namespace);
  rejectInvalid(resource, object.metadata.name, hooks.validate?.(object) ?? []);
  hooks.admit?.(context, object, undefined, requester);
  hooks.complete?.(context, object);

  let created: StoredObject;
  try {
    created = context.store.create(resource, object);
  } catch (error) {
    if (error instanceof ObjectExistsError) {
      return alreadyExists(resource, object.metadata.name);
    }
    throw error;
  }

  const shown = presentObject(context, resource, created, requester);
  return { status: 201, body: hooks.createResponse ? hooks.createResponse(context, shown, object) : shown };
};

/**
 * Deletes one object and returns a `Success` status, or a 404 `NotFound` status.
 *
 * The simulator removes the object at once even when it has finalizers, as if Rancher's
 * controllers had finished their cleanup before the response, unless `context.holdFinalizers`
 * is set: then the object stays with a `deletionTimestamp`. So a delete always returns the
 * `Status` the OpenAPI document declares, never the object with a `deletionTimestamp`.
 * Objects whose ownerReferences name the deleted object are deleted too (background cascading).
 */
export const deleteOperation: Operation = async (request) => {
  const { context, resource } = request;
  rejectDryRun(request.query);
  const object = findVisible(request);
  checkDeletePreconditions(resource, object, await readDeleteOptions(request));

  if (context.holdFinalizers && (object.metadata.finalizers?.length ?? 0) > 0) {
    if (!object.metadata.deletionTimestamp) {
      context.store.update(resource, { ...object, metadata: { ...object.metadata, deletionTimestamp: formatTimestamp(context.clock()) } }, false);
    }
    return deleted(resource, object.metadata.name, object.metadata.uid);
  }

  const removed = deleteWithDependents(context, resource, object);
  return deleted(resource, removed.metadata.name, removed.metadata.uid);
};

/** Deletes every object of a collection that matches the label and field selectors. */
export const deleteCollectionOperation: Operation = async (request) => {
  const { context, resource, namespace, query } = request;
  const requester = requesterOf(request);
  rejectDryRun(query);
  await readDeleteOptions(request);

  const listQuery = parseListQuery(query);
  const selected = listPage(context.store, resource, { labelSelector: listQuery.labelSelector, fieldSelector: listQuery.fieldSelector }, namespace, (object) =>
    isVisible(context, resource, object, requester),
  );
  for (const object of selected.items) {
    deleteWithDependents(context, resource, object);
  }
  return deletedCollection(resource);
};

/** Returns the stored object named by the request, or throws a 404 `NotFound` response. */
export function findVisible(request: OperationRequest): StoredObject {
  const { context, resource, namespace } = request;
  const name = requireName(request.name);
  const object = context.store.get(resource, name, namespace);
  if (!object || !isVisible(context, resource, object, requesterOf(request))) {
    throw new SimulatorResponseError(notFound(resource, name));
  }
  return object;
}

function deleteWithDependents(context: SimulatorContext, resource: ResourceType, object: StoredObject): StoredObject {
  const removed = context.store.delete(resource, object.metadata.name, object.metadata.namespace);
  if (!removed) {
    throw new SimulatorResponseError(notFound(resource, object.metadata.name));
  }
  hooksOf(resource).afterDelete?.(context, removed);
  collectGarbage(context, removed.metadata.uid);
  return removed;
}

/** Deletes every object whose ownerReferences name `ownerUid`, and their dependents in turn. */
function collectGarbage(context: SimulatorContext, ownerUid: string): void {
  for (const type of allResourceTypes) {
    for (const { object } of context.store.list(type)) {
      const owners = object.metadata.ownerReferences ?? [];
      if (owners.some((owner) => owner.uid === ownerUid)) {
        deleteWithDependents(context, type, object);
      }
    }
  }
}

interface DeleteOptions {
  preconditions?: { uid?: unknown; resourceVersion?: unknown };
}

async function readDeleteOptions(request: OperationRequest): Promise<DeleteOptions> {
  const raw = request.readRawBody ? await request.readRawBody() : undefined;
  if (raw === undefined || raw.text.trim() === '') {
    return {};
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.text);
  } catch (error) {
    throw new SimulatorResponseError(badRequest(`the DeleteOptions body is not valid JSON: ${(error as Error).message}`));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimulatorResponseError(badRequest('the DeleteOptions body must be a JSON object'));
  }
  return parsed as DeleteOptions;
}

function checkDeletePreconditions(resource: ResourceType, object: StoredObject, options: DeleteOptions): void {
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (typeof uid === 'string' && uid !== '' && uid !== object.metadata.uid) {
    throw new SimulatorResponseError(
      conflict(resource, object.metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${object.metadata.uid}`),
    );
  }
  if (typeof resourceVersion === 'string' && resourceVersion !== '' && resourceVersion !== object.metadata.resourceVersion) {
    throw new SimulatorResponseError(
      conflict(
        resource,
        object.metadata.name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion}`,
      ),
    );
  }
}

/** Returns the name of an object path, or throws for a route bug. */
export function requireName(name: string | undefined): string {
  if (name === undefined) {
    throw new Error('route error: an object operation was called without a name');
  }
  return name;
}

/**
 * Checks that a body is a JSON object with this type's `apiVersion` and `kind` and an object
 * `metadata`, which it creates when absent.
 * @throws {SimulatorResponseError} with 400 `BadRequest` otherwise.
 */
export function checkObjectType(body: unknown, resource: ResourceType): DraftObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SimulatorResponseError(badRequest(`the body must be a JSON object of kind ${resource.kind}`));
  }

  const object = body as Record<string, unknown>;
  const expectedApiVersion = apiVersionOf(resource);
  if (typeof object.kind !== 'string' || object.kind === '') {
    throw new SimulatorResponseError(badRequest(`Object 'Kind' is missing in the request body; expected "${resource.kind}"`));
  }
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') {
    throw new SimulatorResponseError(badRequest(`Object 'apiVersion' is missing in the request body; expected "${expectedApiVersion}"`));
  }
  if (object.apiVersion !== expectedApiVersion || object.kind !== resource.kind) {
    throw new SimulatorResponseError(
      badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedApiVersion}) or kind ${object.kind} is not ${resource.kind}`),
    );
  }

  const metadata = object.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new SimulatorResponseError(badRequest('metadata must be a JSON object'));
  }
  object.metadata = metadata;
  return object as DraftObject;
}

/**
 * Rejects a body whose `metadata.namespace` differs from the namespace in the path, or that
 * names a namespace for a cluster-scoped type.
 */
export function checkNamespace(resource: ResourceType, metadata: Record<string, unknown>, namespace: string | undefined): void {
  const given = metadata.namespace;
  if (given === undefined || given === '') {
    return;
  }
  if (!resource.namespaced) {
    // kube-apiserver clears a namespace on cluster-scoped objects instead of rejecting it.
    delete metadata.namespace;
    return;
  }
  if (given !== namespace) {
    throw new SimulatorResponseError(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
}

/**
 * Sets `metadata.name`, generating it from `generateName` when absent.
 * @throws {SimulatorResponseError} with 422 `Invalid` when neither is given or the name is not an RFC 1123 subdomain.
 */
function assignName(random: SeededRandom, store: ObjectStore, resource: ResourceType, object: NewObject & { metadata: Record<string, unknown> }, namespace: string | undefined): void {
  const { name, generateName } = object.metadata;
  if (typeof name === 'string' && name !== '') {
    checkName(resource, name, 'metadata.name');
    return;
  }

  if (typeof generateName !== 'string' || generateName === '') {
    throw new SimulatorResponseError(
      invalid(resource, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]),
    );
  }

  const prefix = generateName.slice(0, maxGenerateNamePrefix);
  let generated = prefix + random.nameSuffix();
  // kube-apiserver returns 409 on a collision; the simulator retries because its generator is
  // seeded and a test could otherwise hit the same collision every run.
  while (store.has(resource, generated, namespace)) {
    generated = prefix + random.nameSuffix();
  }
  checkName(resource, generated, 'metadata.generateName');
  object.metadata.name = generated;
}

function checkName(resource: ResourceType, name: string, field: string): void {
  if (name.length <= maxNameLength && rfc1123Subdomain.test(name)) {
    return;
  }

  throw new SimulatorResponseError(
    invalid(resource, name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most ${maxNameLength} characters)`,
        field,
      },
    ]),
  );
}
