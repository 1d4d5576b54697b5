/**
 * Per-type behaviour that the generic operations call: the CRD schema's required and immutable
 * fields, Rancher's admission webhooks, what its controllers add after a write, and how an object
 * is shown to the caller. Types without an entry get plain Kubernetes semantics.
 */
import { catalog } from '../rancher/catalog.js';
import type { SeededRandom } from './random.js';
import { resourceKey, type ResourceType } from './resources.js';
import { invalid, SimulatorResponseError, type StatusCause } from './status.js';
import type { Clock, NewObject, ObjectStore, StoredObject } from './store.js';

/** Shared state every operation works on. */
export interface SimulatorContext {
  store: ObjectStore;
  random: SeededRandom;
  clock: Clock;
  /** `https://host:port` of the running server, written into kubeconfigs. */
  serverUrl?: string;
  /**
   * Keep deleted objects that have finalizers, with a `deletionTimestamp`, as Rancher does while
   * its controllers still clean up. Off by default: deletes then remove objects at once.
   */
  holdFinalizers?: boolean;
}

/** The sender of a request: the user and the name of the API key that authenticated it. */
export interface Requester {
  userId: string;
  /** Name of the key (`token-xxxxx`) that authenticated the request, when known. */
  tokenName?: string;
}

/** An object on its way into the store, before the store fills uid, resourceVersion and timestamps. */
export type DraftObject = NewObject & { apiVersion: string; kind: string; metadata: NewObject['metadata'] & Record<string, unknown> };

/** Type-specific steps, in the order kube-apiserver and Rancher run them. */
export interface TypeHooks {
  /**
   * Field paths (dot-separated) that may never change after create. A field listed in `setOnce`
   * may go from empty to a value once, and is immutable from then on.
   */
  immutable?: readonly string[];
  setOnce?: readonly string[];
  /** Whether clients can never write `status`; used by types that Rancher's own API server serves. */
  serverOwnedStatus?: boolean;
  /** Runs before the name is assigned on create, e.g. to force a generated name. */
  prepareCreate?(context: SimulatorContext, object: DraftObject, requester: Requester): void;
  /** Schema validation on create and update; returns the failed fields for a 422 response. */
  validate?(object: DraftObject): StatusCause[];
  /** Admission webhooks on create (`old` undefined) and update; throw a 4xx response to deny. */
  admit?(context: SimulatorContext, object: DraftObject, old: StoredObject | undefined, requester: Requester): void;
  /** Changes Rancher's controllers make right after a create, applied before storing. */
  complete?(context: SimulatorContext, object: DraftObject): void;
  /** Adds what only the create response contains, such as a token's secret. */
  createResponse?(context: SimulatorContext, created: StoredObject, draft: DraftObject): StoredObject;
  /** Runs after an object was deleted, e.g. to delete what it owns. */
  afterDelete?(context: SimulatorContext, deleted: StoredObject): void;
  /** Whether the requester may see the object; invisible objects are missing from lists and 404 on get. */
  visible?(context: SimulatorContext, object: StoredObject, requester: Requester): boolean;
  /** Returns the object as shown to the requester, e.g. with computed status fields. */
  present?(context: SimulatorContext, object: StoredObject, requester: Requester): StoredObject;
}

const registry = new Map<string, TypeHooks>();

/** Registers the hooks of a type; a second registration replaces the first. */
export function registerTypeHooks(resource: ResourceType, hooks: TypeHooks): void {
  registry.set(resourceKey(resource), hooks);
}

/** Returns the hooks of a type, or an empty set of hooks. */
export function hooksOf(resource: ResourceType): TypeHooks {
  return registry.get(resourceKey(resource)) ?? {};
}

/** Returns whether the OpenAPI catalog publishes a `/status` subresource for the type. */
export function hasStatusSubresource(resource: ResourceType): boolean {
  return catalog.some((operation) => operation.group === resource.group && operation.resource === resource.plural && operation.subresource === 'status');
}

/** Reads a dot-separated field path such as `spec.clusterName`. */
export function fieldAt(object: Record<string, unknown>, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Returns a `FieldValueRequired` cause for each path whose value is missing or an empty string. */
export function requiredFields(object: Record<string, unknown>, paths: readonly string[]): StatusCause[] {
  return paths
    .filter((path) => {
      const value = fieldAt(object, path);
      return value === undefined || value === null || value === '';
    })
    .map((path) => ({ reason: 'FieldValueRequired', message: 'Required value', field: path }));
}

/** Returns a `FieldValueTypeInvalid` cause for each path whose value is present but not a string. */
export function stringFields(object: Record<string, unknown>, paths: readonly string[]): StatusCause[] {
  return paths
    .filter((path) => {
      const value = fieldAt(object, path);
      return value !== undefined && value !== null && typeof value !== 'string';
    })
    .map((path) => ({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${typeof fieldAt(object, path)}": ${path} in body must be of type string`, field: path }));
}

/** Throws a 422 `Invalid` response when `causes` is not empty. */
export function rejectInvalid(resource: ResourceType, name: string, causes: StatusCause[]): void {
  if (causes.length > 0) {
    throw new SimulatorResponseError(invalid(resource, name, causes));
  }
}
