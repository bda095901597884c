// The registry of instrumented caches and the keys they were given.
// Nothing here holds a key, a value or a cache strongly: caches are reached through WeakRefs, keys only through
// WeakMaps whose values are primitives (sequence numbers) or strings (sampled stacks).
//
// What an insert costs: the verdict enumerates the caches' own storage (adapter.detach) and judges each key with a
// WeakRef and a real GC, so nothing per key is needed for it. Per insert the agent counts, and keeps the insertion
// stack of a bounded sample of keys. Only once a test window has been opened (Vitest, expectNoCacheLeaks) does it
// also remember each key's first sight, which is what a window compares. Per-key weak bookkeeping is what V8 makes
// expensive: a WeakMap entry costs 0.6–1.7 µs per insert on the CI machine (more the longer keys live) and a
// FinalizationRegistry cell as much again, against 80–300 ns for the libraries' own miss path
// (`npm run bench -- --only ops`).
import { captureStack } from '../source/callsite';
import { faultPoint } from '../fault';
import { noteCacheCreated } from './created';
import { log, reportInternalError } from '../log';

// Derived from the library declarations (src/libraries): 'lodash', 'lodash.memoize', 'lodash-es', 'memoizee', 'lru-cache'.
import type { LibraryName } from '../libraries/index';
export type { LibraryName };

/** One detached entry: every object key it needs (all must stay alive) and what the adapter wants back. */
export interface DetachedEntry {
  keys: object[];
  payload: unknown;
  /** The cached value, when the payload is more than that (memoizee: its arguments too). */
  value?: unknown;
}

/**
 * Entries taken out of a cache by an adapter for one verification turn. `restore` gets, in the same order, either the
 * entry (its keys survived) to put back exactly, or null (a key died) to remove the way the library itself would.
 * A Detachment must not itself reference any key or value: it keeps slot numbers only.
 */
export interface Detachment {
  entries: DetachedEntry[];
  /** True when every entry has exactly one key and no key is in two entries (a Map's keys): no duplicate check. */
  uniqueKeys?: boolean;
  restore(results: Array<DetachedEntry | null>): void;
}

export interface CacheAdapter {
  /** Tracked (object/function) keys the cache holds now. */
  countKeys(store: object, record: CacheRecord): number;
  /**
   * Why this cache cannot be detached without side effects right now, or null when it can. `purpose` says what the
   * restore will do: 'drop' removes dead entries (gc engine), 'restore-all' puts every entry back (snapshot engine).
   */
  whyNotDetachable(store: object, record: CacheRecord, purpose: 'drop' | 'restore-all'): string | null;
  /** Call `fn` with each tracked key the cache holds now (a key may come more than once). Changes nothing. */
  forEachKey(store: object, record: CacheRecord, fn: (key: object) => void): void;
  /** Take every entry with an object key out of the cache's storage, silently. */
  detach(store: object, record: CacheRecord): Detachment;
  /** Options that bound the cache (max, ttl, ...), for the report. */
  options(store: object, record: CacheRecord): Record<string, number | boolean | string>;
  /** Name of the memoized function, when the record does not know it yet. */
  name?(store: object, record: CacheRecord): string | null;
}

export interface CacheRecord {
  readonly num: number;
  readonly id: string;
  readonly library: LibraryName;
  readonly libraryVersion: string;
  name: string | null;
  /** Compact stack of the creation (or first write) site; a string, never an Error. */
  readonly createdStack: string | null;
  readonly createdIsFirstWrite: boolean;
  readonly storeRef: WeakRef<object>;
  readonly adapter: CacheAdapter;
  /** Insertions of object keys (every write, not distinct keys); paces the stack sample. */
  inserted: number;
  /** key → first-sight sequence number, for test windows; kept only once a window has been opened (see currentSeq). */
  readonly keySeq: WeakMap<object, number>;
  /** key → compact insertion stack, for a bounded sample of keys. */
  readonly samples: WeakMap<object, string>;
  sampleCount: number;
  /** Tracking for this cache stopped after an internal error. */
  disabled: boolean;
  /** What the adapters noticed that changes the advice ('keyed-by-this'). */
  readonly hints: Set<string>;
}

