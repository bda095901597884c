// lodash's memoize in every packaging: `lodash` (monolith, also `_.runInContext()` and lodash/fp's lodash.min),
// `lodash/memoize.js`, `lodash.memoize` (4.1.2, its own inlined MapCache) and `lodash-es/memoize.js`.
//
// memoize(func, resolver) builds `memoized`, which on a miss runs `func.apply(this, args)` and then
// `memoized.cache = cache.set(key, result)` (lodash/lodash memoize.js, identical in 4.17.21 and 4.18.1). The agent
// hands lodash a wrapper of `func` instead of touching `memoized` or its cache: the wrapper runs exactly when an entry
// is about to be inserted, nothing is added to the hit path, and `memoized`, `memoized.cache` (also a cache the app
// assigns later) and their property descriptors stay exactly as lodash made them.
// MapCache stores object keys in `cache.__data__.map`, a native Map; `MapCache.prototype` is never patched because
// lodash's Stack and SetCache share it.
import { types } from 'node:util';
import { log, reportInternalError } from '../log';
import { captureStack, sampleCreation } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheEntry,
  type CacheRecord,
  type DetachRoom,
  type Detachment,
  type LibraryName,
  createRecord,
  isTrackable,
  trackKey,
} from '../track/registry';
import { isLruCacheInstance } from './lru-cache';
import { isMarked, mark, originalOf, setOriginal, wrapperLike } from './wrap';


interface Memoized extends Function {
  cache?: unknown;
}

// Maps are recognised with util.types, never `instanceof Map`: a library evaluated in another realm (Jest's vm
// context per test file) makes its Maps with that realm's constructor.
// Map operations through Map.prototype itself: a Map subclass the app uses as `memoized.cache` may override them (an
// audit log, a sealed cache that refuses writes), and the verdict must touch only the storage, never app code.
const mapClear = Map.prototype.clear;
const mapSet = Map.prototype.set;
const mapEntries = Map.prototype.entries;
const mapKeys = Map.prototype.keys;
const mapForEach = Map.prototype.forEach;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;

function entriesOf(map: Map<unknown, unknown>): IterableIterator<[unknown, unknown]> {
  return Reflect.apply(mapEntries, map, []) as IterableIterator<[unknown, unknown]>;
}

function hasOwnData(obj: object, key: string): unknown {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  return desc && 'value' in desc ? desc.value : undefined;
}

/**
 * Where a memoized function's cache keeps its object keys, read without running app code (own data properties only,
 * no getters): a native Map (the app's `memoized.cache = new Map()`, or a Map subclass), or lodash's MapCache, whose
 * object keys live in `__data__.map`. `mapCache` is the MapCache whose `size` counts the entries, when there is one.
 */
function nativeMapOf(cache: unknown): { map: Map<unknown, unknown>; mapCache: { size?: unknown } | null } | null {
  if (types.isMap(cache)) return { map: cache as Map<unknown, unknown>, mapCache: null };
  if (typeof cache !== 'object' || cache === null || types.isProxy(cache)) return null;
  const data = hasOwnData(cache, '__data__');
  if (typeof data === 'object' && data !== null && !types.isProxy(data)) {
    const map = hasOwnData(data, 'map');
    if (types.isMap(map)) return { map: map as Map<unknown, unknown>, mapCache: cache as { size?: unknown } };
  }
  return null;
}

/**
 * A custom cache object (`memoize.Cache = MyCache`) keeps its entries somewhere: the snapshot engine can judge it when
 * that is a native Map in one of its own data properties (`this.store = new Map()`). The gc engine never takes entries
 * out of such a cache: its own bookkeeping (counts, recency, limits) would not follow.
 */
function customMapsOf(cache: unknown): Array<Map<unknown, unknown>> {
  if (typeof cache !== 'object' || cache === null || types.isWeakMap(cache) || types.isProxy(cache)) return [];
  const maps: Array<Map<unknown, unknown>> = [];
  for (const key of Reflect.ownKeys(cache)) {
    const value = typeof key === 'string' ? hasOwnData(cache, key) : undefined;
    if (types.isMap(value)) maps.push(value as Map<unknown, unknown>);
  }
  return maps;
}

/** A function's own `name` data property, or '': no getter and no Proxy trap (app code) runs. */
function ownName(fn: unknown): string {
  if (typeof fn !== 'function' || types.isProxy(fn)) return '';
  const own = hasOwnData(fn, 'name');
  return typeof own === 'string' ? own : '';
}

function memoizedCache(memoized: object): unknown {
  return hasOwnData(memoized, 'cache');
}

