/**
 * A minimal `Reflect` metadata polyfill, loaded before `@peculiar/x509`.
 *
 * `@peculiar/x509` 2.x uses tsyringe, which throws at import time unless `Reflect.getMetadata`
 * exists, and the library leaves the choice of polyfill to the application. tsyringe 4.10 calls
 * only `defineMetadata`, `getMetadata` and `getOwnMetadata`, so this module supplies those three
 * and leaves an existing implementation (such as the `reflect-metadata` package) in place.
 */

type MetadataTarget = object;
type MetadataTable = Map<unknown, unknown>;

interface ReflectMetadataApi {
  defineMetadata(key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol): void;
  getOwnMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
  getMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadataApi>;

if (typeof reflect.getMetadata !== 'function') {
  const tables = new WeakMap<MetadataTarget, Map<string | symbol | undefined, MetadataTable>>();

  const ownTable = (target: MetadataTarget, property: string | symbol | undefined, create: boolean): MetadataTable | undefined => {
    let byProperty = tables.get(target);
    if (!byProperty && create) {
      byProperty = new Map();
      tables.set(target, byProperty);
    }
    let table = byProperty?.get(property);
    if (!table && create && byProperty) {
      table = new Map();
      byProperty.set(property, table);
    }
    return table;
  };

  const api: ReflectMetadataApi = {
    defineMetadata(key, value, target, property) {
      ownTable(target, property, true)?.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return ownTable(target, property, false)?.get(key);
    },
    getMetadata(key, target, property) {
      // Metadata is inherited along the prototype chain, as in the reference implementation.
      for (let current: MetadataTarget | null = target; current !== null; current = Object.getPrototypeOf(current) as MetadataTarget | null) {
        const table = ownTable(current, property, false);
        if (table?.has(key)) {
          return table.get(key);
        }
      }
      return undefined;
    },
  };
  Object.assign(reflect, api);
}

export {};
