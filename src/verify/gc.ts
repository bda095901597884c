// The gc engine: in one synchronous turn, take every tracked entry out of every cache it can handle and into a shadow
// that holds nothing strongly, force a full GC, see which caches and which keys died, put every surviving entry back
// exactly and let the libraries remove the dead ones. No app code runs in between, so no app code can observe an
// intermediate state.
//
// The shadow is a WeakMap keyed by the cache: its value (the cache's detached storage, and WeakMaps from each key to
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
import { type CacheRecord, type Detachment, allSeenSince, forgetGarbageCache, seqOf, stackOf } from '../track/registry';
import { type Sample, noteRemovedByReport, sampleOf } from '../track/lifecycle';
import { clearKeptObjects, finishSweeping, fullGc, makeCanary, retainedMemory, usedHeapBytes } from './force-gc';
import { type CacheVerdict, ClassNames, DeadKeys } from './verdict';
import { type Scratch, emptyRoom, ensureCapacity, releaseScratch, takeScratch } from './scratch';

export interface GcOptions {
  /** Measure the bytes the dead entries pin: one more full GC (the baseline). */
  bytes: boolean;
  /**
   * A test window's first sequence number (0: a whole report). Only a dead key's side of it matters (build.ts): a
   * report reads no key's number, nor does a window for a cache whose every key was first seen in it.
   */
  sinceSeq: number;
}

/** Per cache, what the agent keeps through the collection: metadata and numbers only, never a key, value or cache. */
interface CacheWork {
  record: CacheRecord;
  verdict: CacheVerdict;
  /**
   * The cache's distinct keys are the run's positions start … start + count - 1 (`Scratch.posKey`: each one's key
   * index); a key's offset is its position minus `start`.
   */
  start: number;
  count: number;
  /** `Scratch.posSeq` holds each key's first-sight number; else every key's is `seq` (see GcOptions). */
  lookUp: boolean;
  seq: number;
  /** Sparse, by offset: the keys with a sampled insertion stack. */
  keyStack: Map<number, string> | null;
  /** Sparse, by offset: the keys with an outstanding lifetime sample (lifecycle.ts). */
  keySample: Map<number, Sample> | null;
  /** Per entry, its keys' offsets; null when entry i has exactly key i (a Map's entries). */
  entryKeys: number[][] | null;
  /** The cache has outstanding lifetime samples. */
  sampled: boolean;
}

