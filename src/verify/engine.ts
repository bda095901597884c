// Chooses and runs a verification engine over the live caches.
//   gc        the gc engine for every cache it can take; the others stay unverified, and so does every other cache
//             whose answer they could change (their keys and values are out of the gc engine's sight)
//   snapshot  the snapshot engine for every cache (nothing changes); unverified when no snapshot can be written
//   auto      the gc engine when it can take every cache; otherwise the snapshot engine for all of them (so a key two
//             caches share is judged with both set aside), and the gc engine as far as it goes when no snapshot fits
//   off       nothing verified
import { performance } from 'node:perf_hooks';
import type { VerifyMode } from '../config';
import { pluginFor } from '../libraries/index';
import { getHeapStatistics } from 'node:v8';
import { faultActive, faultPoint } from '../fault';
import { log, reportInternalError, warnOnce } from '../log';
import { appLocation } from '../source/location';
import { nameFromSite } from '../source/names';
import { figures } from '../track/lifecycle';
import { type CacheRecord, allSeenSince, forgetGarbageCache, liveRecords, seqOf, takeGarbageCacheCounts } from '../track/registry';
import { clearKeptObjects, fullGc } from './force-gc';
import { verifyWithGc } from './gc';
import { SnapshotUnavailable, type SnapshotRun, sweepStaleSnapshots, verifySnapshot, verifySnapshotAsync } from './snapshot';
import { type CacheVerdict, DeadKeys, type VerificationResult } from './verdict';

export interface VerifyOptions {
  mode: VerifyMode;
  /** Measure the bytes dead entries pin (reports): the gc engine pays one more full GC for it. Test windows do not. */
  bytes: boolean;
  /**
   * A test window's first sequence number (0: a whole report). Only caches that hold keys first seen in the window
   * can make it fail, so only they decide whether the gc engine can do the work.
   */
  sinceSeq?: number;
}

interface Work {
  started: number;
  /** Caches holding tracked keys now: what the engines judge. */
  targets: CacheVerdict[];
  /** Every cache the report lists: the targets, and caches whose dead keys an earlier report removed. */
  verdicts: CacheVerdict[];
  engine: VerificationResult['engine'];
  freedBytes: number | null;
  /** Tracked keys of caches found garbage before an engine ran (dropCollected). */
  droppedKeys: number;
  /** The test window's first sequence number, or 0 (VerifyOptions.sinceSeq). */
  sinceSeq: number;
}

/** A cache as the text report names it: library, name (also one read from its creation line) and creation site. */
function describe(record: CacheRecord): string {
  try {
    const site = appLocation(record.createdStack);
    const name = record.name ?? nameFromSite(site, record.createdIsFirstWrite ? 'receiver' : 'assignment');
    return `${record.library} ${name ?? '(anonymous)'}${site ? ` (${site.file}:${site.line}:${site.column})` : ''}`;
  } catch {
    return `${record.library} ${record.name ?? record.id}`;
  }
}

function collect(sinceSeq: number): Work {
  const started = performance.now();
  const targets: CacheVerdict[] = [];
  const verdicts: CacheVerdict[] = [];
  for (const record of liveRecords()) {
    pluginFor(record.library)?.beforeVerify?.(record);
    const store = record.storeRef.deref();
    if (store === undefined) continue;
    let trackedKeys = 0;
    let options: Record<string, number | boolean | string> = {};
    try {
      trackedKeys = record.adapter.countKeys(store, record);
      options = record.adapter.options(store, record);
    } catch (err) {
      reportInternalError('reading a cache', err);
    }
    if (trackedKeys === 0 && record.removed === null) continue;
    const removedBefore = record.removed && { ...record.removed, classes: new Map(record.removed.classes) };
    const verdict: CacheVerdict = { record, trackedKeys, verified: false, reason: null, dead: DeadKeys.none, options, removedBefore };
    verdicts.push(verdict);
    if (trackedKeys > 0) targets.push(verdict);
  }
  return { started, targets, verdicts, engine: 'none', freedBytes: null, droppedKeys: 0, sinceSeq };
}

// What judging one tracked key costs on the JS heap, measured on the 2-core CI machine (Node 20–26) with 100k keys and
// rounded up: the gc engine's WeakRef, shadow entry, key table and detached entry (and, for bytes, the strong hold),
// plus the report's record of a dead key; the snapshot engine's probe and shadow. V8's own snapshot memory is native
// and checked separately (snapshot.ts).
const HEAP_PER_KEY = { gc: 320, snapshot: 260 } as const;

