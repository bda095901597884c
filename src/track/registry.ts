// The registry of instrumented caches and the keys they were given.
// Nothing here holds a key, a value or a cache strongly: caches are reached through WeakRefs, keys only through
// WeakMaps whose values are primitives (sequence numbers) or strings (sampled stacks). A record dies with its cache:
// a FinalizationRegistry on each cache (held value: the record's number) removes it as soon as V8 collects the cache,
// so an app that memoizes per request keeps the agent's own memory flat without ever asking for a report.
//
// What an insert costs: the verdict enumerates the caches' own storage, so nothing per key is needed for it. Per insert
// the agent counts, and keeps the insertion stack of a bounded sample of keys. Only once a test window has been opened
// (Vitest, expectNoCacheLeaks) does it also remember each key's first sight, which is what a window compares.
//
// Memory per live cache: one record (about 200 bytes), its creation stack (a string of at most 24 frames, typically
// 1–2 KiB), and per sampled key one WeakMap entry holding a stack string (at most 8 + 24 + 1/1024 of its keys).
//
// The registry lives in the thread's shared state (shared.ts), so every copy of the package sees the same records.
import { captureStack } from '../source/callsite';
import { madeByAppCode } from '../source/location';
import { faultPoint } from '../fault';
import { noteCacheCreated } from './created';
import { log, reportInternalError } from '../log';
import { slot } from '../shared';
import { type CacheLife, maybeSample, newCacheLife, nextSampleAt } from './lifecycle';

// Derived from the library declarations (src/libraries): 'lodash', 'lodash.memoize', 'lodash-es', 'memoizee', 'lru-cache'.
import type { LibraryName } from '../libraries/index';
export type { LibraryName };

/** One tracked entry of a cache: every object key it needs (all must stay alive) and its cached value. */
export interface CacheEntry {
  keys: object[];
  value: unknown;
}

/**
 * Arrays with room for `n` entries that a detach may fill instead of making its own: the verification's, kept from one
 * verification to the next (verify/scratch.ts), so that their pages are not faulted in again. Longer than `n` maybe.
 */
export type DetachRoom = (n: number) => { keys: object[]; payloads: unknown[] };

/**
 * Entries taken out of a cache by an adapter for one verification turn (gc engine), as parallel arrays (no object per
 * entry: a verdict handles hundreds of thousands). Entry i < count has the key keys[i] and the payload payloads[i]
 * (the arrays may be longer: a DetachRoom's); when some entry has several object keys (memoizee), multi[i] lists all
 * of entry i's keys (keys[i] is its first).
 * `restore` gets, per entry, its first key back (undefined: one of its keys died), and payloadOf(i) gives a surviving
 * entry's payload (a lookup: read it once, as the entry goes back, while its key is in the CPU cache); it puts
 * survivors back exactly and removes the dead ones the way the library itself would. The Detachment may reference the
 * cache's storage (the verdict keeps it only as long as the cache lives); the gc engine empties its arrays once it
 * holds the entries itself.
 */
export interface Detachment {
  /** Entries taken out: entry i's key (keys[i], or multi[i]) and payload (payloads[i]), for i < count. */
  count: number;
  keys: object[];
  payloads: unknown[];
  multi: object[][] | null;
  /** True when no key is in two entries (a Map's keys): no duplicate check. */
  uniqueKeys: boolean;
  /**
   * Put the entries back: entry i's key is keys[i] (undefined: it died, the entry goes), its payload payloadOf(i).
   * `keys` may be longer than the entries (the verification's own reused array): read entries by their own count.
   */
  restore(store: object, keys: Array<object | undefined>, payloadOf: (i: number) => unknown): void;
}

/**
 * A read-only view of a cache for the snapshot engine: nothing is taken out. `containers` are the objects whose
 * references to keys and values belong to the cache (they are set aside as a whole); `entries` pair each tracked
 * entry's keys with its value; `untracked` are the values of entries with primitive keys that live in those
 * containers too (they stay live while the cache does). `closures` asks the analysis to set aside storage the library
 * keeps in closures (memoizee), found from `from` along variable names.
 */
