// The gc engine: in one synchronous turn, take every tracked entry out of every cache it can handle and into an
// ephemeron shadow (a WeakMap keeps an entry's value exactly as long as its key), force one full GC, see which keys
// died, put every surviving entry back exactly and let the libraries remove the dead ones. No app code runs in
// between, so no app code can observe an intermediate state.
//
// Semantics: a key dies when nothing but the instrumented caches keeps it alive — as a key, or through a cached value
// (its own, or that of another dead entry). A value whose key survives survives too, since the app can still look
// it up. Keys the app reaches only through WeakMaps, WeakRefs or a FinalizationRegistry target are dead; the real
// collector decides all of that.
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import { log, reportInternalError } from '../log';
import { type CacheRecord, type DetachedEntry, type Detachment, seqOf, stackOf } from '../track/registry';
import { clearKeptObjects, fullGc, makeCanary, usedHeapBytes } from './force-gc';
import type { CacheVerdict, DeadKey } from './verdict';

interface Target {
  record: CacheRecord;
  store: object;
}

/** Per cache, what survives the GC: WeakRefs and primitives only, nothing that keeps a key alive. */
interface CacheWork {
  record: CacheRecord;
  store: object;
  detachment: Detachment;
  /** Per entry, indexes of its keys in keyRefs; null when entry i has exactly key i. */
  entryKeys: number[][] | null;
  /** Per entry, the WeakMap chain holding its payload (one shared map for single-key entries; just one map when entryKeys is null). */
  entryChain: Array<WeakMap<object, unknown>>;
  keyRefs: Array<WeakRef<object>>;
  keyClass: string[];
  keySeq: number[];
  keyStack: Array<string | null>;
}

export interface GcRun {
  verdicts: CacheVerdict[];
  /** False when the turn could not be isolated (the canary survived): no key was judged dead. */
  exact: boolean;
  freedBytes: number;
}

/** Constructor name without running app code: no getters, no Proxy traps. `names` caches it per prototype. */
export function classNameOf(key: object, names?: Map<object, string>): string {
  if (types.isProxy(key)) return 'Proxy';
  try {
    const proto = Object.getPrototypeOf(key) as object | null;
    if (proto === null) return typeof key === 'function' ? 'Function' : 'Object (null prototype)';
    const known = names?.get(proto);
    if (known !== undefined) return known;
    let name = typeof key === 'function' ? 'Function' : 'Object';
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor && 'value' in ctor && typeof ctor.value === 'function') {
      const own = Object.getOwnPropertyDescriptor(ctor.value, 'name');
      if (own && 'value' in own && typeof own.value === 'string' && own.value !== '') name = own.value;
    }
    // Functions and plain objects can share no prototype with each other, so the cached name is right for both.
    names?.set(proto, name);
    return name;
  } catch {
    return typeof key === 'function' ? 'Function' : 'Object';
  }
}

function addKey(work: CacheWork, key: object, names: Map<object, string>): number {
  const i = work.keyRefs.length;
  work.keyRefs.push(new WeakRef(key));
  work.keyClass.push(classNameOf(key, names));
  work.keySeq.push(seqOf(work.record, key));
  work.keyStack.push(stackOf(work.record, key));
  return i;
}

/**
 * The common case: one key per entry, each key once (lru-cache, lodash, memoizee with one argument). Entry i is key
 * i, so no per-entry index arrays. Returns false, having changed nothing that matters, when the case does not hold.
 */
function shadowSingleKeyEntries(work: CacheWork, detachment: Detachment, hold: StrongHold, names: Map<object, string>): boolean {
  const shared = new WeakMap<object, unknown>();
  const unique = detachment.uniqueKeys === true;
  for (const entry of detachment.entries) {
    const key = entry.keys[0];
    if (!unique && (entry.keys.length !== 1 || shared.has(key!))) {
      work.keyRefs.length = work.keyClass.length = work.keySeq.length = work.keyStack.length = 0;
      return false;
    }
    shared.set(key!, entry.payload);
    addKey(work, key!, names);
    hold.add(key);
    hold.add(entry.payload);
  }
  work.entryChain = [shared];
  work.entryKeys = null;
  return true;
}

/** Move one cache's entries into the shadow. Runs in its own frame so no register of ours keeps a key alive. */
function shadowEntries(work: CacheWork, detachment: Detachment, hold: StrongHold, names: Map<object, string>): void {
  const entries = detachment.entries;
  if (shadowSingleKeyEntries(work, detachment, hold, names)) {
    entries.length = 0;
    return;
  }
  const shared = new WeakMap<object, unknown>();
  const indexOfKey = new Map<object, number>();
  const entryKeys: number[][] = [];
  for (const entry of entries) {
    const idx: number[] = [];
    for (const key of entry.keys) {
      let i = indexOfKey.get(key);
      if (i === undefined) {
        i = addKey(work, key, names);
        indexOfKey.set(key, i);
      }
      idx.push(i);
      hold.add(key);
    }
    hold.add(entry.payload);
    entryKeys.push(idx);
    if (entry.keys.length === 1 && !shared.has(entry.keys[0]!)) {
      shared.set(entry.keys[0]!, entry.payload);
      work.entryChain.push(shared);
    } else {
      // The payload lives only while every key lives: a chain of WeakMaps, one level per key.
      const root = new WeakMap<object, unknown>();
      let level = root;
      entry.keys.forEach((key, n) => {
        if (n === entry.keys.length - 1) {
          level.set(key, entry.payload);
        } else {
          const next = new WeakMap<object, unknown>();
          level.set(key, next);
          level = next;
        }
      });
      work.entryChain.push(root);
    }
  }
  work.entryKeys = entryKeys;
  indexOfKey.clear();
  entries.length = 0;
}

