// lru-cache 4–11. Every major keeps its methods on the prototype, so one patch per class copy (CJS, ESM, /min, /raw,
// each nested copy) covers every instance, including those made inside dependencies and before the patch.
//
// Storage by major (read from the published tarballs of isaacs/node-lru-cache):
//   4–6  `this[Symbol(cache)]`: Map<key, Yallist.Node>, node.value = Entry { key, value, length, now, maxAge }
//   7    public fields `keyMap` (Map<key, index>), `keyList[]`, `valList[]`
//   8–11 `#keyMap`, `#keyList`, `#valList`, reachable only through the static `unsafeExposeInternals(cache)`
// From 11.3 `fetch`/`forceFetch`/`memo`/`load` insert through the private `#set`, so they are wrapped too.
// Storage Maps are recognised with util.types.isMap: a copy evaluated in a vm context (Jest) has that realm's Map.
import { hasSubscribers } from 'node:diagnostics_channel';
import { CONSTRUCTED_KEY } from '../libraries/lru-cache';
import { types } from 'node:util';
import { log, reportInternalError } from '../log';
import { captureStack, sampleCreation } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheEntry,
  type CacheRecord,
  type CacheView,
  type DetachRoom,
  type Detachment,
  createRecord,
  isTrackable,
  trackKey,
} from '../track/registry';
import { isMarked, mark, wrapInsertMethod, wrapMethod } from './wrap';

type Generation = 'symbols' | 'fields' | 'private';

interface LruClassInfo {
  generation: Generation;
  version: string;
  cls: Function;
  /**
   * The library's own removal method as the class defines it (`del` on 4–6, `delete` on 7+), taken when the class is
   * patched: the verdict calls this, never an override a subclass of the app's may have.
   */
  remove: Function | null;
  /** 11.3+: removals are published on the `lru-cache:metrics` diagnostics channel when it has subscribers. */
  publishesRemovals: boolean;
}

interface Internals {
  keyMap: Map<unknown, number>;
  keyList: unknown[];
  valList: unknown[];
  isBackgroundFetch(v: unknown): boolean;
}

/** Patched prototypes → what we know about their class. Classes are module-level objects; holding them is free. */
const classes = new WeakMap<object, LruClassInfo>();
/** Cache instances → their record (weak on both sides of the app's objects). */
const recordsByCache = new WeakMap<object, CacheRecord>();

/** Whether `name` is a method or accessor somewhere on the chain, without running any getter (v7's deprecated `del`). */
function hasMember(proto: object, name: string): boolean {
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const desc = Object.getOwnPropertyDescriptor(p, name);
    if (desc) return typeof desc.value === 'function' || typeof desc.get === 'function';
  }
  return false;
}

export function looksLikeLruClass(value: unknown): value is Function {
  if (typeof value !== 'function') return false;
  const proto = Object.getOwnPropertyDescriptor(value, 'prototype')?.value as unknown;
  if (typeof proto !== 'object' || proto === null) return false;
  return (
    hasMember(proto, 'set') &&
    hasMember(proto, 'get') &&
    hasMember(proto, 'peek') &&
    (hasMember(proto, 'del') || hasMember(proto, 'delete'))
  );
}

function generationFor(version: string): Generation {
  const major = Number.parseInt(version, 10);
  if (major >= 8 || Number.isNaN(major)) return 'private';
  if (major === 7) return 'fields';
  return 'symbols';
}