function mib(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024 / 1024))} MiB`;
}

/** The value of a `--flag=N` (or `--flag N`) among Node's options (command line first, then NODE_OPTIONS), or null. */
function nodeOption(flag: string): number | null {
  const words = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.replace(/_/g, '-');
    if (w === flag && i + 1 < words.length) return Number(words[i + 1]) || null;
    if (w.startsWith(`${flag}=`)) return Number(w.slice(flag.length + 1)) || null;
  }
  return null;
}

/**
 * The old generation's limit: what objects that live through a collection can use. heap_size_limit also counts the
 * young generation V8 reserves on top (measured with --max-old-space-size=64: 48 MiB on Node 20 and 22, 192 on 24,
 * 96 on 26), which a verdict's long-lived tables never get.
 */
function oldGenerationLimit(heapSizeLimit: number): number {
  const old = nodeOption('--max-old-space-size');
  if (old !== null) return old * 1024 * 1024;
  const major = Number.parseInt(process.versions.node, 10);
  const young = major >= 26 ? 96 : major >= 24 ? 192 : 48;
  return heapSizeLimit - young * 1024 * 1024;
}

/**
 * Near the heap limit a verdict could be what runs the app out of memory. Judge the caches that fit in what is left
 * below the limit (smallest first) and leave the others unverified, saying why; never an OOM the app would not have.
 */
function fitToHeap(work: Work, engine: 'gc' | 'snapshot'): void {
  const pending = work.targets.filter((v) => v.reason === null);
  const need = (v: CacheVerdict): number => v.trackedKeys * HEAP_PER_KEY[engine];
  const total = pending.reduce((n, v) => n + need(v), 0);
  const stats = getHeapStatistics();
  const limit = faultActive('heap-headroom') ? stats.used_heap_size + total / 2 : oldGenerationLimit(stats.heap_size_limit);
  // V8 needs room of its own to collect; keep a margin of 5% of the limit, at least 4 MiB.
  const free = limit - stats.used_heap_size - Math.max(4 * 1024 * 1024, limit * 0.05);
  if (total <= free) return;
  let left = free;
  for (const v of pending.sort((a, b) => a.trackedKeys - b.trackedKeys)) {
    if (need(v) <= left) {
      left -= need(v);
      continue;
    }
    v.reason = `judging its ${v.trackedKeys} keys needs about ${mib(need(v))} of heap, and the process is ${mib(Math.max(0, limit - stats.used_heap_size))} from its heap limit (--max-old-space-size)`;
  }
  log.verify('heap headroom: %d bytes needed, %d free below the limit', total, free);
}

function runGc(work: Work, bytes: boolean): void {
  try {
    faultPoint('verify');
    fitToHeap(work, 'gc');
    const run = verifyWithGc(work.targets, { bytes, sinceSeq: work.sinceSeq });
    work.engine = 'gc';
    work.freedBytes = run.exact ? run.freedBytes : null;
    distrustAroundUntaken(work);
  } catch (err) {
    reportInternalError('verifying caches', err);
    for (const v of work.targets) {
      v.verified = false;
      v.reason ??= `internal error while verifying: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}

/**
 * A cache the gc engine could not take keeps holding its keys and values through the collection, so a key of another
 * cache that survived may be alive only because of it: that cache's answer is not exact (its dead keys are: they died
 * with the untaken cache still in place). Such caches are marked unverified, naming the cache that blocked them.
 */
function distrustAroundUntaken(work: Work): void {
  const untaken = work.targets.filter((v) => !v.garbage && !v.verified && v.engine === undefined);
  if (untaken.length === 0) return;
  const names = untaken.map((v) => describe(v.record));
  const shown = names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(' and ');
  for (const v of work.targets) {
    if (v.garbage || !v.verified || v.dead.length === v.trackedKeys) continue;
    v.verified = false;
    v.reason = `its surviving keys may be held only by ${shown}, which the gc engine cannot take; LEAK_AGENT_VERIFY=auto or snapshot judges them together`;
  }
}

function snapshotDone(work: Work, run: SnapshotRun): void {
  work.engine = 'snapshot';
  work.freedBytes = run.freedBytes;
}

function snapshotFailed(work: Work, err: unknown): void {
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof SnapshotUnavailable) warnOnce('snapshot-unavailable', `leak-agent: no heap snapshot: ${why}`);
  else reportInternalError('writing or analysing the heap snapshot', err);
  for (const v of work.targets) {
    v.verified = false;
    v.dead = DeadKeys.none;
    v.garbage = false;
    v.reason = `the heap snapshot could not be taken: ${why}`;
  }
}

/** Which engine to start with: 'gc', 'snapshot' or null (nothing to do). */
function plan(work: Work, mode: VerifyMode): 'gc' | 'snapshot' | null {
  if (work.targets.length === 0) return null;
  if (mode === 'off') {
    for (const v of work.targets) v.reason = 'verification is off (LEAK_AGENT_VERIFY=off)';
    return null;
  }
  if (mode === 'gc' || mode === 'snapshot') return mode;
  if (!blocksGc(work)) return 'gc';
  // The cache the gc engine cannot take may be garbage V8 has not collected yet: a test file the runner is done with,
  // in the same worker (Jest, Vitest). The snapshot would keep it, and every cache and key of that file, alive through
  // its own collection, so it would block the next file's verdict too, and the next. One collection first; only the
  // caches still alive then decide.
  dropCollected(work);
  return blocksGc(work) ? 'snapshot' : 'gc';
}

