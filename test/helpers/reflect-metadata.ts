/**
 * The three `Reflect` metadata functions that tsyringe, a dependency of `@peculiar/x509` 2.x,
 * requires at import time. Import this module before `@peculiar/x509`; an existing
 * implementation is left in place.
 */
type Key = unknown;
type Property = string | symbol | undefined;

interface MetadataFunctions {
  defineMetadata(key: Key, value: unknown, target: object, property?: Property): void;
  getOwnMetadata(key: Key, target: object, property?: Property): unknown;
  getMetadata(key: Key, target: object, property?: Property): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<MetadataFunctions>;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<Property, Map<Key, unknown>>>();

  const entriesOf = (target: object, property: Property): Map<Key, unknown> | undefined => store.get(target)?.get(property);

  const functions: MetadataFunctions = {
    defineMetadata(key, value, target, property) {
      const byProperty = store.get(target) ?? new Map<Property, Map<Key, unknown>>();
      store.set(target, byProperty);
      const entries = byProperty.get(property) ?? new Map<Key, unknown>();
      byProperty.set(property, entries);
      entries.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return entriesOf(target, property)?.get(key);
    },
    getMetadata(key, target, property) {
      // Walk the prototype chain, as the reflect-metadata proposal specifies.
      for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
        const entries = entriesOf(current, property);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, functions);
}

export {};