export interface CacheView {
  containers: object[];
  entries: CacheEntry[];
  untracked: unknown[];
  closures?: {
    from: object;
    /** Each path: property of `from` holding a function, then closure variable names (a function's, then the next). */
    paths: string[][];
    /** Element indexes of the first resolved object whose element references belong to tracked entries. */
    partialElements?: number[];
  };
}

export interface CacheAdapter {
  /** Tracked (object/function) keys the cache holds now. */
  countKeys(store: object, record: CacheRecord): number;
  /** Why the gc engine cannot take this cache's entries out and put the survivors back silently, or null when it can. */
  whyNotDetachable(store: object, record: CacheRecord): string | null;
  /**
   * True only when the cache surely holds no key now, told without walking it (its storage is empty); false when it
   * holds some or cannot tell cheaply. Changes nothing, runs no app code.
   */
  holdsNoKeys?(store: object, record: CacheRecord): boolean;
  /** Call `fn` with each tracked key the cache holds now (a key may come more than once). Changes nothing. */
  forEachKey(store: object, record: CacheRecord, fn: (key: object) => void): void;
  /** Take every entry with an object key out of the cache's storage, silently (gc engine). */
  detach(store: object, record: CacheRecord, room: DetachRoom): Detachment;
  /** Everything the snapshot engine needs, without changing anything; null when the storage cannot be found. */
  view(store: object, record: CacheRecord): CacheView;
  /** Options that bound the cache (max, ttl, ...), for the report. */
  options(store: object, record: CacheRecord): Record<string, number | boolean | string>;
  /**
   * The library reports each removal itself (memoizee's delete/clear events), so the sampled key lifetimes
   * (lifecycle.ts) need no sweep of its storage; other caches are swept through `forEachKey`.
   */
  readonly reportsRemovals?: boolean;
}

/** Dead keys that earlier reports of the gc engine found in a cache and removed. */
export interface RemovedKeys {
  deadKeys: number;
  classes: Map<string, number>;
  /** The first removed key's sampled insertion stack. */
  firstStack: string | null;
  /** When the latest such report ran (ms since the epoch). */
  at: number;
}

export interface CacheRecord {
  readonly num: number;
  readonly id: string;
  readonly library: LibraryName;
  readonly libraryVersion: string;
  name: string | null;
  /** Compact stack of the creation (or first write) site; a string, never an Error. */
  createdStack: string | null;
  createdIsFirstWrite: boolean;
  readonly storeRef: WeakRef<object>;
  readonly adapter: CacheAdapter;
  /** Insertions of object keys (every write, not distinct keys); paces the stack sample. */
  inserted: number;
  /**
   * The insert count at which trackKey next has anything to do besides counting (a stack or lifetime sample may be
   * due): inserts below it take the fast path. Recomputed by every slow-path call; 1 before the first.
   */
  nextWork: number;
  /** key → first-sight sequence number, for test windows; made once a window has been opened (see currentSeq). */
  keySeq: WeakMap<object, number> | null;
  /**
   * No key the cache holds has a smaller number: the number of the first key it numbered since it was last found
   * empty at a window's opening (or ever), lowered when it takes back a key it numbered before; 0 when it held keys
   * without a number then (seen before the first window, or before the agent). Null before any.
   */
  firstSeq: number | null;
  /** key → compact insertion stack, for a bounded sample of keys; made on the first sample. */
  samples: WeakMap<object, string> | null;
  sampleCount: number;
  /** Tracking for this cache stopped after an internal error. */
  disabled: boolean;
  /** What the adapters noticed that changes the advice ('keyed-by-this'). */
  readonly hints: Set<string>;
  /** Dead keys earlier reports removed from this cache, or null. */
  removed: RemovedKeys | null;
  /** Sampled key lifetimes (lifecycle.ts); made with the first object key. */
  life: CacheLife | null;
}

