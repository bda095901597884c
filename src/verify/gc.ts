// The gc engine: in one synchronous turn, take every tracked entry out of every cache it can handle and into a shadow
// that holds nothing strongly, force a full GC, see which caches and which keys died, put every surviving entry back
// exactly and let the libraries remove the dead ones. No app code runs in between, so no app code can observe an
// intermediate state.
//
// The shadow is a WeakMap keyed by the cache: its value (the cache's detached storage, and a WeakMap from each key to
// its cached value) lives only while the cache itself lives, and each value only while its key lives. So:
// - a cache the app no longer reaches is garbage, and so are its entries — it is never judged (its keys never count
//   as dead), whether V8 had collected it before the report or collects it now;
// - a key dies when nothing but the instrumented caches keeps it alive — as a key, or through a cached value (its own,
//   or that of another dead entry); a value whose key survives survives too, since the app can still look it up;
// - keys the app reaches only through WeakMaps, WeakRefs or a FinalizationRegistry target are dead.
// The real collector decides all of that; the agent holds caches and keys only through WeakRefs while it runs.
//
// Bytes (reports, not test windows): a first "baseline" collection runs while each live cache's entries are also held
// strongly — through the same per-cache shadow, so garbage caches and other garbage go in it — then the hold is
// released and the verdict collection frees exactly what the dead entries pinned: JS heap and ArrayBuffer memory.
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import { log, reportInternalError } from '../log';
import { type CacheRecord, type Detachment, forgetGarbageCache, seqOf, stackOf } from '../track/registry';
import { type Sample, noteRemovedByReport, sampleOf } from '../track/lifecycle';
import { clearKeptObjects, finishSweeping, fullGc, makeCanary, retainedMemory, usedHeapBytes } from './force-gc';
import type { CacheVerdict, DeadKey } from './verdict';

export interface GcOptions {
  /** Measure the bytes the dead entries pin: one more full GC (the baseline). */
  bytes: boolean;
}

/** Per cache, what the agent keeps through the collection: metadata and numbers only, never a key, value or cache. */
interface CacheWork {
  record: CacheRecord;
  verdict: CacheVerdict;
  /** Distinct keys of this cache, as indexes into the verification's key table. */
  keys: number[];
  keySeq: number[];
  keyStack: Array<string | null>;
  /** Per key, its lifetime sample, when it has one (lifecycle.ts); null when the cache has none outstanding. */
  keySample: Array<Sample | null> | null;
  /** Per entry, indexes into `keys`; null when entry i has exactly key i (a Map's entries). */
  entryKeys: number[][] | null;
}

/** What lives in the shadow, keyed by the cache: as long as the cache lives, and no longer. */
interface CacheShadow {
  detachment: Detachment;
  /** key → payload, for entries with one key. */
  single: WeakMap<object, unknown>;
  /** Per entry with several keys: a chain of WeakMaps, one level per key (null for single-key entries). */
  chains: Array<WeakMap<object, unknown> | null> | null;
  /** The entries held strongly for the baseline collection (bytes only). */
  hold: StrongHold | null;
}

/** The keys of one verification, each object once, whatever cache it is in. */
interface KeyTable {
  refs: Array<WeakRef<object>>;
  classes: string[];
}

/** Constructor name without running app code: no getters, no Proxy traps. `names` caches it per prototype. */
export function classNameOf(key: object, names?: Map<object, string>): string {
  if (types.isProxy(key)) return 'Proxy';
  try {
    const proto = Object.getPrototypeOf(key) as object | null;
    if (proto === null) return typeof key === 'function' ? 'Function' : 'Object (null prototype)';
    const known = names?.get(proto);
    if (known !== undefined) return known;
    const name = nearestConstructorName(proto) ?? (typeof key === 'function' ? 'Function' : 'Object');
    // Functions and plain objects can share no prototype with each other, so the cached name is right for both.
    names?.set(proto, name);
    return name;
  } catch {
    return typeof key === 'function' ? 'Function' : 'Object';
  }
}

