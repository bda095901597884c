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
import { log, reportInternalError } from '../log';
import { captureStack } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheRecord,
  type DetachedEntry,
  type Detachment,
  type LibraryName,
  createRecord,
  isTrackable,
  trackKey,
} from '../track/registry';
import { isLruCacheInstance } from './lru-cache';
import { copyNameAndLength, isMarked, mark, originalOf, setOriginal, wrapperLike } from './wrap';


interface Memoized extends Function {
  cache?: unknown;
}

/** The storage the gc engine can take entries out of: a native Map (MapCache's `__data__.map`, or a Map the app set). */
function nativeMapOf(cache: unknown): { map: Map<unknown, unknown>; mapCache: { size?: unknown } | null } | null {
  if (cache instanceof Map) return { map: cache, mapCache: null };
  if (typeof cache !== 'object' || cache === null) return null;
  const data = (cache as { __data__?: { map?: unknown } }).__data__;
  if (data && typeof data === 'object' && data.map instanceof Map) {
    return { map: data.map as Map<unknown, unknown>, mapCache: cache as { size?: unknown } };
  }
  return null;
}

export const lodashAdapter: CacheAdapter = {
  countKeys(memoized, record) {
    let n = 0;
    lodashAdapter.forEachKey(memoized, record, () => n++);
    return n;
  },

  forEachKey(memoized, _record, fn) {
    const cache = (memoized as Memoized).cache;
    if (cache instanceof WeakMap || isLruCacheInstance(cache)) return; // weak, or reported as an lru-cache
    const storage = nativeMapOf(cache);
    if (!storage) return;
    for (const k of storage.map.keys()) if (isTrackable(k)) fn(k);
  },

  whyNotDetachable(memoized) {
    const cache = (memoized as Memoized).cache;
    if (nativeMapOf(cache)) return null;
    return 'memoized.cache is a custom cache object the agent cannot take entries out of';
  },

  detach(memoized) {
    const storage = nativeMapOf((memoized as Memoized).cache);
    if (!storage) throw new Error('memoized.cache has no native Map storage');
    return detachNativeMap(storage.map, storage.mapCache);
  },

  options() {
    return {};
  },
};

function detachNativeMap(map: Map<unknown, unknown>, mapCache: { size?: unknown } | null): Detachment {
  const order: Array<{ key: unknown; value: unknown } | number> = [];
  const entries: DetachedEntry[] = [];
  for (const [key, value] of map) {
    if (isTrackable(key)) {
      order.push(entries.length);
      entries.push({ keys: [key], payload: value });
    } else {
      order.push({ key, value });
    }
  }
  map.clear();
  return {
    entries,
    uniqueKeys: true, // a Map's keys
    restore(results) {
      let dead = 0;
      for (const item of order) {
        if (typeof item !== 'number') {
          map.set(item.key, item.value);
          continue;
        }
        const back = results[item];
        if (back) map.set(back.keys[0], back.payload);
        else dead++;
      }
      // MapCache.prototype.delete decrements `size` once per removed entry (lodash.memoize 4.1.2 has no size).
      if (dead > 0 && mapCache && typeof mapCache.size === 'number') mapCache.size -= dead;
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
  let name: string | null = null;
  try {
    name = typeof func.name === 'string' && func.name !== '' ? func.name : null;
  } catch {
    name = null;
  }
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
    let record: CacheRecord | undefined;
    let args: unknown[];
    try {
      const createdStack = captureStack(wrapper);
      // The slot carries the resolver's key to the miss that follows it; it is cleared there and before every report.
      const slot = { key: undefined as unknown, has: false };
      const trackedFunc = function (this: unknown) {
        const result = Reflect.apply(func, this, arguments);
        if (record !== undefined) {
          let key: unknown;
          if (resolver) {
            key = slot.has ? slot.key : undefined;
            slot.key = undefined;
            slot.has = false;
          } else {
            key = arguments[0];
          }
          if ((typeof key === 'object' && key !== null) || typeof key === 'function') {
            if (key === this) record.hints.add('keyed-by-this');
            trackKey(record, key, trackedFunc);
          }
        }
        return result;
      };
      args = Array.prototype.slice.call(callArgs);
      args[0] = trackedFunc;
      if (typeof resolver === 'function') {
        args[1] = function (this: unknown) {
          const key = Reflect.apply(resolver, this, arguments);
          slot.key = key;
          slot.has = true;
          return key;
        };
        copyNameAndLength(args[1] as Function, resolver);
      }
      copyNameAndLength(trackedFunc, func);
      const memoized = Reflect.apply(original, self, args) as Memoized;
      record = recordForMemoized(memoized, library, version, func, createdStack);
      resolverSlots.set(record, slot);
      return memoized;
    } catch (err) {
      if (record === undefined && err instanceof TypeError) throw err;
      reportInternalError('instrumenting a lodash memoize call', err);
      return Reflect.apply(original, self, callArgs);
    }
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