/**
 * Everything detached, held strongly for the baseline GC, in fixed-size chunks whose own size is known: releasing it
 * before the verdict GC frees exactly those chunks, which are subtracted from what that GC frees.
 */
class StrongHold {
  private static readonly CHUNK = 16_384;
  private chunks: unknown[][] = [];
  private current: unknown[] = [];
  private used = StrongHold.CHUNK;
  /** Bytes the chunks occupy, measured at allocation (or computed when a GC interfered). */
  bytes = 0;

  add(item: unknown): void {
    if (this.used === StrongHold.CHUNK) {
      const before = usedHeapBytes();
      this.current = new Array<unknown>(StrongHold.CHUNK).fill(0);
      const measured = usedHeapBytes() - before;
      // A JSArray header (32 bytes) and a FixedArray (16 bytes + one 8-byte slot per element) on a 64-bit heap.
      const computed = 48 + 8 * StrongHold.CHUNK;
      this.bytes += measured > 0 && measured < 2 * computed ? measured : computed;
      this.chunks.push(this.current);
      this.used = 0;
    }
    this.current[this.used++] = item;
  }

  release(): void {
    this.chunks = [];
    this.current = [];
  }
}

function detachAll(targets: Target[], verdicts: CacheVerdict[], hold: StrongHold): CacheWork[] {
  const works: CacheWork[] = [];
  const names = new Map<object, string>();
  for (const { record, store } of targets) {
    const verdict = verdicts.find((v) => v.record === record)!;
    try {
      const reason = record.adapter.whyNotDetachable(store, record, 'drop');
      if (reason) {
        verdict.reason = reason;
        continue;
      }
      const detachment = record.adapter.detach(store, record);
      const work: CacheWork = {
        record,
        store,
        detachment,
        entryKeys: [],
        entryChain: [],
        keyRefs: [],
        keyClass: [],
        keySeq: [],
        keyStack: [],
      };
      shadowEntries(work, detachment, hold, names);
      works.push(work);
    } catch (err) {
      verdict.reason = `internal error while detaching: ${err instanceof Error ? err.message : String(err)}`;
      reportInternalError('detaching a cache for verification', err);
    }
  }
  return works;
}

function payloadOf(chain: WeakMap<object, unknown>, keys: object[]): unknown {
  let level: unknown = chain;
  for (const key of keys) level = (level as WeakMap<object, unknown>).get(key);
  return level;
}

function restoreAll(works: CacheWork[], verdicts: CacheVerdict[], exact: boolean): void {
  for (const work of works) {
    const verdict = verdicts.find((v) => v.record === work.record)!;
    const alive = work.keyRefs.map((ref) => ref.deref());
    let results: Array<DetachedEntry | null>;
    if (work.entryKeys === null) {
      const shared = work.entryChain[0]!;
      results = alive.map((key) => (key === undefined ? null : { keys: [key], payload: shared.get(key) }));
    } else {
      results = work.entryKeys.map((idx, e) => {
        const keys = idx.map((i) => alive[i]);
        if (keys.some((k) => k === undefined)) return null;
        return { keys: keys as object[], payload: payloadOf(work.entryChain[e]!, keys as object[]) };
      });
    }
    try {
      work.detachment.restore(results);
    } catch (err) {
      reportInternalError('restoring a cache after verification', err);
    }
    const dead: DeadKey[] = [];
    alive.forEach((k, i) => {
      if (k === undefined) dead.push({ className: work.keyClass[i]!, seq: work.keySeq[i]!, stack: work.keyStack[i]! });
    });
    verdict.dead = dead;
    verdict.verified = exact;
    if (!exact) verdict.reason = 'the verification turn could not be isolated from WeakRef bookkeeping';
  }
}

/** Run the gc engine over `targets`. Synchronous: safe inside an 'exit' handler. */
export function verifyWithGc(targets: Target[], verdicts: CacheVerdict[]): GcRun {
  // Detach everything into the ephemeron shadow while a strong hold keeps every entry alive, then one baseline GC:
  // it frees whatever garbage the app and the detaching left, so the verdict GC below frees only what the dead
  // entries pinned (and the hold itself, whose size is known).
  const t0 = performance.now();
  const hold = new StrongHold();
  const works = detachAll(targets, verdicts, hold);
  const t1 = performance.now();
  // The WeakRefs just made put every key into V8's keep-during-job set; empty it now so that its table (about 26
  // bytes per key) is freed by the baseline GC and not counted below.
  clearKeptObjects();
  fullGc();
  const t2 = performance.now();
  const before = usedHeapBytes();
  hold.release();
  const canary = makeCanary();
  clearKeptObjects();
  fullGc();
  const after = usedHeapBytes();
  const t3 = performance.now();
  const exact = canary.deref() === undefined;
  if (!exact) log.verify('canary survived: WeakRef keep-during-job set was not cleared; no key is judged dead');
  restoreAll(works, verdicts, exact);
  const t4 = performance.now();
  log.verify('detach %d ms, baseline GC %d ms, verdict GC %d ms, restore %d ms', t1 - t0, t2 - t1, t3 - t2, t4 - t3);
  log.verify('heap before %d after %d, hold %d bytes', before, after, hold.bytes);
  return { verdicts, exact, freedBytes: Math.max(0, before - after - hold.bytes) };
}