/**
 * The name of the nearest constructor on a prototype chain, read from own data properties only. A framework object
 * made with Object.create(SomeClass.prototype) (an Express request: its prototype is the app's `request` object,
 * which inherits from IncomingMessage.prototype) has no `constructor` of its own: the chain goes on to one that has.
 */
function nearestConstructorName(start: object): string | null {
  let proto: object | null = start;
  for (let depth = 0; proto !== null && depth < 32; depth++) {
    if (types.isProxy(proto)) return null;
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor && 'value' in ctor && typeof ctor.value === 'function' && !types.isProxy(ctor.value)) {
      const own = Object.getOwnPropertyDescriptor(ctor.value, 'name');
      if (own && 'value' in own && typeof own.value === 'string' && own.value !== '') return own.value;
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return null;
}

/**
 * Everything detached, held strongly for the baseline GC, in fixed-size chunks whose own size is known: releasing it
 * before the verdict GC frees exactly those chunks, which are subtracted from what that GC frees.
 */
class StrongHold {
  private static readonly CHUNK = 16_384;
  private chunks: unknown[][] = [];
  private current: unknown[] = [];
  private size = 0;
  private used = 0;
  /** Bytes the chunks occupy, measured at allocation (or computed when a GC interfered). */
  bytes = 0;

  /** `expected`: how many items will be added (chunks are no bigger than needed, so a small cache holds little). */
  constructor(private remaining: number) {}

  add(item: unknown): void {
    if (this.used === this.size) {
      this.size = Math.max(1, Math.min(StrongHold.CHUNK, this.remaining));
      const before = usedHeapBytes();
      this.current = new Array<unknown>(this.size).fill(0);
      const measured = usedHeapBytes() - before;
      // A JSArray header (32 bytes) and a FixedArray (16 bytes + one 8-byte slot per element) on a 64-bit heap.
      const computed = 48 + 8 * this.size;
      this.bytes += measured > 0 && measured < 2 * computed ? measured : computed;
      this.chunks.push(this.current);
      this.used = 0;
    }
    this.remaining--;
    this.current[this.used++] = item;
  }
}

/** The verification's own state: the shadow, the key table. Nothing here holds a cache, a key or a value strongly. */
interface Run {
  shadow: WeakMap<object, CacheShadow>;
  table: KeyTable;
  /** key → index in the table while detaching (cleared before any collection); null with a single cache. */
  index: Map<object, number> | null;
  names: Map<object, string>;
  bytes: boolean;
}

function keyIndex(run: Run, key: object): number {
  let i = run.index?.get(key);
  if (i !== undefined) return i;
  i = run.table.refs.length;
  run.table.refs.push(new WeakRef(key));
  run.table.classes.push(classNameOf(key, run.names));
  run.index?.set(key, i);
  return i;
}

/**
 * Move one cache's entries into the shadow. Returns the cache's work, or null when it could not be detached (the
 * verdict says why). Its own frame, so that no local of ours still points at the cache or a key afterwards.
 */
function detachOne(run: Run, record: CacheRecord, verdict: CacheVerdict): CacheWork | null {
  if (verdict.reason !== null) return null; // already set aside (no heap left to judge it)
  const store = record.storeRef.deref();
  if (store === undefined) {
    verdict.garbage = true;
    return null;
  }
  const reason = record.adapter.whyNotDetachable(store, record);
  if (reason) {
    verdict.reason = reason;
    return null;
  }
  const detachment = record.adapter.detach(store, record);
  const { keys, payloads, multi } = detachment;
  const sampled = record.life !== null && record.life.outstanding > 0;
  const work: CacheWork = { record, verdict, keys: [], keySeq: [], keyStack: [], keySample: sampled ? [] : null, entryKeys: null };
  let held = payloads.length;
  if (multi) for (const k of multi) held += k.length;
  else held += keys.length;
  const sh: CacheShadow = { detachment, single: new WeakMap(), chains: null, hold: run.bytes ? new StrongHold(held) : null };
  run.shadow.set(store, sh);
  const addKey = (key: object): number => {
    work.keys.push(keyIndex(run, key));
    work.keySeq.push(seqOf(record, key));
    work.keyStack.push(stackOf(record, key));
    work.keySample?.push(sampleOf(record.life, key));
    return work.keys.length - 1;
  };
  const simple = multi === null && (detachment.uniqueKeys || new Set(keys).size === keys.length);
  if (simple) {
    // One key per entry, each key once (a Map's entries): entry i is key i, no per-entry index arrays.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      sh.single.set(key, payloads[i]);
      addKey(key);
      sh.hold?.add(key);
      sh.hold?.add(payloads[i]);
    }
  } else {
    const local = new Map<object, number>();
    const entryKeys: number[][] = [];
    sh.chains = [];
    for (let e = 0; e < payloads.length; e++) {
      const entry = multi ? multi[e]! : [keys[e]!];
      const payload = payloads[e];
      const idx: number[] = [];
      for (const key of entry) {
        let i = local.get(key);
        if (i === undefined) {
          i = addKey(key);
          local.set(key, i);
        }
        idx.push(i);
        sh.hold?.add(key);
      }
      sh.hold?.add(payload);
      entryKeys.push(idx);
      if (entry.length === 1 && !sh.single.has(entry[0]!)) {
        sh.single.set(entry[0]!, payload);
        sh.chains.push(null);
      } else {
        // The payload lives only while every key lives: a chain of WeakMaps, one level per key.
        const root = new WeakMap<object, unknown>();
        let level = root;
        entry.forEach((key, n) => {
          if (n === entry.length - 1) {
            level.set(key, payload);
          } else {
            const next = new WeakMap<object, unknown>();
            level.set(key, next);
            level = next;
          }
        });
        sh.chains.push(root);
      }
    }
    local.clear();
    work.entryKeys = entryKeys;
  }
  // From here on only the shadow holds the entries.
  keys.length = 0;
  payloads.length = 0;
  if (multi) multi.length = 0;
  return work;
}

