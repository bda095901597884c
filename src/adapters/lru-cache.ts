// lru-cache 4–11. Every major keeps its methods on the prototype, so one patch per class copy (CJS, ESM, /min, /raw,
// each nested copy) covers every instance, including those made inside dependencies and before the patch.
//
// Storage by major (read from the published tarballs of isaacs/node-lru-cache):
//   4–6  `this[Symbol(cache)]`: Map<key, Yallist.Node>, node.value = Entry { key, value, length, now, maxAge }
//   7    public fields `keyMap` (Map<key, index>), `keyList[]`, `valList[]`
//   8–11 `#keyMap`, `#keyList`, `#valList`, reachable only through the static `unsafeExposeInternals(cache)`
// From 11.3 `fetch`/`forceFetch`/`memo`/`load` insert through the private `#set`, so they are wrapped too.
import { log, reportInternalError } from '../log';
import { captureStack } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheRecord,
  type DetachedEntry,
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

function recordFor(cache: object, below: Function): CacheRecord | undefined {
  let rec = recordsByCache.get(cache);
  if (rec) return rec;
  const info = classInfoOf(cache);
  if (!info) return undefined;
  rec = createRecord({
    library: 'lru-cache',
    libraryVersion: info.version,
    name: null,
    store: cache,
    adapter: lruAdapter,
    // lru-cache's constructor is not wrapped (that would change `new.target`, v4's call-without-new and statics), so
    // the first write of an object key stands in for the creation site.
    createdStack: captureStack(below),
    createdIsFirstWrite: true,
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
  classes.set(proto, { generation: generationFor(version), version, cls });
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
  if (!(map instanceof Map)) throw new Error('lru-cache 4–6 storage (Symbol(cache)) not found');
  return map as Map<unknown, YallistNode>;
}

function internalsOf(cache: object, info: LruClassInfo): Internals {
  if (info.generation === 'fields') {
    const c = cache as unknown as Internals & { isBackgroundFetch(v: unknown): boolean };
    if (!(c.keyMap instanceof Map) || !Array.isArray(c.keyList)) throw new Error('lru-cache 7 storage not found');
    return { keyMap: c.keyMap, keyList: c.keyList, valList: c.valList, isBackgroundFetch: (v) => c.isBackgroundFetch(v) };
  }
  const expose = (info.cls as { unsafeExposeInternals?: (c: object) => Internals }).unsafeExposeInternals;
  if (typeof expose !== 'function') throw new Error('lru-cache unsafeExposeInternals() not found');
  const internals = expose(cache);
  if (!(internals.keyMap instanceof Map)) throw new Error('lru-cache internals have no keyMap');
  return internals;
}

function removalHooks(cache: object, info: LruClassInfo): string | null {
  if (info.generation === 'symbols') {
    const sym = ownSymbol(cache, 'dispose');
    if (sym !== undefined && typeof (cache as Record<string | symbol, unknown>)[sym] === 'function') return 'dispose';
    return null;
  }
  const c = cache as { dispose?: unknown; disposeAfter?: unknown };
  if (info.generation === 'fields') {
    // v7 has a no-op dispose on the prototype; the option shadows it on the instance.
    if (Object.prototype.hasOwnProperty.call(cache, 'dispose')) return 'dispose';
    if (typeof c.disposeAfter === 'function') return 'disposeAfter';
    return null;
  }
  if (typeof c.dispose === 'function') return 'dispose';
  if (typeof c.disposeAfter === 'function') return 'disposeAfter';
  return null;
}

export const lruAdapter: CacheAdapter = {
  countKeys(cache, record) {
    let n = 0;
    lruAdapter.forEachKey(cache, record, () => n++);
    return n;
  },

  forEachKey(cache, _record, fn) {
    const info = classInfoOf(cache);
    if (!info) return;
    const keys = info.generation === 'symbols' ? symbolStorage(cache).keys() : internalsOf(cache, info).keyMap.keys();
    for (const k of keys) if (isTrackable(k)) fn(k);
  },

  whyNotDetachable(cache, _record, purpose) {
    const info = classInfoOf(cache);
    if (!info) return 'not an instrumented lru-cache class';
    // Putting every entry back calls nothing: dispose callbacks and fetches in flight only matter for removal.
    if (purpose === 'restore-all') return null;
    const hook = removalHooks(cache, info);
    if (hook) return `the cache has a ${hook} callback, which removing an entry would call`;
    if (info.generation !== 'symbols') {
      const internals = internalsOf(cache, info);
      for (const index of internals.keyMap.values()) {
        if (internals.isBackgroundFetch(internals.valList[index])) return 'a fetch() is in flight';
      }
    }
    return null;
  },

  detach(cache) {
    const info = classInfoOf(cache);
    if (!info) throw new Error('not an instrumented lru-cache');
    return info.generation === 'symbols' ? detachSymbols(cache) : detachIndexed(cache, internalsOf(cache, info));
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

/** A placeholder key: used to let the library itself unlink a slot whose key the GC reclaimed. */
function placeholderKey(): object {
  return {};
}

function detachSymbols(cache: object): Detachment {
  const map = symbolStorage(cache);
  // Keep the Map's insertion order: rebuild it exactly, minus dead keys.
  const order: Array<{ key: unknown; node: YallistNode } | number> = [];
  const entries: DetachedEntry[] = [];
  const nodes: YallistNode[] = [];
  for (const [key, node] of map) {
    if (isTrackable(key)) {
      order.push(entries.length);
      entries.push({ keys: [key], payload: node.value.value });
      nodes.push(node);
      node.value.key = undefined;
      node.value.value = undefined;
    } else {
      order.push({ key, node });
    }
  }
  map.clear();
  return {
    entries,
    uniqueKeys: true, // a Map's keys
    restore(results) {
      const dead: YallistNode[] = [];
      for (const item of order) {
        if (typeof item !== 'number') {
          map.set(item.key, item.node);
          continue;
        }
        const node = nodes[item]!;
        const back = results[item];
        if (back) {
          node.value.key = back.keys[0];
          node.value.value = back.payload;
          map.set(back.keys[0], node);
        } else {
          dead.push(node);
        }
      }
      // Let the library unlink each dead node itself (list, length accounting): del(placeholder).
      const del = (cache as { del?: (k: unknown) => void }).del;
      for (const node of dead) {
        const placeholder = placeholderKey();
        node.value.key = placeholder;
        map.set(placeholder, node);
        if (typeof del === 'function') del.call(cache, placeholder);
      }
    },
  };
}

function detachIndexed(cache: object, internals: Internals): Detachment {
  const { keyMap, keyList, valList } = internals;
  const order: Array<{ key: unknown; index: number } | number> = [];
  const entries: DetachedEntry[] = [];
  const slots: number[] = [];
  for (const [key, index] of keyMap) {
    if (isTrackable(key)) {
      order.push(entries.length);
      entries.push({ keys: [key], payload: valList[index] });
      slots.push(index);
      keyList[index] = undefined;
      valList[index] = undefined;
    } else {
      order.push({ key, index });
    }
  }
  keyMap.clear();
  return {
    entries,
    uniqueKeys: true, // a Map's keys
    restore(results) {
      const dead: number[] = [];
      for (const item of order) {
        if (typeof item !== 'number') {
          keyMap.set(item.key, item.index);
          continue;
        }
        const index = slots[item]!;
        const back = results[item];
        if (back) {
          keyList[index] = back.keys[0];
          valList[index] = back.payload;
          keyMap.set(back.keys[0], index);
        } else {
          dead.push(index);
        }
      }
      // The library's own delete() unlinks the slot, frees it and fixes size and calculatedSize.
      const remove = (cache as { delete?: (k: unknown) => boolean }).delete;
      for (const index of dead) {
        const placeholder = placeholderKey();
        keyList[index] = placeholder;
        keyMap.set(placeholder, index);
        if (typeof remove === 'function') remove.call(cache, placeholder);
      }
    },
  };
}