export const lodashAdapter: CacheAdapter = {
  countKeys(memoized, record) {
    let n = 0;
    lodashAdapter.forEachKey(memoized, record, () => n++);
    return n;
  },

  holdsNoKeys(memoized) {
    const storage = nativeMapOf(memoizedCache(memoized));
    return storage !== null && Reflect.apply(mapSize, storage.map, []) === 0;
  },

  forEachKey(memoized, _record, fn) {
    const cache = memoizedCache(memoized);
    if (types.isWeakMap(cache) || isLruCacheInstance(cache)) return; // weak, or reported as an lru-cache
    const storage = nativeMapOf(cache);
    const maps = storage ? [storage.map] : customMapsOf(cache);
    for (const map of maps) {
      for (const k of Reflect.apply(mapKeys, map, []) as IterableIterator<unknown>) if (isTrackable(k)) fn(k);
    }
  },

  whyNotDetachable(memoized) {
    if (nativeMapOf(memoizedCache(memoized))) return null;
    return 'memoized.cache is a custom cache object: taking entries out would bypass its own bookkeeping';
  },

  detach(memoized, _record, room) {
    const storage = nativeMapOf(memoizedCache(memoized));
    if (!storage) throw new Error('memoized.cache has no native Map storage');
    return detachNativeMap(storage.map, storage.mapCache, room);
  },

  view(memoized) {
    const cache = memoizedCache(memoized);
    const storage = nativeMapOf(cache);
    const maps = storage ? [storage.map] : customMapsOf(cache);
    if (maps.length === 0) throw new Error('memoized.cache keeps no native Map the agent can read');
    const entries: CacheEntry[] = [];
    const untracked: unknown[] = [];
    for (const map of maps) {
      for (const [key, value] of entriesOf(map)) {
        if (isTrackable(key)) entries.push({ keys: [key], value });
        else untracked.push(value);
      }
    }
    return { containers: maps, entries, untracked };
  },

  options() {
    return {};
  },
};

function detachNativeMap(map: Map<unknown, unknown>, mapCache: { size?: unknown } | null, room: DetachRoom): Detachment {
  // The app can iterate a Map it gave as memoized.cache: the Map is rebuilt in its exact order. `order` holds, per
  // position, the index of a tracked entry or an entry with a primitive key as it was.
  // Arrays made at the Map's size and written by index (see the lru-cache adapter's detach), one forEach callback
  // instead of an entries iterator and an array per entry: 100k keys on a 200 MB heap took 80–170 ms before.
  const size = Reflect.apply(mapSize, map, []) as number;
  const order = new Array<{ key: unknown; value: unknown } | number>(size);
  const { keys, payloads } = room(size);
  let n = 0;
  let at = 0;
  Reflect.apply(mapForEach, map, [
    (value: unknown, key: unknown) => {
      if (isTrackable(key)) {
        order[at++] = n;
        keys[n] = key;
        payloads[n++] = value;
      } else {
        order[at++] = { key, value };
      }
    },
  ]);
  Reflect.apply(mapClear, map, []);
  return {
    count: n,
    keys,
    payloads,
    multi: null,
    uniqueKeys: true, // a Map's keys
    restore(_memoized, back, payloadOf) {
      let dead = 0;
      const args: [unknown, unknown] = [undefined, undefined];
      for (let i = 0; i < order.length; i++) {
        const item = order[i]!;
        if (typeof item !== 'number') {
          args[0] = item.key;
          args[1] = item.value;
          Reflect.apply(mapSet, map, args);
          continue;
        }
        const key = back[item];
        if (key === undefined) {
          dead++;
          continue;
        }
        args[0] = key;
        args[1] = payloadOf(item);
        Reflect.apply(mapSet, map, args);
      }
      // MapCache.prototype.delete decrements `size` once per removed entry (lodash.memoize 4.1.2 has no size).
      if (dead > 0 && mapCache && typeof hasOwnData(mapCache, 'size') === 'number') (mapCache.size as number) -= dead;
    },
  };
}

function recordForMemoized(
  memoized: Memoized,
  library: LibraryName,
  version: string,
  func: Function,
  createdStack: string | null,
): CacheRecord {
  const own = ownName(func);
  const name = own === '' ? null : own;
  return createRecord({
    library,
    libraryVersion: version,
    name,
    store: memoized,
    adapter: lodashAdapter,
    createdStack,
    createdIsFirstWrite: false,
  });
}

/**
 * Build the agent's `memoize`: same name, length and `Cache` property as lodash's; calls the original with the same
 * `this` and arguments, except that `func` (and `resolver`, when given) are replaced by transparent wrappers.
 */
