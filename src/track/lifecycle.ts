// Key lifetimes, sampled: which cache was the last holder of the keys it let go — with no pause at all.
//
// A key that V8 collects right after its cache evicted it was kept alive by that cache and by nothing else; a cache
// whose keys all die that way is what keeps "max entries × object size" alive (the seed incident's plateau). This is
// the one signal that needs no stop-the-world verdict, so it also covers caches no engine can judge and runs with
// LEAK_AGENT_VERIFY=off.
//
// How: a sample of each cache's object keys is registered with one FinalizationRegistry (held value: a number, the
// sample's slot — never the key, the cache or a value) and remembered in a WeakMap of the cache (key → sample). No
// WeakRef: V8 keeps a WeakRef's target alive until the current job ends, so a script that does all its work in one
// turn would keep every sampled key its cache evicted (the demo's heap grew 3× that way). A sweep (an unref'd timer,
// only while samples are outstanding) walks each sampled cache's storage (the adapter's forEachKey: no app code, no
// library method) and notes which samples it still holds; one it no longer holds is marked removed at that sweep. A
// cache's sweeps are paced by its size (every SWEEP_MS, or SWEEP_MS_PER_KEY per key it holds, whichever is longer), so
// walking a large cache stays under about 1% of one core. Libraries that report removals themselves (memoizee's
// delete/clear events) are not walked. When V8 collects a sampled key, it counts as collected after eviction when the
// cache removed it at most LAST_HOLDER_SWEEPS of that cache's sweeps before (or after its last sweep: removed and
// collected in between). (A canary object re-registered from the registry's own callback would have told of each
// collection sooner, but it made Node's exit spin forever: draining its platform tasks ran the callback, which made the
// next collection's task, and so on.)
//
// Bounds: the first SAMPLE_FIRST object keys of each cache (of the first FULL_CACHES caches a process makes; later ones,
// typically made per request, only their first key), then one in SAMPLE_EVERY; at most MAX_PER_CACHE samples
// outstanding per cache and MAX_SAMPLES in the process (about 150 bytes each: a registry cell, a WeakMap entry, a
// slot), so at most ~2.5 MiB whatever the app does. A sample costs about 1 µs; amortized over a long-lived cache's
// inserts, a few ns. Nothing here holds a key, a value or a cache strongly, not even until the end of a job.
import { log } from '../log';
import { rootScope, slot } from '../shared';

const SAMPLE_FIRST = 256;
const FULL_CACHES = 1024;
const SAMPLE_EVERY = 256;
const MAX_PER_CACHE = 1024;
const MAX_SAMPLES = 16_384;
const SWEEP_MS = 200;
/** A cache of 100k keys is walked every 2 s: a few ms each time. */
const SWEEP_MS_PER_KEY = 0.02;
const LAST_HOLDER_SWEEPS = 3;

/** What a cache's adapter answers for the sweep. */
export interface Holder {
  /** The library reports removals itself (memoizee): nothing to walk. */
  reportsRemovals: boolean;
  /** Each tracked key the cache's storage holds now (no app code). */
  forEachKey(fn: (key: object) => void): void;
}

export interface Sample {
  slot: number;
  cache: CacheLife;
  /** The cache's sweep that last found the key in its storage. */
  seenAt: number;
  /** The cache's sweep number at which it was first seen without the key, or 0 (still held, as far as seen). */
  removedAt: number;
  /** When that was noticed (ms), for the time from removal to collection. */
  removedMs: number;
  /** A report's verdict found the key dead and removed it: not the cache's own eviction, not counted. */
  removedByReport: boolean;
}

/** One cache's lifecycle figures (per record). */
export interface CacheLife {
  /** How many of its first keys are all sampled. */
  first: number;
  /** Sampled key → its sample (to mark removals the library reports, without scanning every sample). */
  byKey: WeakMap<object, Sample>;
  /** Slots of its outstanding samples the cache held when last seen (removals drop them from here). */
  held: Set<number>;
  sampled: number;
  collected: number;
  collectedAfterEviction: number;
  /** ms from removal to collection of keys collected after eviction, for the median (bounded). */
  delays: number[];
  outstanding: number;
  /** The cache is gone: its outstanding samples no longer count. */
  dead: boolean;
  holder: () => Holder | null;
  /** This cache's sweeps so far (what removedAt and LAST_HOLDER_SWEEPS count in). */
  sweeps: number;
  /** Date.now() before which the next sweep skips this cache (pacing by size). */
  nextSweepMs: number;
}

