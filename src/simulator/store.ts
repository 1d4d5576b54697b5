/**
 * The simulator's in-memory object store, one collection per group/version/resource.
 *
 * It assigns what kube-apiserver assigns on write: `metadata.uid`, `creationTimestamp`,
 * `generation` and a `resourceVersion` taken from one counter shared by every collection, so a
 * list's `metadata.resourceVersion` orders all writes. Reads and writes copy objects, so a caller
 * can never change stored state by mutating a returned value.
 *
 * Every write is also kept in a history, the way etcd keeps old revisions until it compacts
 * them. The history lets a continued list read the collection as it was at the list's first
 * page, and lets a watch replay changes after a resourceVersion. Compaction drops history older
 * than `historyLimit` writes, or all of it on `compact()`. Reads at a compacted revision fail
 * with `RevisionCompactedError`, which the API turns into `410 Expired`.
 */
import { EventEmitter } from 'node:events';
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

/** Thrown when a read requests a revision that compaction has dropped from the history. */
export class RevisionCompactedError extends Error {
  readonly requestedRevision: number;
  readonly compactedRevision: number;

  constructor(requestedRevision: number, compactedRevision: number) {
    super(`revision ${requestedRevision} has been compacted; the oldest readable revision is ${compactedRevision}`);
    this.name = 'RevisionCompactedError';
    this.requestedRevision = requestedRevision;
    this.compactedRevision = compactedRevision;
  }
}

/** Thrown when a read requests a revision the store has not reached yet. */
export class FutureRevisionError extends Error {
  readonly requestedRevision: number;

  constructor(requestedRevision: number, currentRevision: number) {
    super(`revision ${requestedRevision} is newer than the current revision ${currentRevision}`);
    this.name = 'FutureRevisionError';
    this.requestedRevision = requestedRevision;
  }
}

/** One write as the history and watchers see it. */
export interface StoreChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  revision: number;
  /** Store key of the resource type, as `resourceKey` returns it. */
  resourceKey: string;
  /** Store key of the object, as `objectKey` returns it. */
  key: string;
  /** The object before the write; absent for `ADDED`. */
  before?: StoredObject;
  /** The object after the write; for `DELETED`, the last state with the deletion's resourceVersion. */
  object: StoredObject;
}

/** Settings of an `ObjectStore`. */
export interface StoreOptions {
  /** Number of writes the history keeps before older revisions are compacted. Default 1000. */
  historyLimit?: number;
}

/** The store's clock; tests replace it to move time. */
export type Clock = () => Date;

const defaultHistoryLimit = 1000;

/** In-memory storage for every resource type, keyed by group/version/resource. */
export class ObjectStore {
  private revision = 0;
  private compacted = 0;
  private readonly collections = new Map<string, Map<string, StoredObject>>();
  private readonly history: StoreChange[] = [];
  private readonly changes = new EventEmitter();
  private readonly random: SeededRandom;
  private readonly clock: Clock;
  private readonly historyLimit: number;

  constructor(random: SeededRandom, clock: Clock, options: StoreOptions = {}) {
    this.random = random;
    this.clock = clock;
    this.historyLimit = options.historyLimit ?? defaultHistoryLimit;
    if (!Number.isInteger(this.historyLimit) || this.historyLimit < 1) {
      throw new RangeError(`historyLimit must be a positive integer, got ${this.historyLimit}`);
    }
    // Every open watch adds one listener, and tests may open many at once.
    this.changes.setMaxListeners(0);
  }

  /** The resourceVersion of the latest write, as a number. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest revision that reads and watches can still start from. */
  get compactedRevision(): number {
    return this.compacted;
  }

  /**
   * Drops the whole history, so that every continue token and watch resourceVersion issued so far
   * is too old. The revision counter moves on by one first, as if an object of some other type had
   * been written, so that even a token taken at the latest revision expires.
   */
  compact(): void {
    this.revision += 1;
    this.compacted = this.revision;
    this.history.length = 0;
  }