/**
 * Whether some cache the gc engine cannot take has to be judged: in a test window, only one holding a key first
 * seen in the window (a bounded memoizee of an earlier test, untouched since, stays as it is, unverified).
 */
function blocksGc(work: Work): boolean {
  const { sinceSeq } = work;
  return work.targets.some(({ record }) => {
    const store = record.storeRef.deref();
    if (store === undefined) return false;
    try {
      if (record.adapter.whyNotDetachable(store, record) === null) return false;
      if (sinceSeq === 0 || allSeenSince(record, sinceSeq)) return true;
      let inWindow = false;
      record.adapter.forEachKey(store, record, (key) => {
        if (!inWindow && seqOf(record, key) >= sinceSeq) inWindow = true;
      });
      return inWindow;
    } catch {
      return true;
    }
  });
}

/** A full collection, then the caches it took are garbage (counted, never judged). */
function dropCollected(work: Work): void {
  clearKeptObjects(); // collect() and blocksGc() looked at every cache in this turn: WeakRef.deref() keeps them
  fullGc();
  const gone = new Set<CacheVerdict>();
  for (const v of work.targets) {
    if (v.record.storeRef.deref() !== undefined) continue;
    v.garbage = true;
    forgetGarbageCache(v.record);
    work.droppedKeys += v.trackedKeys;
    gone.add(v);
  }
  if (gone.size === 0) return;
  work.targets = work.targets.filter((v) => !gone.has(v));
  log.verify('%d caches the gc engine cannot take were garbage; %d left to judge', gone.size, work.targets.length);
}

/** After a failed snapshot under auto: the gc engine for what it can take. */
function fallBack(work: Work, mode: VerifyMode, bytes: boolean): void {
  if (mode !== 'auto') return;
  for (const v of work.targets) if (!v.reason?.startsWith('judging its')) v.reason = null;
  runGc(work, bytes);
}

function result(work: Work, mode: VerifyMode): VerificationResult {
  const durationMs = Math.round((performance.now() - work.started) * 10) / 10;
  log.verify('%s engine: %d caches in %d ms', work.engine, work.targets.length, durationMs);
  // Caches listed only for what an earlier report removed hold no tracked key now: nothing to judge, nothing unknown.
  for (const v of work.verdicts) if (v.trackedKeys === 0) v.verified = mode !== 'off';
  let garbageKeys = work.droppedKeys;
  for (const v of work.targets) if (v.garbage) garbageKeys += v.trackedKeys;
  for (const v of work.verdicts) {
    if (v.garbage || !v.record.life || v.record.life.sampled === 0) continue;
    try {
      v.lifecycle = figures(v.record.life);
    } catch (err) {
      reportInternalError('reading sampled key lifetimes', err);
    }
  }
  return {
    engine: work.engine,
    durationMs,
    verdicts: work.verdicts.filter((v) => !v.garbage),
    freedBytes: work.freedBytes,
    garbage: { ...takeGarbageCacheCounts(), keys: garbageKeys },
  };
}

function startSnapshot(work: Work): boolean {
  try {
    faultPoint('verify');
    return true;
  } catch (err) {
    snapshotFailed(work, err);
    return false;
  }
}

function prepare(): void {
  try {
    sweepStaleSnapshots();
  } catch (err) {
    log.verify('sweeping old snapshot directories failed: %O', err);
  }
}

/** Verify every live cache that holds tracked keys. Synchronous, so it also runs inside an 'exit' handler. */
export function verify(opts: VerifyOptions): VerificationResult {
  prepare();
  const work = collect(opts.sinceSeq ?? 0);
  const first = plan(work, opts.mode);
  if (first === 'gc') runGc(work, opts.bytes);
  if (first === 'snapshot' && startSnapshot(work)) {
    try {
      fitToHeap(work, 'snapshot');
      snapshotDone(work, verifySnapshot(work.targets));
    } catch (err) {
      snapshotFailed(work, err);
      fallBack(work, opts.mode, opts.bytes);
    }
  }
  return result(work, opts.mode);
}

/**
 * The same for reports the app need not wait for (signal, API, tests): a snapshot is still written in one synchronous
 * turn, but its analysis runs in a child while the app goes on. The gc engine is synchronous either way.
 */
export async function verifyAsync(opts: VerifyOptions, keepAlive: boolean): Promise<VerificationResult> {
  prepare();
  const work = collect(opts.sinceSeq ?? 0);
  const first = plan(work, opts.mode);
  if (first === 'gc') runGc(work, opts.bytes);
  if (first === 'snapshot' && startSnapshot(work)) {
    try {
      fitToHeap(work, 'snapshot');
      snapshotDone(work, await verifySnapshotAsync(work.targets, keepAlive));
    } catch (err) {
      snapshotFailed(work, err);
      fallBack(work, opts.mode, opts.bytes);
    }
  }
  return result(work, opts.mode);
}