interface State {
  registry: FinalizationRegistry<number>;
  samples: Map<number, Sample>;
  nextSlot: number;
  timer: ReturnType<typeof setInterval> | null;
}

const state: State = slot('lifecycle', () => {
  const s: State = {
    // Runs after V8 collected a sampled key: only the agent's own numbers and Maps, never app code.
    registry: new FinalizationRegistry((held: number) => collected(s, held)),
    samples: new Map(),
    nextSlot: 1,
    timer: null,
  };
  return s;
});

/** Sweep every SWEEP_MS while samples are outstanding; never keeps the process alive. */
function ensureSweeper(s: State): void {
  if (s.timer !== null) return;
  // Created in the agent's own async scope: a timer made in the app's (a test's AsyncLocalStorage store) would keep
  // whatever that context holds for as long as samples are outstanding.
  s.timer = rootScope().runInAsyncScope(() => setInterval(() => sweep(s), SWEEP_MS));
  s.timer.unref();
}

function collected(s: State, held: number): void {
  try {
    const sample = s.samples.get(held);
    if (sample === undefined) return;
    s.samples.delete(held);
    const life = sample.cache;
    life.outstanding--;
    life.held.delete(held);
    // A cache that is garbage itself loses its keys with it: that is no eviction; nor is a report's removal.
    if (sample.removedByReport) return;
    if (life.dead || life.holder() === null) {
      life.dead = true;
      return;
    }
    life.collected++;
    // Removed at most a few sweeps ago, or after the last sweep (never seen removed): the cache was the last holder.
    if (sample.removedAt === 0 || life.sweeps - sample.removedAt <= LAST_HOLDER_SWEEPS) {
      life.collectedAfterEviction++;
      if (sample.removedAt !== 0 && life.delays.length < 1024) life.delays.push(Date.now() - sample.removedMs);
    }
  } catch (err) {
    log.track('lifecycle callback failed: %O', err);
  }
}

/** Note which sampled keys their caches no longer hold. */
function sweep(s: State): void {
  if (s.samples.size === 0) {
    if (s.timer !== null) clearInterval(s.timer);
    s.timer = null;
    return;
  }
  const now = Date.now();
  const lives = new Set<CacheLife>();
  for (const sample of s.samples.values()) {
    if (sample.removedAt === 0 && !sample.cache.dead) lives.add(sample.cache);
  }
  for (const life of lives) {
    if (now < life.nextSweepMs) continue;
    const holder = life.holder();
    if (holder === null) {
      life.dead = true;
      continue;
    }
    const n = ++life.sweeps;
    if (holder.reportsRemovals) {
      life.nextSweepMs = now + SWEEP_MS;
      continue;
    }
    let visited = 0;
    holder.forEachKey((key) => {
      visited++;
      const sample = life.byKey.get(key);
      if (sample !== undefined) sample.seenAt = n;
    });
    for (const slotNum of life.held) {
      const sample = s.samples.get(slotNum);
      if (sample !== undefined && sample.removedAt === 0 && sample.seenAt !== n) markRemoved(sample, n, now);
    }
    life.nextSweepMs = now + Math.max(SWEEP_MS, visited * SWEEP_MS_PER_KEY);
  }
}

function markRemoved(sample: Sample, sweepNum: number, now: number): void {
  sample.removedAt = sweepNum;
  sample.removedMs = now;
  sample.cache.held.delete(sample.slot);
}

let lives = 0;

export function newCacheLife(holder: () => Holder | null): CacheLife {
  lives++;
  return {
    first: lives <= FULL_CACHES ? SAMPLE_FIRST : 1,
    byKey: new WeakMap(),
    held: new Set(),
    sampled: 0,
    collected: 0,
    collectedAfterEviction: 0,
    delays: [],
    outstanding: 0,
    dead: false,
    holder,
    sweeps: 0,
    nextSweepMs: 0,
  };
}