// Insertion stacks: the first 8 object-key writes of a cache, then every 64th until 32 stacks, then every 16384th for
// as long as the cache lives, so a leak that starts late (16384 keys or more) still has an example. A capture costs
// V8 tens of microseconds, 45–100 µs inside a library's optimised frames (building the frames about half, formatting
// them the rest): at every 4096th that was 11–24 ns of each lru-cache miss, a third of the agent's share; at every
// 16384th it is 3–6 ns. A sample dies with its key, so the samples a cache keeps stay within about 1/16384 of its keys.
// Once the process has taken EARLY_BUDGET early samples (caches made per request each start with 8), a new cache's
// early samples shrink to its first write. All by count, never by time: the same program gets the same report.
const MAX_EARLY_SAMPLES = 32;
const SAMPLE_EVERY = 64;
const SAMPLE_EVERY_LATER = 16_384;
const EARLY_BUDGET = 65_536;

interface Registry {
  records: Map<number, CacheRecord>;
  nextRecordNum: number;
  nextSeq: number;
  /** Whether inserts record first sight (from the first test window on). */
  firstSight: boolean;
  /** Removes a record when V8 collects its cache; the held value is the record's number. */
  finalizer: FinalizationRegistry<number>;
  /** Early insertion samples taken so far (see EARLY_BUDGET). */
  earlySamples: number;
  /** Caches with object keys that became garbage since the last report (counted when pruned). */
  garbageCaches: number;
  /** Of those, the ones the app's own code made (not a dependency under node_modules). */
  garbageFromApp: number;
}

const reg: Registry = slot('registry', () => {
  const registry: Registry = {
    records: new Map(),
    nextRecordNum: 1,
    nextSeq: 1,
    firstSight: false,
    // Runs after V8 collected a cache: only Map operations on the agent's own data, never app code.
    finalizer: new FinalizationRegistry((num: number) => prune(registry, num)),
    earlySamples: 0,
    garbageCaches: 0,
    garbageFromApp: 0,
  };
  return registry;
});

function prune(registry: Registry, num: number): void {
  const rec = registry.records.get(num);
  if (rec === undefined) return;
  registry.records.delete(num);
  countGarbage(registry, rec);
}

function countGarbage(registry: Registry, rec: CacheRecord): void {
  if (rec.inserted === 0) return;
  registry.garbageCaches++;
  if (madeByAppCode(rec.createdStack)) registry.garbageFromApp++;
}

export interface NewRecord {
  library: LibraryName;
  libraryVersion: string;
  name: string | null;
  store: object;
  adapter: CacheAdapter;
  createdStack: string | null;
  createdIsFirstWrite: boolean;
}

export function createRecord(init: NewRecord): CacheRecord {
  const num = reg.nextRecordNum++;
  noteCacheCreated();
  const rec: CacheRecord = {
    num,
    id: `c${num}`,
    library: init.library,
    libraryVersion: init.libraryVersion,
    name: init.name,
    createdStack: init.createdStack,
    createdIsFirstWrite: init.createdIsFirstWrite,
    storeRef: new WeakRef(init.store),
    adapter: init.adapter,
    inserted: 0,
    nextWork: 1,
    keySeq: null,
    firstSeq: null,
    samples: null,
    sampleCount: 0,
    disabled: false,
    hints: new Set(),
    removed: null,
    life: null,
  };
  reg.records.set(num, rec);
  reg.finalizer.register(init.store, num);
  if (log.track.enabled) log.track('new cache %s: %s@%s %s', rec.id, rec.library, rec.libraryVersion, rec.name ?? '(anonymous)');
  return rec;
}

/**
 * The lifetime bookkeeping of a record: its holder answers through the adapter while the cache lives. No closure here
 * captures the cache itself (each call reads the record's WeakRef): V8 may keep a closure's context after the call,
 * and a context holding the cache made a garbage cache look live to the snapshot engine.
 */