  /**
   * Returns copies of a type's objects as they were at `revision`, sorted like `list`.
   * With `copy: false` it returns the stored objects themselves, which the caller must not change;
   * a list copies only the page it sends, instead of every object of the type.
   * @throws {RevisionCompactedError} when the history no longer reaches back to `revision`.
   * @throws {FutureRevisionError} when `revision` is newer than the latest write.
   */
  listAt(resource: ResourceType, revision: number, namespace?: string, options: { copy?: boolean } = {}): { key: string; object: StoredObject }[] {
    if (revision > this.revision) {
      throw new FutureRevisionError(revision, this.revision);
    }
    if (revision < this.compacted) {
      throw new RevisionCompactedError(revision, this.compacted);
    }

    // Start from the current state and undo the writes made after `revision`, newest first.
    const type = resourceKey(resource);
    const objects = new Map(this.collection(resource));
    for (let index = this.history.length - 1; index >= 0; index -= 1) {
      const change = this.history[index];
      if (!change || change.revision <= revision) {
        break;
      }
      if (change.resourceKey !== type) {
        continue;
      }
      if (change.before) {
        objects.set(change.key, change.before);
      } else {
        objects.delete(change.key);
      }
    }

    return [...objects.entries()]
      .filter(([, object]) => namespace === undefined || object.metadata.namespace === namespace)
      .sort(([left], [right]) => compareKeys(left, right))
      .map(([key, object]) => ({ key, object: options.copy === false ? object : structuredClone(object) }));
  }

  /**
   * Returns the changes to a type made after `revision`, oldest first.
   * @throws {RevisionCompactedError} when the history no longer reaches back to `revision`.
   */
  changesSince(resource: ResourceType, revision: number): StoreChange[] {
    if (revision < this.compacted) {
      throw new RevisionCompactedError(revision, this.compacted);
    }
    const type = resourceKey(resource);
    return this.history.filter((change) => change.revision > revision && change.resourceKey === type).map((change) => structuredClone(change));
  }

  /** Calls `listener` with a copy of every later write; returns a function that stops the calls. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    const deliver = (change: StoreChange): void => listener(structuredClone(change));
    this.changes.on('change', deliver);
    return () => {
      this.changes.off('change', deliver);
    };
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
    this.record({ type: 'ADDED', revision: this.revision, resourceKey: resourceKey(resource), key, object });
    return structuredClone(object);
  }

  /**
   * Replaces a stored object and returns a copy with a new resourceVersion. The caller has
   * already merged the server-owned metadata and checked preconditions. `bumpGeneration` tells
   * whether the write changed the object's spec.
   * @throws {Error} when the object does not exist, which is a caller bug.
   */
  update(resource: ResourceType, replacement: StoredObject, bumpGeneration: boolean): StoredObject {
    const collection = this.collection(resource);
    const key = objectKey(resource, replacement.metadata.name, replacement.metadata.namespace);
    const before = collection.get(key);
    if (!before) {
      throw new Error(`store update: ${resourceKey(resource)} object ${key} does not exist`);
    }

    this.revision += 1;
    const object = structuredClone(replacement);
    object.metadata = {
      ...object.metadata,
      uid: before.metadata.uid,
      creationTimestamp: before.metadata.creationTimestamp,
      generation: before.metadata.generation + (bumpGeneration ? 1 : 0),
      resourceVersion: String(this.revision),
    };
    collection.set(key, object);
    this.record({ type: 'MODIFIED', revision: this.revision, resourceKey: resourceKey(resource), key, before, object });
    return structuredClone(object);
  }

  /** Removes an object and returns its last state, or returns `undefined` when it did not exist. */
  delete(resource: ResourceType, name: string, namespace?: string): StoredObject | undefined {
    const collection = this.collection(resource);
    const key = objectKey(resource, name, namespace);
    const before = collection.get(key);
    if (!before) {
      return undefined;
    }

    collection.delete(key);
    this.revision += 1;
    // Watchers receive the deleted object with the resourceVersion of the deletion, as in Kubernetes.
    const object = structuredClone(before);
    object.metadata.resourceVersion = String(this.revision);
    this.record({ type: 'DELETED', revision: this.revision, resourceKey: resourceKey(resource), key, before, object });
    return structuredClone(object);
  }

  /** Returns whether an object of this name could be created without a conflict. */
  has(resource: ResourceType, name: string, namespace?: string): boolean {
    return this.collection(resource).has(objectKey(resource, name, namespace));
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = dropped.at(-1)?.revision ?? this.compacted;
    }
    this.changes.emit('change', change);
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