/** The first insert count after `n` at which maybeSample may take a sample (callers may skip it until then). */
export function nextSampleAt(life: CacheLife, n: number): number {
  return n < life.first ? n + 1 : (Math.floor(n / SAMPLE_EVERY) + 1) * SAMPLE_EVERY;
}

/** Called for the n-th object key inserted into a cache (n from 1): samples it when the bounds allow. */
export function maybeSample(life: CacheLife, key: object, n: number): void {
  if (n > life.first && n % SAMPLE_EVERY !== 0) return;
  if (life.outstanding >= MAX_PER_CACHE || state.samples.size >= MAX_SAMPLES) return;
  if (life.byKey.has(key)) return; // sampled already (inserted again)
  const slotNum = state.nextSlot++;
  const sample: Sample = { slot: slotNum, cache: life, seenAt: life.sweeps, removedAt: 0, removedMs: 0, removedByReport: false };
  state.samples.set(slotNum, sample);
  life.held.add(slotNum);
  life.byKey.set(key, sample);
  state.registry.register(key, slotNum);
  life.sampled++;
  life.outstanding++;
  ensureSweeper(state);
}

/** The sample of `key` in a cache, if it has one (the gc engine marks those a verdict removes). */
export function sampleOf(life: CacheLife | null, key: object): Sample | null {
  return life !== null && life.outstanding > 0 ? (life.byKey.get(key) ?? null) : null;
}

/** A verdict removed these keys (they were dead): their collection is the report's doing, not the cache's. */
export function noteRemovedByReport(samples: Array<Sample | null>): void {
  for (const sample of samples) {
    if (sample === null) continue;
    sample.removedByReport = true;
    sample.cache.held.delete(sample.slot);
  }
}

/** The library told the agent it removed an entry with these arguments (memoizee's own delete events): mark them now. */
export function noteRemoved(life: CacheLife, keys: ArrayLike<unknown>): void {
  if (life.outstanding === 0) return;
  for (let i = 0; i < keys.length; i++) noteRemovedKey(life, keys[i]);
}

/** The library told the agent it removed an entry whose one argument was `key`: mark it now. */
export function noteRemovedKey(life: CacheLife, key: unknown): void {
  if (life.outstanding === 0) return;
  if ((typeof key !== 'object' || key === null) && typeof key !== 'function') return;
  const sample = life.byKey.get(key as object);
  if (sample !== undefined && sample.removedAt === 0) markRemoved(sample, Math.max(1, life.sweeps), Date.now());
}

/** The library emptied the cache (memoizee's clear): every sampled key still counted as held was removed now. */
export function noteCleared(life: CacheLife): void {
  if (life.held.size === 0) return;
  const now = Date.now();
  for (const slotNum of [...life.held]) {
    const sample = state.samples.get(slotNum);
    if (sample !== undefined && sample.removedAt === 0) markRemoved(sample, Math.max(1, life.sweeps), now);
  }
}

export interface LifecycleFigures {
  sampled: number;
  collected: number;
  collectedAfterEviction: number;
  stillHeld: number;
  /** Median ms from the cache letting a key go to V8 collecting it, when known. */
  medianMsToCollection?: number;
}

/** The figures of one cache now (stillHeld: outstanding samples its storage still holds). */
export function figures(life: CacheLife): LifecycleFigures {
  let stillHeld = 0;
  const holder = life.outstanding > 0 ? life.holder() : null;
  if (holder?.reportsRemovals) {
    // Every removal arrived as an event: the samples not marked removed are held.
    for (const slotNum of life.held) if (state.samples.get(slotNum)?.removedAt === 0) stillHeld++;
  } else if (holder) {
    const counted = new Set<Sample>();
    holder.forEachKey((key) => {
      const sample = life.byKey.get(key);
      if (sample !== undefined && sample.removedAt === 0 && state.samples.has(sample.slot)) counted.add(sample);
    });
    stillHeld = counted.size;
  }
  const out: LifecycleFigures = { sampled: life.sampled, collected: life.collected, collectedAfterEviction: life.collectedAfterEviction, stillHeld };
  if (life.delays.length > 0) {
    const sorted = [...life.delays].sort((a, b) => a - b);
    out.medianMsToCollection = sorted[Math.floor(sorted.length / 2)]!;
  }
  return out;
}
