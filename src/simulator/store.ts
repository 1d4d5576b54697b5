/**
 * The simulator's in-memory object store, one collection per group/version/resource.
 *
 * It assigns what kube-apiserver assigns on write: `metadata.uid`, `creationTimestamp`,
 * `generation` and a `resourceVersion` taken from one counter shared by every collection, so a
 * list's `metadata.resourceVersion` orders all writes. Reads and writes copy objects, so a caller
 * can never change stored state by mutating a returned value.
 */
import { resourceKey, type ResourceType } from './resources.js';
import type { SeededRandom } from './random.js';

/** Kubernetes `ObjectMeta` as the store fills it. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Record<string, unknown>[];
  [field: string]: unknown;
}

/** A stored Kubernetes object: `apiVersion`, `kind`, `metadata` and any other fields. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** An object as handed to `create`: the store fills the metadata fields it owns. */
export interface NewObject {
  metadata: Partial<ObjectMeta> & { name: string };
  [field: string]: unknown;
}

/** Options for `ObjectStore.create`. */
export interface CreateOptions {
  /** Keep this `creationTimestamp` instead of the clock's time; used for seed data. */
  creationTimestamp?: string;
}

/** Thrown by `ObjectStore.create` when the collection already contains an object of that name. */
export class ObjectExistsError extends Error {
  readonly resource: ResourceType;
  readonly objectName: string;
  readonly namespace: string | undefined;

  constructor(resource: ResourceType, name: string, namespace: string | undefined) {
    super(`${resourceKey(resource)} object ${namespace ? `${namespace}/` : ''}${name} already exists`);
    this.name = 'ObjectExistsError';
    this.resource = resource;
    this.objectName = name;
    this.namespace = namespace;
  }
}

/** The store's clock; tests replace it to move time. */
export type Clock = () => Date;

/** In-memory storage for every resource type, keyed by group/version/resource. */
export class ObjectStore {
  private revision = 0;
  private readonly collections = new Map<string, Map<string, StoredObject>>();
  private readonly random: SeededRandom;
  private readonly clock: Clock;

  constructor(random: SeededRandom, clock: Clock) {
    this.random = random;
    this.clock = clock;
  }

  /** The resourceVersion of the latest write, as a number. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** Returns a copy of one object, or `undefined` when it does not exist. */
  get(resource: ResourceType, name: string, namespace?: string): StoredObject | undefined {
    const stored = this.collection(resource).get(objectKey(resource, name, namespace));
    return stored ? structuredClone(stored) : undefined;
  }

  /**
   * Returns copies of the objects of a type, sorted by their key (`namespace/name`, or `name` for
   * cluster-scoped types), which is the order Kubernetes lists them in. With `namespace`, only
   * that namespace's objects are returned.
   */
  list(resource: ResourceType, namespace?: string): { key: string; object: StoredObject }[] {
    const entries = [...this.collection(resource).entries()]
      .filter(([, object]) => namespace === undefined || object.metadata.namespace === namespace)
      .sort(([left], [right]) => compareKeys(left, right));
    return entries.map(([key, object]) => ({ key, object: structuredClone(object) }));
  }

  /**
   * Stores a new object and returns a copy of it with uid, resourceVersion, generation and
   * creationTimestamp filled in.
   * @throws {ObjectExistsError} when an object with that name (and namespace) exists.
   */
  create(resource: ResourceType, input: NewObject, options: CreateOptions = {}): StoredObject {
    const collection = this.collection(resource);
    const namespace = resource.namespaced ? input.metadata.namespace : undefined;
    const key = objectKey(resource, input.metadata.name, namespace);
    if (collection.has(key)) {
      throw new ObjectExistsError(resource, input.metadata.name, namespace);
    }

    this.revision += 1;
    const object = structuredClone(input) as unknown as StoredObject;
    // The store owns uid, resourceVersion, generation and creationTimestamp, so input values
    // are dropped; keys follow the order kube-apiserver writes them in.
    const rest: Record<string, unknown> = { ...object.metadata };
    for (const field of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp']) {
      delete rest[field];
    }
    const { generateName } = object.metadata;
    object.metadata = {
      name: input.metadata.name,
      ...(generateName === undefined ? {} : { generateName }),
      ...(namespace === undefined ? {} : { namespace }),
      uid: this.random.uuid(),
      resourceVersion: String(this.revision),
      generation: 1,
      creationTimestamp: options.creationTimestamp ?? formatTimestamp(this.clock()),
      ...rest,
    };
    collection.set(key, object);
    return structuredClone(object);
  }

  /** Removes an object and returns it, or returns `undefined` when it did not exist. */
  delete(resource: ResourceType, name: string, namespace?: string): StoredObject | undefined {
    const collection = this.collection(resource);
    const key = objectKey(resource, name, namespace);
    const object = collection.get(key);
    if (!object) {
      return undefined;
    }

    collection.delete(key);
    this.revision += 1;
    return object;
  }

  /** Returns whether an object of this name could be created without a conflict. */
  has(resource: ResourceType, name: string, namespace?: string): boolean {
    return this.collection(resource).has(objectKey(resource, name, namespace));
  }

  private collection(resource: ResourceType): Map<string, StoredObject> {
    const key = resourceKey(resource);
    let collection = this.collections.get(key);
    if (!collection) {
      collection = new Map();
      this.collections.set(key, collection);
    }
    return collection;
  }
}

/** Returns the key an object is stored and sorted under: `namespace/name` or `name`. */
export function objectKey(resource: ResourceType, name: string, namespace?: string): string {
  return resource.namespaced ? `${namespace ?? ''}/${name}` : name;
}

/** Orders keys by UTF-16 code units, as etcd orders keys by bytes for the ASCII names Kubernetes allows. */
export function compareKeys(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}

/** Formats a time the way Kubernetes writes `metav1.Time`: RFC 3339 in UTC, whole seconds. */
export function formatTimestamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