// Insertion stacks: the first 8 object-key writes of a cache, then every 64th until 32 stacks, then every 1024th for
// as long as the cache lives, so a leak that starts late still has an example. A sample dies with its key, so the
// samples a cache keeps stay within about 1/1024 of its keys.
const MAX_EARLY_SAMPLES = 32;
const SAMPLE_EVERY = 64;
const SAMPLE_EVERY_LATER = 1024;

let nextRecordNum = 1;
let nextSeq = 1;
const records = new Map<number, CacheRecord>();

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
  const num = nextRecordNum++;
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
    keySeq: new WeakMap(),
    samples: new WeakMap(),
    sampleCount: 0,
    disabled: false,
    hints: new Set(),
  };
  records.set(num, rec);
  log.track('new cache %s: %s@%s %s', rec.id, rec.library, rec.libraryVersion, rec.name ?? '(anonymous)');
  return rec;
}

/** Whether inserts record first sight (from the first test window on). */
let firstSight = false;

/** A key's first-sight number: 0 when it was seen before the first window (or no window was ever opened). */
export function seqOf(rec: CacheRecord, key: object): number {
  return firstSight ? (rec.keySeq.get(key) ?? 0) : 0;
}

/** A key's sampled insertion stack, or null. */
export function stackOf(rec: CacheRecord, key: object): string | null {
  return rec.sampleCount > 0 ? (rec.samples.get(key) ?? null) : null;
}

/**
 * The sequence number the next tracked insertion will get; opens a window (a test file, a test, a callback): keys
 * first seen from now on have a number at least this big. The first call switches first-sight bookkeeping on and
 * gives every key the caches hold now number 0 (seen before any window), so that writing such a key again inside a
 * window does not count as a new insertion.
 */
export function currentSeq(): number {
  if (!firstSight) {
    firstSight = true;
    for (const { record, store } of liveRecords()) {
      try {
        record.adapter.forEachKey(store, record, (key) => {
          if (!record.keySeq.has(key)) record.keySeq.set(key, 0);
        });
      } catch (err) {
        reportInternalError('opening a test window', err);
      }
    }
  }
  return nextSeq;
}

/**
 * Record that `key` (an object or function) went into the cache of `rec`. Called by adapters after the library's own
 * insert returned; never throws. `below` is the adapter's wrapper, so the sampled stack starts in the app.
 */
export function trackKey(rec: CacheRecord, key: object, below: Function): void {
  if (rec.disabled) return;
  try {
    faultPoint('track');
    const n = ++rec.inserted;
    if (firstSight && !rec.keySeq.has(key)) rec.keySeq.set(key, nextSeq++);
    if ((rec.sampleCount < 8 || n % (rec.sampleCount < MAX_EARLY_SAMPLES ? SAMPLE_EVERY : SAMPLE_EVERY_LATER) === 0) && !rec.samples.has(key)) {
      const stack = captureStack(below);
      if (stack !== null) {
        rec.samples.set(key, stack);
        rec.sampleCount++;
      }
    }
  } catch (err) {
    rec.disabled = true;
    reportInternalError('tracking a cache key', err);
  }
}

/** Live records; records whose cache was collected are dropped here. */
export function liveRecords(): Array<{ record: CacheRecord; store: object }> {
  const out: Array<{ record: CacheRecord; store: object }> = [];
  for (const [num, rec] of records) {
    const store = rec.storeRef.deref();
    if (store === undefined) {
      records.delete(num);
      continue;
    }
    out.push({ record: rec, store });
  }
  return out;
}

export function isTrackable(key: unknown): key is object {
  return (typeof key === 'object' && key !== null) || typeof key === 'function';
}