function lifeOf(rec: CacheRecord): CacheLife {
  return newCacheLife(() => {
    if (rec.storeRef.deref() === undefined) return null;
    return {
      reportsRemovals: rec.adapter.reportsRemovals === true,
      forEachKey: (fn) => {
        const store = rec.storeRef.deref();
        if (store !== undefined) rec.adapter.forEachKey(store, rec, fn);
      },
    };
  });
}

/** A key's first-sight number: 0 when it was seen before the first window (or no window was ever opened). */
export function seqOf(rec: CacheRecord, key: object): number {
  return rec.keySeq !== null ? (rec.keySeq.get(key) ?? 0) : 0;
}

/**
 * Whether every key the cache holds was first seen at or after `sinceSeq` (a window's start): then no key's number
 * needs looking up (a WeakMap of every key seen in windows, 100–200 ns a key in a verdict). Such is a cache made inside
 * the window, as a test file's module-level caches are under Vitest.
 */
export function allSeenSince(rec: CacheRecord, sinceSeq: number): boolean {
  return sinceSeq > 0 && !rec.disabled && rec.firstSeq !== null && rec.firstSeq >= sinceSeq;
}

/**
 * Whether the cache holds a tracked key besides the one just written, as it numbers its first key: such a key has no
 * number (written before the agent patched the library, or by the app straight into a memoized function's `cache`
 * before the function's first object key made the record). Once per cache; the adapters run no app code.
 */
function heldOthers(rec: CacheRecord, key: object): boolean {
  try {
    const store = rec.storeRef.deref();
    if (store === undefined) return true;
    let others = false;
    // Some adapters count the key before the library stores it (lodash), others after (lru-cache).
    rec.adapter.forEachKey(store, rec, (k) => {
      if (k !== key) others = true;
    });
    return others;
  } catch {
    return true;
  }
}

/** A key's sampled insertion stack, or null. */
export function stackOf(rec: CacheRecord, key: object): string | null {
  return rec.samples !== null ? (rec.samples.get(key) ?? null) : null;
}

/**
 * The sequence number the next tracked insertion will get; opens a window (a test file, a test, a callback): keys
 * first seen from now on have a number at least this big. The first call switches first-sight bookkeeping on and
 * gives every key the caches hold now number 0 (seen before any window), so that writing such a key again inside a
 * window does not count as a new insertion.
 */
export function currentSeq(): number {
  const first = !reg.firstSight;
  reg.firstSight = true;
  for (const record of reg.records.values()) {
    const store = record.storeRef.deref();
    if (store === undefined) continue;
    try {
      if (!first && record.firstSeq !== null) {
        // A cache emptied since (a test's cache.clear()) starts over: a window that fills it again needs no key's
        // number looked up (allSeenSince), unless it takes back keys it held before (trackSlow lowers firstSeq then).
        if (record.adapter.holdsNoKeys?.(store, record) === true) record.firstSeq = null;
        continue;
      }
      // A cache that has numbered no key yet but holds some (memoized.cache.set() by the app, not through the memoized
      // function) holds keys older than this window: it must look its keys up (firstSeq 0, see allSeenSince).
      const seen = first ? (record.keySeq ??= new WeakMap()) : null;
      record.adapter.forEachKey(store, record, (key) => {
        if (seen !== null && !seen.has(key)) seen.set(key, 0);
        record.firstSeq = 0;
      });
    } catch (err) {
      reportInternalError('opening a test window', err);
    }
  }
  return reg.nextSeq;
}

/**
 * Record that `key` (an object or function) went into the cache of `rec`. Called by adapters after the library's own
 * insert returned; never throws. `below` is the adapter's wrapper, so the sampled stack starts in the app.
 */
export function trackKey(rec: CacheRecord, key: object, below: Function): void {
  // The fast path, small enough for V8 to inline into the adapters' wrappers: most inserts only count.
  if (rec.disabled) return;
  const n = ++rec.inserted;
  if (n < rec.nextWork && !reg.firstSight) return;
  trackSlow(rec, key, below, n);
}