function detachAll(run: Run, verdicts: CacheVerdict[]): CacheWork[] {
  const works: CacheWork[] = [];
  for (const verdict of verdicts) {
    try {
      const work = detachOne(run, verdict.record, verdict);
      if (work) works.push(work);
    } catch (err) {
      verdict.reason = `internal error while detaching: ${err instanceof Error ? err.message : String(err)}`;
      reportInternalError('detaching a cache for verification', err);
    }
  }
  run.index?.clear();
  run.names.clear();
  return works;
}

/** After the baseline collection: drop the strong holds of the caches that are still there; their total size. */
function releaseHolds(run: Run, works: CacheWork[]): number {
  let released = 0;
  for (const work of works) {
    const store = work.record.storeRef.deref();
    const sh = store === undefined ? undefined : run.shadow.get(store);
    if (sh?.hold) {
      released += sh.hold.bytes;
      sh.hold = null;
    }
  }
  return released;
}

function payloadOf(chain: WeakMap<object, unknown>, keys: object[]): unknown {
  let level: unknown = chain;
  for (const key of keys) level = (level as WeakMap<object, unknown>).get(key);
  return level;
}

/** Put one surviving cache back; returns its dead keys. */
function restoreOne(run: Run, work: CacheWork, store: object): DeadKey[] {
  const sh = run.shadow.get(store)!;
  const alive = work.keys.map((k) => run.table.refs[k]!.deref());
  let back: Array<object | undefined>;
  let values: unknown[];
  if (work.entryKeys === null) {
    back = alive;
    values = alive.map((key) => (key === undefined ? undefined : sh.single.get(key)));
  } else {
    back = [];
    values = [];
    work.entryKeys.forEach((idx, e) => {
      const keys = idx.map((i) => alive[i]);
      if (keys.some((k) => k === undefined)) {
        back.push(undefined);
        values.push(undefined);
        return;
      }
      const chain = sh.chains![e];
      back.push(keys[0]);
      values.push(chain ? payloadOf(chain, keys as object[]) : sh.single.get(keys[0]!));
    });
  }
  try {
    sh.detachment.restore(store, back, values);
  } catch (err) {
    reportInternalError('restoring a cache after verification', err);
  }
  const dead: DeadKey[] = [];
  const removedSamples: Array<Sample | null> = [];
  alive.forEach((k, i) => {
    if (k !== undefined) return;
    dead.push({ className: run.table.classes[work.keys[i]!]!, seq: work.keySeq[i]!, stack: work.keyStack[i]!, id: work.keys[i]! });
    if (work.keySample) removedSamples.push(work.keySample[i]!);
  });
  noteRemovedByReport(removedSamples);
  return dead;
}

