// The registry of instrumented caches and the keys they were given.
// Nothing here holds a key, a value or a cache strongly: caches are reached through WeakRefs, keys through WeakMaps
// and a FinalizationRegistry whose held values are record numbers (primitives).
import { captureStack } from '../source/callsite';
import { faultPoint } from '../fault';
import { log, reportInternalError } from '../log';

export type LibraryName = 'lodash.memoize' | 'lodash' | 'lodash-es' | 'memoizee' | 'lru-cache';

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
  /** Object keys given to the cache (first sight per key). */
  inserted: number;
  /** Tracked keys the garbage collector has reclaimed since. */
  collected: number;
  /** key → insertion sequence number (first sight), for per-test and per-callback windows. */
  readonly keySeq: WeakMap<object, number>;
  /** key → compact insertion stack, for a bounded sample of keys. */
  readonly samples: WeakMap<object, string>;
  sampleCount: number;
  /** Tracking for this cache stopped after an internal error. */
  disabled: boolean;
  /** What the adapters noticed that changes the advice ('keyed-by-this'). */
  readonly hints: Set<string>;
}

const MAX_SAMPLES_PER_CACHE = 32;
const SAMPLE_EVERY = 64;

let nextRecordNum = 1;
let nextSeq = 1;
const records = new Map<number, CacheRecord>();

// Held values are record numbers; the registry callback only counts.
const collectedRegistry = new FinalizationRegistry<number>((num) => {
  const rec = records.get(num);
  if (rec) rec.collected++;
});

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
    collected: 0,
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

/** The sequence number the next tracked insertion will get; used to open a window (a test file, a callback). */
export function currentSeq(): number {
  return nextSeq;
}

/**
 * Record that `key` (an object or function) went into the cache of `rec`. Called by adapters after the library's own
 * insert returned; never throws. `below` is the adapter's wrapper, so the sampled stack starts in the app.
 */
export function trackKey(rec: CacheRecord, key: object, below: Function): void {
  if (rec.disabled) return;
  try {
    if (rec.keySeq.has(key)) return;
    faultPoint('track');
    rec.keySeq.set(key, nextSeq++);
    rec.inserted++;
    collectedRegistry.register(key, rec.num);
    if (rec.sampleCount < MAX_SAMPLES_PER_CACHE && (rec.sampleCount < 8 || rec.inserted % SAMPLE_EVERY === 0)) {
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