/** What lives in the shadow, keyed by the cache: as long as the cache lives, and no longer. */
interface CacheShadow {
  detachment: Detachment;
  /** key → payload, for entries with one key (a cache whose work has `entryKeys`). */
  single: WeakMap<object, unknown>;
  /**
   * key → payload when entry i has exactly key i: entry i's in map i / PAYLOADS_PER_MAP. A table of 100k keys misses
   * the CPU cache on almost every insert and lookup: 50k lookups in one WeakMap of 100k keys took 20 ms of a 110 ms
   * restore. No { key, payload } object per entry: the verdict collection copies every young object the detach made.
   */
  payloadMaps: Array<WeakMap<object, unknown>> | null;
  /** Per entry with several keys: a chain of WeakMaps, one level per key (null for single-key entries). */
  chains: Array<WeakMap<object, unknown> | null> | null;
  /** The entries held strongly for the baseline collection (bytes only). */
  hold: StrongHold | null;
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

/**
 * The verification's own state: the shadow and the key table. Each key object has one index, whatever cache it is in:
 * its WeakRef and class id are in the scratch arrays at that index. Nothing here holds a cache, a key or a value
 * strongly once the detach is over.
 */
interface Run {
  shadow: WeakMap<object, CacheShadow>;
  s: Scratch;
  /** Key indexes given out. */
  count: number;
  /** Positions given out (see CacheWork). */
  positions: number;
  /** key → index while detaching (cleared before any collection); null with a single cache. */
  index: Map<object, number> | null;
  /** Class names by class id; prototype → class id (cleared before any collection). */
  classNames: ClassNames;
  protoIds: Map<object, number>;
  /** The last key's prototype and its class id (null before any collection, as `protoIds` is cleared). */
  lastProto: object | null;
  lastId: number;
  bytes: boolean;
  sinceSeq: number;
  /** WeakRefs made so far (see KEPT_BATCH). */
  refsMade: number;
  /** Slots of `Scratch.alive` and `back` a detach was given to fill (DetachRoom), emptied again after each. */
  roomUsed: number;
}

/**
 * Making a WeakRef, or dereferencing one, puts its target in V8's keep-during-job set, a hash set that lives until the
 * turn ends. At 100k keys its growth was a third of the cost of making the refs and two thirds of reading them back
 * (Node 20 and 26: 100k `new WeakRef` 34 → 21 ms, 100k `deref()` 27 → 9 ms with the set emptied every 1024); the
 * verification empties it every KEPT_BATCH. Nothing else changes: it holds those keys strongly while it works.
 */
const KEPT_BATCH = 2048;

/**
 * A cache's payloads go into WeakMaps of this many keys each: a table of 100k keys misses the CPU cache on almost every
 * insert and lookup, and is copied on each growth. Measured, 100k keys scattered over the heap: one WeakMap 52 ms,
 * WeakMaps of 4096 keys 31–37 ms, of 1024 keys 26 ms (Node 20; Node 26: 31 and 26 ms).
 */
const PAYLOADS_PER_MAP = 1024;

/** The key's class id: classNameOf's answer, remembered per prototype (most keys of a cache share one). */
function classIdOf(run: Run, key: object): number {
  if (!types.isProxy(key)) {
    try {
      const proto = Object.getPrototypeOf(key) as object | null;
      if (proto !== null) {
        if (proto === run.lastProto) return run.lastId;
        let id = run.protoIds.get(proto);
        if (id === undefined) {
          id = run.classNames.idOf(classNameOf(key));
          run.protoIds.set(proto, id);
        }
        run.lastProto = proto;
        run.lastId = id;
        return id;
      }
    } catch {
      // classNameOf says what it can
    }
  }
  return run.classNames.idOf(classNameOf(key));
}

/** The key's index (made on first sight, with its WeakRef and class id). */
function keyIndex(run: Run, key: object): number {
  let i = run.index !== null ? run.index.get(key) : undefined;
  if (i === undefined) {
    i = run.count++;
    run.s.classOf[i] = classIdOf(run, key);
    run.s.refs[i] = new WeakRef(key);
    if (++run.refsMade % KEPT_BATCH === 0) clearKeptObjects();
    run.index?.set(key, i);
  }
  return i;
}

/** Add a distinct key to a cache's work at offset `n`: its index and what the report needs of it. Returns `n`. */
function addKey(run: Run, work: CacheWork, key: object, n: number): number {
  const p = work.start + n;
  run.s.posKey[p] = keyIndex(run, key);
  const record = work.record;
  if (work.lookUp) run.s.posSeq[p] = seqOf(record, key);
  if (record.samples !== null) {
    const stack = stackOf(record, key);
    if (stack !== null) (work.keyStack ??= new Map()).set(n, stack);
  }
  if (work.sampled) {
    const sample = sampleOf(record.life, key);
    if (sample !== null) (work.keySample ??= new Map()).set(n, sample);
  }
  return n;
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
  const detachment = record.adapter.detach(store, record, (n) => {
    // The arrays the keys go to after the collection, empty until then (see Scratch).
    ensureCapacity(run.s, run.positions + n, run.positions);
    run.roomUsed = Math.max(run.roomUsed, n);
    return { keys: run.s.alive as object[], payloads: run.s.back };
  });
  const { count, keys, payloads, multi } = detachment;
  const simple = multi === null && (detachment.uniqueKeys || new Set(keys.slice(0, count)).size === count);
  // Keys over all entries, some maybe twice: room enough for this cache's distinct keys.
  let keyCount = count;
  if (multi) {
    keyCount = 0;
    for (let e = 0; e < count; e++) keyCount += multi[e]!.length;
  }
  ensureCapacity(run.s, run.positions + keyCount, run.positions);
  // A key's number is looked up only when a window may tell it from the others (see GcOptions).
  const allNew = allSeenSince(record, run.sinceSeq);
  const work: CacheWork = {
    record,
    verdict,
    start: run.positions,
    count: 0,
    lookUp: run.sinceSeq > 0 && record.keySeq !== null && !allNew,
    seq: allNew ? record.firstSeq! : 0,
    keyStack: null,
    keySample: null,
    entryKeys: null,
    sampled: record.life !== null && record.life.outstanding > 0,
  };
  const held = keyCount + count;
  const hold = run.bytes ? new StrongHold(held) : null;
  const sh: CacheShadow = { detachment, single: new WeakMap(), payloadMaps: null, chains: null, hold };
  run.shadow.set(store, sh);
  if (simple) {
    // One key per entry, each key once (a Map's entries): entry i is key i, no per-entry index arrays.
    const maps: Array<WeakMap<object, unknown>> = (sh.payloadMaps = []);
    let map = new WeakMap<object, unknown>();
    // The WeakRefs first, the value maps after: each pass's young objects then sit together, and V8's verdict
    // collection copies fewer of them out of the young generation (100k keys, 200 MB: its `evacuate.copy` 16–17 ms
    // with both in one pass, 11.5–12.5 ms like this; the second pass over the keys costs the detach about 3 ms).
    for (let i = 0; i < count; i++) addKey(run, work, keys[i]!, i);
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const payload = payloads[i];
      if (i % PAYLOADS_PER_MAP === 0) maps.push((map = new WeakMap()));
      map.set(key, payload);
      if (hold !== null) {
        hold.add(key);
        hold.add(payload);
      }
    }
    work.count = count;
  } else {
    const local = new Map<object, number>();
    const entryKeys: number[][] = [];
    sh.chains = [];
    for (let e = 0; e < count; e++) {
      const entry = multi ? multi[e]! : [keys[e]!];
      const payload = payloads[e];
      const idx: number[] = [];
      for (const key of entry) {
        let i = local.get(key);
        if (i === undefined) {
          i = addKey(run, work, key, work.count++);
          local.set(key, i);
        }
        idx.push(i);
        hold?.add(key);
      }
      hold?.add(payload);
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
  run.positions += work.count;
  // From here on only the shadow holds the entries.
  keys.fill(undefined as never, 0, count);
  payloads.fill(undefined, 0, count);
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
      // Whatever the failed detach wrote into the verification's arrays must not hold keys through the collection.
      emptyRoom(run.s, run.roomUsed);
      verdict.reason = `internal error while detaching: ${err instanceof Error ? err.message : String(err)}`;
      reportInternalError('detaching a cache for verification', err);
    }
  }
  run.index?.clear();
  run.protoIds.clear();
  run.lastProto = null;
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

function chainPayload(chain: WeakMap<object, unknown>, keys: object[]): unknown {
  let level: unknown = chain;
  for (const key of keys) level = (level as WeakMap<object, unknown>).get(key);
  return level;
}

/** Every key's fate, once for all caches: `Scratch.alive` gets each surviving key at its index. */
function readSurvivors(run: Run): void {
  const { refs, alive } = run.s;
  for (let i = 0; i < run.count; i++) {
    alive[i] = refs[i]!.deref();
    if (i % KEPT_BATCH === KEPT_BATCH - 1) clearKeptObjects();
  }
}

/** Put one surviving cache back; returns its dead keys. */
function restoreOne(run: Run, work: CacheWork, store: object): DeadKeys {
  const sh = run.shadow.get(store)!;
  const { alive, posKey } = run.s;
  const { start, count } = work;
  // Per entry, its key when it survived. With a single cache, every position is its key's index: `alive` is that.
  let back = run.s.back;
  let payloadOf: (i: number) => unknown;
  if (work.entryKeys === null) {
    if (run.index === null) back = alive;
    else for (let i = 0; i < count; i++) back[i] = alive[posKey[start + i]!];
    // Looked up as the adapter puts each survivor back, while its key is in the CPU cache anyway.
    const maps = sh.payloadMaps!;
    const keys = back;
    payloadOf = (i) => maps[(i / PAYLOADS_PER_MAP) | 0]!.get(keys[i]!);
  } else {
    const values: unknown[] = [];
    payloadOf = (i) => values[i];
    const entries = work.entryKeys;
    for (let e = 0; e < entries.length; e++) {
      const keys = entries[e]!.map((o) => alive[posKey[start + o]!]);
      if (keys.some((k) => k === undefined)) {
        back[e] = undefined;
        values.push(undefined);
        continue;
      }
      const chain = sh.chains![e];
      back[e] = keys[0];
      values.push(chain ? chainPayload(chain, keys as object[]) : sh.single.get(keys[0]!));
    }
  }
  try {
    sh.detachment.restore(store, back, payloadOf);
  } catch (err) {
    reportInternalError('restoring a cache after verification', err);
  }
  if (back !== alive) back.fill(undefined, 0, work.entryKeys === null ? count : work.entryKeys.length);
  return collectDead(run, work);
}

/**
 * A work's sampled keys (stacks or lifetimes, by offset, added in increasing order by the detach), read alongside a
 * walk over increasing offsets: the value at offset `o`, or undefined; no lookup per key.
 */
function walkSampled<T>(sampled: Map<number, T> | null): (o: number) => T | undefined {
  const list = sampled !== null ? [...sampled] : [];
  let next = 0;
  return (o) => {
    while (next < list.length && list[next]![0] < o) next++;
    return next < list.length && list[next]![0] === o ? list[next]![1] : undefined;
  };
}

/** The work's keys that did not survive, column by column. */
function collectDead(run: Run, work: CacheWork): DeadKeys {
  const { alive, posKey, posSeq, classOf } = run.s;
  const { start, count } = work;
  let n = 0;
  for (let o = 0; o < count; o++) if (alive[posKey[start + o]!] === undefined) n++;
  if (n === 0) return DeadKeys.none;
  const classIds = new Int32Array(n);
  const ids = new Int32Array(n);
  const seqs = work.lookUp ? new Float64Array(n) : null;
  let stacks: Map<number, string> | null = null;
  const removedSamples: Sample[] = [];
  const stackAt = walkSampled(work.keyStack);
  const sampleAt = walkSampled(work.keySample);
  for (let o = 0, j = 0; o < count; o++) {
    const id = posKey[start + o]!;
    if (alive[id] !== undefined) continue;
    ids[j] = id;
    classIds[j] = classOf[id]!;
    if (seqs !== null) seqs[j] = posSeq[start + o]!;
    const stack = stackAt(o);
    if (stack !== undefined) (stacks ??= new Map()).set(j, stack);
    const sample = sampleAt(o);
    if (sample !== undefined) removedSamples.push(sample);
    j++;
  }
  noteRemovedByReport(removedSamples);
  return new DeadKeys(run.classNames.list, classIds, ids, seqs, work.seq, stacks);
}

function restoreAll(run: Run, works: CacheWork[], exact: boolean): void {
  const now = Date.now();
  readSurvivors(run);
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
function noteRemoved(record: CacheRecord, dead: DeadKeys, now: number): void {
  const removed = (record.removed ??= { deadKeys: 0, classes: new Map(), firstStack: null, at: now });
  removed.deadKeys += dead.length;
  removed.at = now;
  for (const [name, n] of dead.classCounts(0)) removed.classes.set(name, (removed.classes.get(name) ?? 0) + n);
  if (removed.firstStack === null) for (const stack of dead.stacksSince(0)) return void (removed.firstStack = stack);
}

export interface GcRun {
  /** False when the turn could not be isolated (the canary survived): no key was judged dead. */
  exact: boolean;
  /** Bytes the dead entries pinned (JS heap and ArrayBuffer memory), or null when not measured. */
  freedBytes: number | null;
}

/** Run the gc engine over the verdicts' caches. Synchronous: safe inside an 'exit' handler. */
/** Run the gc engine over the verdicts' caches. Synchronous: safe inside an 'exit' handler. */
export function verifyWithGc(verdicts: CacheVerdict[], opts: GcOptions): GcRun {
  const s = takeScratch();
  const run: Run = {
    shadow: new WeakMap(),
    s,
    count: 0,
    positions: 0,
    index: verdicts.length > 1 ? new Map() : null,
    classNames: new ClassNames(),
    protoIds: new Map(),
    lastProto: null,
    lastId: 0,
    bytes: opts.bytes,
    sinceSeq: opts.sinceSeq,
    refsMade: 0,
    roomUsed: 0,
  };
  try {
    return verifyIn(run, verdicts, opts);
  } finally {
    emptyRoom(run.s, Math.max(run.count, run.roomUsed));
    releaseScratch(run.s, run.count);
  }
}

function verifyIn(run: Run, verdicts: CacheVerdict[], opts: GcOptions): GcRun {
  const t0 = performance.now();
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
  // The full GC decided every key; the minor one only lets freed ArrayBuffer memory show (bytes).
  if (opts.bytes) finishSweeping();
  const after = opts.bytes ? retainedMemory() : 0;
  const t3 = performance.now();
  const exact = canary.deref() === undefined;
  if (!exact) log.verify('canary survived: WeakRef keep-during-job set was not cleared; no key is judged dead');
  restoreAll(run, works, exact);
  const t4 = performance.now();
  log.verify('detach %d ms, baseline GC %d ms, verdict GC %d ms, restore %d ms (%d keys)', t1 - t0, t2 - t1, t3 - t2, t4 - t3, run.count);
  if (opts.bytes) log.verify('memory before %d after %d, hold %d bytes', before, after, released);
  return { exact, freedBytes: opts.bytes ? Math.max(0, before - after - released) : null };
}
