/**
 * Generic Kubernetes operations (list, get, create, delete) over any resource type in the store,
 * plus per-type hooks that play the part of CRD validation, admission webhooks and controllers.
 */
import { admitGlobalRoleBinding, completeGlobalRoleBinding, validateGlobalRoleBinding } from './global-role-bindings.js';
import { listPage, parseListQuery } from './list.js';
import type { SeededRandom } from './random.js';
import { apiVersionOf, globalRoleBindingsResource, resourceKey, type ResourceType } from './resources.js';
import { alreadyExists, badRequest, deleted, invalid, notFound, SimulatorResponseError, type SimulatorResponse } from './status.js';
import { ObjectExistsError, type Clock, type NewObject, type ObjectStore } from './store.js';

/** Shared state every operation works on. */
export interface SimulatorContext {
  store: ObjectStore;
  random: SeededRandom;
  clock: Clock;
}

/** One authenticated request, resolved to a resource type and, for object paths, a name. */
export interface OperationRequest {
  context: SimulatorContext;
  resource: ResourceType;
  name?: string;
  namespace?: string;
  query: URLSearchParams;
  /** The `metadata.name` of the user the bearer token belongs to. */
  userId: string;
  /** Reads and parses the JSON body. */
  readBody(): Promise<unknown>;
}

/** A handler for one method on one route. */
export type Operation = (request: OperationRequest) => SimulatorResponse | Promise<SimulatorResponse>;

/** Type-specific steps of a create, in the order kube-apiserver runs them. */
export interface CreateHooks {
  /** Schema validation; throws a 422 response. */
  validate?(object: NewObject): void;
  /** Admission webhooks; may mutate the object or throw a 4xx response. */
  admit?(store: ObjectStore, object: NewObject): void;
  /** Changes Rancher's controllers make right after the write, applied here before storing. */
  complete?(object: NewObject, now: Date): void;
}

const createHooks = new Map<string, CreateHooks>([
  [
    resourceKey(globalRoleBindingsResource),
    { validate: validateGlobalRoleBinding, admit: admitGlobalRoleBinding, complete: completeGlobalRoleBinding },
  ],
]);

// Fields the server owns: a client's values are dropped on create, as kube-apiserver does.
const serverOwnedMetadata = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];
const rfc1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxNameLength = 253;
// kube-apiserver cuts a generateName prefix to 58 characters so that prefix + 5 fits in 63.
const maxGenerateNamePrefix = 58;

/** Lists a collection with selectors and paging. */
export const listOperation: Operation = ({ context, resource, namespace, query }) => {
  const listQuery = parseListQuery(query);
  return { status: 200, body: listPage(context.store, resource, listQuery, namespace) };
};

/** Returns one object, or a 404 `NotFound` status. */
export const getOperation: Operation = ({ context, resource, name, namespace }) => {
  const object = context.store.get(resource, requireName(name), namespace);
  if (!object) {
    return notFound(resource, requireName(name));
  }
  return { status: 200, body: object };
};

/**
 * Creates an object: 400 for a body that is not an object of this type, 422 for invalid fields,
 * type-specific admission errors, 409 when the name is taken, otherwise 201 with the object.
 */
export const createOperation: Operation = async ({ context, resource, namespace, readBody }) => {
  const body = await readBody();
  const object = checkObjectType(body, resource);
  const metadata = object.metadata as Record<string, unknown>;
  for (const field of serverOwnedMetadata) {
    delete metadata[field];
  }
  if (resource.namespaced && namespace !== undefined) {
    metadata.namespace = namespace;
  }

  assignName(context.random, context.store, resource, object, namespace);
  const hooks = createHooks.get(resourceKey(resource));
  hooks?.validate?.(object);
  hooks?.admit?.(context.store, object);
  hooks?.complete?.(object, context.clock());

  try {
    return { status: 201, body: context.store.create(resource, object) };
  } catch (error) {
    if (error instanceof ObjectExistsError) {
      return alreadyExists(resource, object.metadata.name);
    }
    throw error;
  }
};

/** Deletes one object and returns a `Success` status, or a 404 `NotFound` status. */
export const deleteOperation: Operation = ({ context, resource, name, namespace }) => {
  const removed = context.store.delete(resource, requireName(name), namespace);
  if (!removed) {
    return notFound(resource, requireName(name));
  }
  return deleted(resource, removed.metadata.name, removed.metadata.uid);
};

function requireName(name: string | undefined): string {
  if (name === undefined) {
    throw new Error('route error: an object operation was called without a name');
  }
  return name;
}

function checkObjectType(body: unknown, resource: ResourceType): NewObject & { metadata: Record<string, unknown> } {
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
  return object as NewObject & { metadata: Record<string, unknown> };
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