function restoreAll(run: Run, works: CacheWork[], exact: boolean): void {
  const now = Date.now();
  for (const work of works) {
    const { verdict, record } = work;
    const store = record.storeRef.deref();
    if (store === undefined) {
      // The cache was garbage itself: its entries went with it, and none of its keys is a leak.
      verdict.garbage = true;
      forgetGarbageCache(record);
      continue;
    }
    const dead = restoreOne(run, work, store);
    verdict.dead = dead;
    verdict.verified = exact;
    verdict.engine = 'gc';
    if (!exact) verdict.reason = 'the verification turn could not be isolated from WeakRef bookkeeping';
    if (dead.length > 0) noteRemoved(record, dead, now);
  }
}

/** The gc engine removed these dead entries: the next report still says that they were found. */
function noteRemoved(record: CacheRecord, dead: DeadKey[], now: number): void {
  const removed = (record.removed ??= { deadKeys: 0, classes: new Map(), firstStack: null, at: now });
  removed.deadKeys += dead.length;
  removed.at = now;
  for (const d of dead) {
    removed.classes.set(d.className, (removed.classes.get(d.className) ?? 0) + 1);
    if (removed.firstStack === null && d.stack !== null) removed.firstStack = d.stack;
  }
}

export interface GcRun {
  /** False when the turn could not be isolated (the canary survived): no key was judged dead. */
  exact: boolean;
  /** Bytes the dead entries pinned (JS heap and ArrayBuffer memory), or null when not measured. */
  freedBytes: number | null;
}

/** Run the gc engine over the verdicts' caches. Synchronous: safe inside an 'exit' handler. */
export function verifyWithGc(verdicts: CacheVerdict[], opts: GcOptions): GcRun {
  const t0 = performance.now();
  const run: Run = {
    shadow: new WeakMap(),
    table: { refs: [], classes: [] },
    index: verdicts.length > 1 ? new Map() : null,
    names: new Map(),
    bytes: opts.bytes,
  };
  const works = detachAll(run, verdicts);
  if (works.length === 0) return { exact: true, freedBytes: null }; // nothing taken: no collection to run
  const t1 = performance.now();
  // The WeakRefs just made (and every deref) put their targets into V8's keep-during-job set: empty it, so that
  // nothing but the shadow's own rules decides what lives.
  clearKeptObjects();
  let before = 0;
  let released = 0;
  if (opts.bytes) {
    fullGc();
    finishSweeping();
    before = retainedMemory();
    released = releaseHolds(run, works);
    clearKeptObjects();
  }
  const t2 = performance.now();
  const canary = makeCanary();
  clearKeptObjects();
  fullGc();
  finishSweeping();
  const after = opts.bytes ? retainedMemory() : 0;
  const t3 = performance.now();
  const exact = canary.deref() === undefined;
  if (!exact) log.verify('canary survived: WeakRef keep-during-job set was not cleared; no key is judged dead');
  restoreAll(run, works, exact);
  const t4 = performance.now();
  log.verify('detach %d ms, baseline GC %d ms, verdict GC %d ms, restore %d ms (%d keys)', t1 - t0, t2 - t1, t3 - t2, t4 - t3, run.table.refs.length);
  if (opts.bytes) log.verify('memory before %d after %d, hold %d bytes', before, after, released);
  return { exact, freedBytes: opts.bytes ? Math.max(0, before - after - released) : null };
}