export function wrapLodashMemoize(original: Function, library: LibraryName, version: string): Function {
  if (originalOf(original) !== undefined) return original;
  const memoize = wrapperLike(original, function (self: unknown, callArgs: IArguments, wrapper: Function) {
    const func: unknown = callArgs[0];
    const resolver: unknown = callArgs[1];
    // lodash reads `memoize.Cache` from its own function object; the app sets it on ours.
    if ((original as { Cache?: unknown }).Cache !== (wrapper as { Cache?: unknown }).Cache) {
      (original as { Cache?: unknown }).Cache = (wrapper as { Cache?: unknown }).Cache;
    }
    if (typeof func !== 'function' || (resolver != null && typeof resolver !== 'function')) {
      return Reflect.apply(original, self, callArgs); // let lodash throw its own TypeError
    }
    // The record is made when the first object key goes in: a memoized function that only ever sees primitive keys
    // (one per request, say) costs no weak bookkeeping and is never listed.
    let record: CacheRecord | undefined;
    let memoized: Memoized | undefined;
    let recordFailed = false;
    let args: unknown[];
    let createdStack: string | null;
    const recordNow = (slot: { key: unknown; has: boolean }): CacheRecord | undefined => {
      if (record === undefined && memoized !== undefined && !recordFailed) {
        try {
          record = recordForMemoized(memoized, library, version, func as Function, createdStack);
          resolverSlots.set(record, slot);
          createdStack = null;
        } catch (err) {
          recordFailed = true;
          reportInternalError('instrumenting a lodash memoize call', err);
        }
      }
      return record;
    };
    try {
      createdStack = sampleCreation() ? captureStack(wrapper, 4) : null;
      // The slot carries the resolver's key to the miss that follows it; it is cleared there and before every report.
      const resolverSlot: { key: unknown; has: boolean } = { key: undefined, has: false };
      // Called by lodash exactly where it calls `func`: `func.apply(this, args)` (so a function with its own `apply`
      // gets the same call it gets without the agent). Its name says whose frame it is in a stack trace.
      const trackedFunc = function leakAgentMemoizedCall(this: unknown) {
        const result = (func as Function).apply(this, arguments) as unknown;
        let key: unknown;
        if (resolver) {
          key = resolverSlot.has ? resolverSlot.key : undefined;
          resolverSlot.key = undefined;
          resolverSlot.has = false;
        } else {
          key = arguments[0];
        }
        if ((typeof key === 'object' && key !== null) || typeof key === 'function') {
          const rec = recordNow(resolverSlot);
          if (rec !== undefined) {
            if (key === this) rec.hints.add('keyed-by-this');
            trackKey(rec, key, trackedFunc);
          }
        }
        return result;
      };
      args = Array.prototype.slice.call(callArgs);
      args[0] = trackedFunc;
      if (typeof resolver === 'function') {
        args[1] = function leakAgentResolverCall(this: unknown) {
          const key = (resolver as Function).apply(this, arguments) as unknown;
          resolverSlot.key = key;
          resolverSlot.has = true;
          return key;
        };
      }
    } catch (err) {
      reportInternalError('instrumenting a lodash memoize call', err);
      return Reflect.apply(original, self, callArgs);
    }
    // lodash's own work, and the app's (a custom Cache constructor): whatever it throws is theirs to throw.
    memoized = Reflect.apply(original, self, args) as Memoized;
    return memoized;
  });
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'name' || key === 'length' || key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const desc = Object.getOwnPropertyDescriptor(original, key);
    if (desc) Object.defineProperty(memoize, key, desc);
  }
  setOriginal(memoize, original);
  log.hooks('wrapped %s@%s memoize', library, version);
  return memoize;
}

/** Per record, the resolver slot: cleared before verification so the agent never keeps a key alive. */
const resolverSlots = new WeakMap<CacheRecord, { key: unknown; has: boolean }>();

export function clearResolverSlot(record: CacheRecord): void {
  const slot = resolverSlots.get(record);
  if (slot) {
    slot.key = undefined;
    slot.has = false;
  }
}

/** The lodash monolith (and `_.runInContext()` instances): mutate `_.memoize` in place, wrap `runInContext`. */
export function patchLodashObject(lodash: unknown, library: LibraryName, version: string, file: string): void {
  if ((typeof lodash !== 'function' && typeof lodash !== 'object') || lodash === null) return;
  const target = lodash as Record<string, unknown>;
  if (isMarked(target)) return;
  try {
    if (typeof target.memoize === 'function') {
      const desc = Object.getOwnPropertyDescriptor(target, 'memoize');
      if (desc && 'value' in desc && desc.writable) {
        Object.defineProperty(target, 'memoize', { ...desc, value: wrapLodashMemoize(target.memoize as Function, library, version) });
      }
    }
    const originalRunInContext = target.runInContext;
    if (typeof originalRunInContext === 'function' && originalOf(originalRunInContext) === undefined) {
      const desc = Object.getOwnPropertyDescriptor(target, 'runInContext');
      if (desc && 'value' in desc && desc.writable) {
        const wrapped = wrapperLike(originalRunInContext, (self, callArgs) => {
          const instance: unknown = Reflect.apply(originalRunInContext, self, callArgs);
          patchLodashObject(instance, library, version, `${file} (runInContext)`);
          return instance;
        });
        setOriginal(wrapped, originalRunInContext);
        Object.defineProperty(target, 'runInContext', { ...desc, value: wrapped });
      }
    }
    mark(target);
    log.hooks('patched %s@%s in %s', library, version, file);
  } catch (err) {
    reportInternalError(`patching ${library}`, err);
  }
}