/** Find the class info for an instance by walking up to the patched prototype (subclasses included). */
function classInfoOf(cache: object): LruClassInfo | undefined {
  let proto = Object.getPrototypeOf(cache) as object | null;
  while (proto !== null) {
    const info = classes.get(proto);
    if (info) return info;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

export function isLruCacheInstance(value: unknown): boolean {
  return typeof value === 'object' && value !== null && classInfoOf(value) !== undefined;
}

/**
 * Creation sites reported by lru-cache's own constructor (the hook src/libraries/lru-cache.ts adds to unminified
 * builds), until the cache gets its first object key and its record. Weak: a cache that never does costs nothing more.
 */
const constructedAt = new WeakMap<object, string | null>();

function constructed(cache: unknown): void {
  try {
    if (typeof cache === 'object' && cache !== null && sampleCreation()) constructedAt.set(cache, captureStack(constructed, 4));
  } catch (err) {
    reportInternalError('noting an lru-cache creation site', err);
  }
}
Object.defineProperty(globalThis, CONSTRUCTED_KEY, { value: constructed, enumerable: false, configurable: true, writable: false });

function recordFor(cache: object, below: Function): CacheRecord | undefined {
  let rec = recordsByCache.get(cache);
  if (rec) return rec;
  const info = classInfoOf(cache);
  if (!info) return undefined;
  // The constructor's own report (`new LRUCache(…)`) where the build allows it; else the first write of an object key
  // stands in for the creation site (the constructor is never wrapped: that would change `new.target`, v4's
  // call-without-new and the statics).
  const atNew = constructedAt.get(cache);
  rec = createRecord({
    library: 'lru-cache',
    libraryVersion: info.version,
    name: null,
    store: cache,
    adapter: lruAdapter,
    createdStack: atNew !== undefined ? atNew : sampleCreation() ? captureStack(below, 4) : null,
    createdIsFirstWrite: atNew === undefined,
  });
  recordsByCache.set(cache, rec);
  return rec;
}

function onObjectKey(cache: unknown, key: object, below: Function): void {
  try {
    if (typeof cache !== 'object' || cache === null) return;
    const rec = recordFor(cache, below);
    if (rec) trackKey(rec, key, below);
  } catch (err) {
    reportInternalError('tracking an lru-cache key', err);
  }
}

export function patchLruCacheClass(cls: Function, version: string, file: string): boolean {
  const proto = cls.prototype as object;
  if (isMarked(proto)) {
    log.hooks('lru-cache %s: %s already patched', version, file);
    return false;
  }
  const generation = generationFor(version);
  const removeName = generation === 'symbols' ? 'del' : 'delete';
  const removeDesc = Object.getOwnPropertyDescriptor(proto, removeName);
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  classes.set(proto, {
    generation,
    version,
    cls,
    remove: removeDesc && typeof removeDesc.value === 'function' ? (removeDesc.value as Function) : null,
    publishesRemovals: major! > 11 || (major === 11 && minor! >= 3),
  });
  mark(proto);

  // The hot path: one typeof test for primitive keys (glob, path-scurry, semver insert strings millions of times).
  wrapInsertMethod(proto, 'set', onObjectKey);
  // 11.3+ insert through #set from these; on older majors they call the public set and the key is simply seen twice.
  for (const method of ['fetch', 'forceFetch', 'memo'] as const) wrapInsertMethod(proto, method, onObjectKey);
  wrapMethod(proto, 'load', (original) => (self, args, wrapper) => {
    const result = Reflect.apply(original, self, args);
    try {
      const arr: unknown = args[0];
      if (Array.isArray(arr)) {
        for (const item of arr) {
          const k: unknown = Array.isArray(item) ? item[0] : undefined;
          if (isTrackable(k)) onObjectKey(self, k, wrapper);
        }
      }
    } catch (err) {
      reportInternalError('tracking lru-cache load()', err);
    }
    return result;
  });
  log.hooks('patched lru-cache %s class %s in %s', version, cls.name || '(anonymous)', file);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Storage access per generation

function ownSymbol(cache: object, description: string): symbol | string | undefined {
  for (const s of Object.getOwnPropertySymbols(cache)) {
    if (s.description === description) return s;
  }
  // lru-cache 4 without Symbol support (_nodeLRUCacheForceNoSymbol=1) uses '_'-prefixed strings.
  const legacy = `_${description}`;
  return Object.prototype.hasOwnProperty.call(cache, legacy) ? legacy : undefined;
}

interface YallistNode {
  value: { key: unknown; value: unknown };
}

function symbolStorage(cache: object): Map<unknown, YallistNode> {
  const sym = ownSymbol(cache, 'cache');
  const map = sym === undefined ? undefined : (cache as Record<string | symbol, unknown>)[sym];
  if (!types.isMap(map)) throw new Error('lru-cache 4–6 storage (Symbol(cache)) not found');
  return map as Map<unknown, YallistNode>;
}

function internalsOf(cache: object, info: LruClassInfo): Internals {
  if (info.generation === 'fields') {
    const c = cache as unknown as Internals & { isBackgroundFetch(v: unknown): boolean };
    if (!types.isMap(c.keyMap) || !Array.isArray(c.keyList) || !Array.isArray(c.valList)) throw new Error('lru-cache 7 storage not found');
    const isBackgroundFetch = (info.cls.prototype as { isBackgroundFetch?: (v: unknown) => boolean }).isBackgroundFetch;
    return { keyMap: c.keyMap, keyList: c.keyList, valList: c.valList, isBackgroundFetch: (v) => isBackgroundFetch?.call(cache, v) === true };
  }
  const expose = (info.cls as { unsafeExposeInternals?: (c: object) => Internals }).unsafeExposeInternals;
  if (typeof expose !== 'function') throw new Error('lru-cache unsafeExposeInternals() not found');
  const internals = Reflect.apply(expose, info.cls, [cache]) as Internals;
  if (!types.isMap(internals.keyMap) || !Array.isArray(internals.keyList) || !Array.isArray(internals.valList)) {
    throw new Error('lru-cache internals have no keyMap/keyList/valList');
  }
  return internals;
}

function removalHooks(cache: object, info: LruClassInfo): string | null {
  if (info.generation === 'symbols') {
    const sym = ownSymbol(cache, 'dispose');
    if (sym !== undefined && typeof (cache as Record<string | symbol, unknown>)[sym] === 'function') return 'dispose';
    return null;
  }
  // Own properties only: a getter (v8+ `dispose`/`disposeAfter` are prototype getters over private fields) is read
  // through the class's own descriptor, so no app-defined accessor of a subclass runs.
  const read = (name: string): unknown => {
    if (info.generation === 'fields') {
      const own = Object.getOwnPropertyDescriptor(cache, name);
      return own && 'value' in own ? own.value : undefined;
    }
    const desc = Object.getOwnPropertyDescriptor(info.cls.prototype as object, name);
    return desc?.get ? Reflect.apply(desc.get, cache, []) : undefined;
  };
  if (typeof read('dispose') === 'function') return 'dispose';
  if (typeof read('disposeAfter') === 'function') return 'disposeAfter';
  return null;
}

/** The cache's fetchMethod (v7: an own field; v8+: the class's getter over a private field), without app getters. */
function fetchMethodOf(cache: object, info: LruClassInfo): unknown {
  if (info.generation === 'fields') {
    const own = Object.getOwnPropertyDescriptor(cache, 'fetchMethod');
    return own && 'value' in own ? own.value : undefined;
  }
  const desc = Object.getOwnPropertyDescriptor(info.cls.prototype as object, 'fetchMethod');
  return desc?.get ? Reflect.apply(desc.get, cache, []) : undefined;
}

export const lruAdapter: CacheAdapter = {
  countKeys(cache, record) {
    let n = 0;
    lruAdapter.forEachKey(cache, record, () => n++);
    return n;
  },

  holdsNoKeys(cache) {
    const info = classInfoOf(cache);
    if (!info) return false;
    return (info.generation === 'symbols' ? symbolStorage(cache) : internalsOf(cache, info).keyMap).size === 0;
  },

  forEachKey(cache, _record, fn) {
    const info = classInfoOf(cache);
    if (!info) return;
    const map: Map<unknown, unknown> = info.generation === 'symbols' ? symbolStorage(cache) : internalsOf(cache, info).keyMap;
    map.forEach((_value, k) => {
      if (isTrackable(k)) fn(k);
    });
  },

  whyNotDetachable(cache) {
    const info = classInfoOf(cache);
    if (!info) return 'not an instrumented lru-cache class';
    if (info.remove === null) return 'the lru-cache class has no delete method of its own';
    const hook = removalHooks(cache, info);
    if (hook) return `the cache has a ${hook} callback, which removing an entry would call`;
    if (info.publishesRemovals && hasSubscribers('lru-cache:metrics')) {
      return "the app subscribes to lru-cache's diagnostics channel, which would see each removal";
    }
    // A fetch can only be in flight in a cache with a fetchMethod: no need to look at every entry of the others.
    if (info.generation !== 'symbols' && typeof fetchMethodOf(cache, info) === 'function') {
      const internals = internalsOf(cache, info);
      for (const index of internals.keyMap.values()) {
        if (internals.isBackgroundFetch(internals.valList[index])) return 'a fetch() is in flight';
      }
    }
    return null;
  },

  detach(cache, _record, room) {
    const info = classInfoOf(cache);
    if (!info) throw new Error('not an instrumented lru-cache');
    return info.generation === 'symbols' ? detachSymbols(cache, info, room) : detachIndexed(internalsOf(cache, info), info, room);
  },

  view(cache) {
    const info = classInfoOf(cache);
    if (!info) throw new Error('not an instrumented lru-cache');
    const entries: CacheEntry[] = [];
    if (info.generation === 'symbols') {
      // The Map holds every key; each entry's `{key, value}` record (Yallist node.value) holds a key and its value.
      // Entries with primitive keys stay reachable through the recency list, which is not set aside.
      const map = symbolStorage(cache);
      const containers: object[] = [map];
      for (const [key, node] of map) {
        if (!isTrackable(key)) continue;
        containers.push(node.value);
        entries.push({ keys: [key], value: node.value.value });
      }
      return { containers, entries, untracked: [] };
    }
    const { keyMap, keyList, valList } = internalsOf(cache, info);
    const untracked: unknown[] = [];
    for (const [key, index] of keyMap) {
      if (isTrackable(key)) entries.push({ keys: [key], value: valList[index] });
      else untracked.push(valList[index]);
    }
    return { containers: [keyMap, keyList, valList], entries, untracked } satisfies CacheView;
  },

  options(cache) {
    const out: Record<string, number | boolean | string> = {};
    const info = classInfoOf(cache);
    const c = cache as Record<string | symbol, unknown>;
    const read = (name: string, value: unknown): void => {
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[name] = value;
    };
    if (info?.generation === 'symbols') {
      for (const [sym, name] of [['max', 'max'], ['maxAge', 'maxAge']] as const) {
        const key = ownSymbol(cache, sym);
        if (key !== undefined) read(name, c[key]);
      }
      return out;
    }
    read('max', c.max);
    read('maxSize', c.maxSize);
    read('ttl', c.ttl);
    if (c.ttlAutopurge === true) out.ttlAutopurge = true;
    return out;
  },
};

/**
 * A placeholder key: used to let the library itself unlink a slot whose key the GC reclaimed. A fresh one each time
 * in a Map that holds other keys: one object set and deleted again and again leaves its deleted entries in one hash
 * chain, which in a big table grows with every dead slot until the table rehashes (measured: 50k dead slots took 2 s
 * instead of 20 ms).
 */
function placeholderKey(): object {
  return {};
}

/**
 * Let the library's own delete() unlink each dead entry (it fixes its list, size and accounting): `occupy` gives the
 * entry a placeholder key for the moment and returns what the Map maps it to. Dead entries go before the survivors are
 * back, so the Map then holds at most the keys the detach left (primitives). When it holds none, one placeholder serves
 * every dead entry, and a sentinel key of ours keeps one entry in the table meanwhile: V8 shrinks a Map whose last
 * entry is deleted, a runtime call and a new table for each dead entry (50k set-and-delete pairs of one key on an empty
 * Map 3.8–12 ms, with one other entry 1.3–2.4 ms). Nothing but the library's delete runs while the sentinel is there,
 * and it leaves before.
 */
function unlinkDead(
  store: object,
  remove: Function,
  map: Map<unknown, unknown>,
  back: unknown[],
  n: number,
  occupy: (i: number, placeholder: object) => unknown,
): void {
  const shared = map.size === 0;
  const sentinel = shared ? {} : null;
  if (sentinel !== null) map.set(sentinel, undefined);
  try {
    const args: [object] = [placeholderKey()];
    for (let i = 0; i < n; i++) {
      if (back[i] !== undefined) continue;
      const placeholder = shared ? args[0] : (args[0] = placeholderKey());
      map.set(placeholder, occupy(i, placeholder));
      Reflect.apply(remove, store, args);
    }
  } finally {
    // (Gone already where delete() emptied the whole cache: its clear() empties the Map too.)
    if (sentinel !== null) map.delete(sentinel);
  }
}

/**
 * Take the detached keys out of the library's Map: clear() when they were all its keys (the usual case, and 100k
 * deletes cost more than the rest of the adapter's detach together), else one delete each.
 */
function dropKeys(map: Map<unknown, unknown>, keys: object[], n: number): void {
  if (n === map.size) map.clear();
  else for (let i = 0; i < n; i++) map.delete(keys[i]);
}

// Both detach functions write keys and values into the verification's own arrays (DetachRoom) and their own slots
// into one made at the Map's size: pushing 100k entries onto three growing arrays took 23–25 ms of a verdict, writing
// into arrays made at their size 9–12 ms (Node 20, 200 MB heap), most of it faulting their fresh pages in.
function detachSymbols(cache: object, info: LruClassInfo, room: DetachRoom): Detachment {
  // The Map (key → Yallist node) is internal: its order means nothing (recency lives in the list), so only tracked
  // keys leave it, and survivors go back with set().
  const map = symbolStorage(cache);
  const { keys, payloads } = room(map.size);
  const nodes = new Array<YallistNode>(map.size);
  let n = 0;
  map.forEach((node, key) => {
    if (!isTrackable(key)) return;
    keys[n] = key;
    payloads[n] = node.value.value;
    nodes[n++] = node;
    node.value.key = undefined;
    node.value.value = undefined;
  });
  nodes.length = n;
  dropKeys(map, keys, n);
  return {
    count: n,
    keys,
    payloads,
    multi: null,
    uniqueKeys: true, // a Map's keys
    restore(store, back, payloadOf) {
      // Dead nodes first, as in detachIndexed, then the survivors.
      unlinkDead(store, info.remove!, map, back, n, (i, placeholder) => {
        const node = nodes[i]!;
        node.value.key = placeholder;
        return node;
      });
      for (let i = 0; i < n; i++) {
        const key = back[i];
        if (key === undefined) continue;
        const node = nodes[i]!;
        node.value.key = key;
        node.value.value = payloadOf(i);
        map.set(key, node);
      }
    },
  };
}

function detachIndexed(internals: Internals, info: LruClassInfo, room: DetachRoom): Detachment {
  // keyMap (key → slot) is internal and its order means nothing (recency lives in next/prev): only tracked keys leave
  // it, and survivors go back with set().
  const { keyMap, keyList, valList } = internals;
  const { keys, payloads } = room(keyMap.size);
  // Off the JS heap: after the first verification, malloc hands back memory already faulted in.
  const slots = new Int32Array(keyMap.size);
  let n = 0;
  keyMap.forEach((index, key) => {
    if (!isTrackable(key)) return;
    keys[n] = key;
    payloads[n] = valList[index];
    slots[n++] = index;
    keyList[index] = undefined;
    valList[index] = undefined;
  });
  dropKeys(keyMap, keys, n);
  return {
    count: n,
    keys,
    payloads,
    multi: null,
    uniqueKeys: true, // a Map's keys
    restore(store, back, payloadOf) {
      // Dead slots first: each placeholder's set and delete then works in a table of a few slots, not in one of the
      // survivors' size that the deleted placeholders would fill and make rehash (measured, 50k dead of 100k on a
      // 200 MB heap: the restore's median 79 → 75 ms).
      unlinkDead(store, info.remove!, keyMap, back, n, (i, placeholder) => {
        const index = slots[i]!;
        keyList[index] = placeholder;
        return index;
      });
      for (let i = 0; i < n; i++) {
        const key = back[i];
        if (key === undefined) continue;
        const index = slots[i]!;
        keyList[index] = key;
        valList[index] = payloadOf(i);
        keyMap.set(key, index);
      }
    },
  };
}