/** Whether this cache's next write takes an early insertion stack (its first 8, within the process's budget). */
function earlyStackDue(rec: CacheRecord): boolean {
  return rec.sampleCount < 8 && (rec.sampleCount === 0 || reg.earlySamples < EARLY_BUDGET);
}

/** Every how many writes this cache takes an insertion stack once its early ones are taken. */
function stackInterval(rec: CacheRecord): number {
  return rec.sampleCount < MAX_EARLY_SAMPLES ? SAMPLE_EVERY : SAMPLE_EVERY_LATER;
}

/** The insert that trackKey's fast path cannot finish: samples, first sight, and when the next such insert is. */
function trackSlow(rec: CacheRecord, key: object, below: Function, n: number): void {
  try {
    faultPoint('track');
    const life = (rec.life ??= lifeOf(rec));
    maybeSample(life, key, n);
    if (reg.firstSight) {
      const seen = (rec.keySeq ??= new WeakMap());
      let seq = seen.get(key);
      if (seq === undefined) seen.set(key, (seq = reg.nextSeq++));
      // The first key numbered or taken back since the cache was last found empty (or ever), or an older one.
      if (rec.firstSeq === null) rec.firstSeq = heldOthers(rec, key) ? 0 : seq;
      else if (seq < rec.firstSeq) rec.firstSeq = seq;
    }
    const early = earlyStackDue(rec);
    if (early || n % stackInterval(rec) === 0) {
      if (early) reg.earlySamples++;
      const samples = (rec.samples ??= new WeakMap());
      if (!samples.has(key)) {
        // A cache first seen at this write (lru-cache) already captured this very stack as its creation site.
        const stack = n === 1 && rec.createdIsFirstWrite && rec.createdStack !== null ? rec.createdStack : captureStack(below);
        if (stack !== null) {
          samples.set(key, stack);
          rec.sampleCount++;
        }
      }
    }
    // The next insert that may take a sample: at once while early samples are still due (a key inserted again does
    // not take one), else the next multiple of the stack interval or the lifetime sampler's next turn.
    const every = stackInterval(rec);
    rec.nextWork = earlyStackDue(rec) ? n + 1 : Math.min((Math.floor(n / every) + 1) * every, nextSampleAt(life, n));
  } catch (err) {
    rec.disabled = true;
    reportInternalError('tracking a cache key', err);
  }
}

/**
 * The records whose cache V8 has not collected yet (a cache may still be garbage: only a verdict can tell). Records
 * of collected caches are pruned here too, for when the finalizer has not run yet. Returns records, never caches:
 * callers deref `storeRef` where they need the cache and must not keep it across a collection.
 */
export function liveRecords(): CacheRecord[] {
  const out: CacheRecord[] = [];
  for (const [num, rec] of reg.records) {
    if (rec.storeRef.deref() === undefined) {
      prune(reg, num);
      continue;
    }
    out.push(rec);
  }
  return out;
}

/** A verdict found this cache garbage: forget it now (the finalizer will find nothing left to do). */
export function forgetGarbageCache(rec: CacheRecord): void {
  if (reg.records.delete(rec.num)) countGarbage(reg, rec);
}

/** Caches with object keys that became garbage since the last call (one report to the next), and those the app made. */
export function takeGarbageCacheCounts(): { caches: number; fromApp: number } {
  const counts = { caches: reg.garbageCaches, fromApp: reg.garbageFromApp };
  reg.garbageCaches = 0;
  reg.garbageFromApp = 0;
  return counts;
}

/** Number of records held (tests and the benchmark: the agent's own memory stays bounded). */
export function recordCount(): number {
  return reg.records.size;
}

export function isTrackable(key: unknown): key is object {
  return (typeof key === 'object' && key !== null) || typeof key === 'function';
}
