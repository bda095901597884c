// The snapshot engine: the same question as the gc engine ("which keys would die if the caches let go?"), answered
// from a V8 heap snapshot instead of a real collection, so that nothing in the app changes — no entry is taken out of
// any cache, also of caches with dispose callbacks, fetches in flight, memoizee extensions or custom storage — and so
// that bytes are exact per cache.
//
// In one synchronous turn: hand a probe object the caches, their storage objects and their entries (read, never
// moved), write the snapshot, drop the probe. The analysis, in a child process so the app's heap stays flat, marks
// what the GC roots reach with the probe and the caches' storage set aside: a key not reached is held by caches
// alone, a cache not reached is garbage itself (notes/heap.md has the edge rules).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { Session, url as inspectorUrl } from 'node:inspector';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { faultActive, faultPoint } from '../fault';
import { log, writeStderr } from '../log';
import { type CacheView, forgetGarbageCache, seqOf, stackOf } from '../track/registry';
import { classNameOf } from './gc';
import { usedHeapBytes } from './force-gc';
import { type CacheVerdict, deadKeysOf } from './verdict';
import type { AnalysisResult, CacheMeta, ProbeMeta } from '../heap/protocol';
import { PROBE_CLASS } from '../heap/protocol';
import { isRunning } from '../pid';

/** Thrown before anything was touched when a snapshot cannot be afforded; the caller falls back. */
export class SnapshotUnavailable extends Error {}

/** Per cache, what is kept across the snapshot: metadata of its keys, in the meta file's order. No key, no value. */
interface SnapWork {
  verdict: CacheVerdict;
  meta: CacheMeta;
  keySeq: number[];
  keyStack: Array<string | null>;
}

// Named so the analysis finds it in the snapshot (a literal class name: V8 names objects after it); heap/protocol.ts
// has the shape.
class LeakAgentSnapshotProbe {
  readonly stores: object[] = [];
  readonly keys: object[] = [];
  readonly containers: object[][] = [];
  readonly values: unknown[][] = [];
  readonly roots: Array<object | undefined> = [];
  readonly shadow = new WeakMap<object, { inner: WeakMap<object, unknown>; chains: Array<WeakMap<object, unknown>>; untracked: unknown[] }>();
}
const ProbeClass = LeakAgentSnapshotProbe;
if (ProbeClass.name !== PROBE_CLASS) throw new Error('the probe class name must match heap/protocol.ts');

/** The probe lives here while the snapshot is written (reachable, so the snapshot's own GC keeps it), then goes. */
let probeSlot: LeakAgentSnapshotProbe | null = null;

/** Expected peak of writing and analysing a snapshot of a heap this size (notes/heap.md §5). */
export function snapshotNeeds(heapBytes: number): { memory: number; disk: number } {
  return { memory: 7 * heapBytes, disk: 2 * heapBytes };
}

function availableMemory(): number {
  if (faultActive('snapshot-memory')) return 0;
  let available = freemem();
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  if (limit && limit > 0 && limit < Number.MAX_SAFE_INTEGER) available = Math.min(available, limit - process.memoryUsage.rss());
  return available;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** The guard rails: throws SnapshotUnavailable when memory or disk would not fit the expected peak. */
function checkResources(dir: string): number {
  const heap = usedHeapBytes();
  const needs = snapshotNeeds(heap);
  const memory = availableMemory();
  if (memory < needs.memory) {
    throw new SnapshotUnavailable(`a heap snapshot of ${mib(heap)} needs about ${mib(needs.memory)} of free memory, ${mib(memory)} available`);
  }
  const fs = statfsSync(dir);
  const disk = fs.bavail * fs.bsize;
  if (disk < needs.disk) {
    throw new SnapshotUnavailable(`a heap snapshot of ${mib(heap)} needs about ${mib(needs.disk)} of free disk in ${dir}, ${mib(disk)} available`);
  }
  return heap;
}

/**
 * Fill the probe from each live cache's read-only view; afterwards only the probe (held by `probeSlot`) references
 * what it was given. Its own frame, so that no interpreter register or local of ours still points at a key while the
 * snapshot is written: a stale register is a stack root (notes/heap.md §4).
 */
function buildProbe(verdicts: CacheVerdict[]): SnapWork[] {
  const probe = new ProbeClass();
  probeSlot = probe;
  const works: SnapWork[] = [];
  const index = new Map<object, number>();
  const names = new Map<object, string>();
  for (const verdict of verdicts) {
    if (verdict.reason !== null) continue; // already set aside (no heap left to judge it)
    const record = verdict.record;
    const store = record.storeRef.deref();
    if (store === undefined) {
      verdict.garbage = true;
      continue;
    }
    let view: CacheView;
    try {
      view = record.adapter.view(store, record);
    } catch (err) {
      verdict.reason = `the agent cannot read this cache's storage: ${err instanceof Error ? err.message : String(err)}`;
      continue;
    }
    const meta: CacheMeta = { keys: [] };
    if (view.closures) {
      meta.closurePaths = view.closures.paths;
      if (view.closures.partialElements) meta.partialElements = view.closures.partialElements;
    }
    const work: SnapWork = { verdict, meta, keySeq: [], keyStack: [] };
    const holder = { inner: new WeakMap<object, unknown>(), chains: [] as Array<WeakMap<object, unknown>>, untracked: view.untracked };
    const values: unknown[] = [];
    const mine = new Set<object>();
    for (const entry of view.entries) {
      values.push(entry.value);
      for (const key of entry.keys) {
        if (mine.has(key)) continue;
        mine.add(key);
        let k = index.get(key);
        if (k === undefined) {
          k = probe.keys.length;
          probe.keys.push(key);
          index.set(key, k);
          keyClasses.push(classNameOf(key, names));
        }
        meta.keys.push(k);
        work.keySeq.push(seqOf(record, key));
        work.keyStack.push(stackOf(record, key));
      }
      if (entry.keys.length === 1 && !holder.inner.has(entry.keys[0]!)) {
        holder.inner.set(entry.keys[0]!, entry.value);
      } else {
        // The value lives only while every key lives: a chain of WeakMaps, one level per key.
        const root = new WeakMap<object, unknown>();
        let level = root;
        entry.keys.forEach((key, n) => {
          if (n === entry.keys.length - 1) {
            level.set(key, entry.value);
          } else {
            const next = new WeakMap<object, unknown>();
            level.set(key, next);
            level = next;
          }
        });
        holder.chains.push(root);
      }
    }
    probe.stores.push(store);
    probe.containers.push(view.containers);
    probe.values.push(values);
    probe.roots.push(view.closures?.from);
    probe.shadow.set(store, holder);
    works.push(work);
  }
  index.clear();
  names.clear();
  return works;
}

/** Class names of probe.keys, by index (strings only). */
let keyClasses: string[] = [];

/** Snapshot directories are named after the process, so a later report can sweep those of processes that died. */
const DIR_PREFIX = 'leak-agent-snapshot-';

function privateFile(): { dir: string; file: string; metaFile: string } {
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`)); // mode 0700
  const file = join(dir, 'heap.heapsnapshot');
  // Created here, 0600 and exclusively, so V8 writes into a file nobody else can read or have planted.
  closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0), 0o600));
  return { dir, file, metaFile: join(dir, 'probe.json') };
}

/**
 * Remove snapshot directories left by processes of this user that no longer run (killed with SIGKILL mid-snapshot,
 * or an OOM): each report sweeps them. Never touches another user's directory or a live process's.
 */
export function sweepStaleSnapshots(): void {
  const base = tmpdir();
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  for (const name of names) {
    const m = /^leak-agent-snapshot-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isRunning(pid)) continue;
    const path = join(base, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== -1 && st.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
      log.verify('removed %s, left by process %d', path, pid);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

/** V8 keeps an object-id map for the isolate's lifetime after a snapshot; an inspector session can drop it. */
function releaseObjectIds(): void {
  if (inspectorUrl() !== undefined) return; // a debugger is attached: its heap object ids are its business
  const session = new Session();
  try {
    session.connect();
    session.post('HeapProfiler.enable');
    session.post('HeapProfiler.disable'); // calls ClearObjectIds()
  } finally {
    session.disconnect();
  }
}

function childCommand(file: string, metaFile: string): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const child = join(__dirname, '..', 'heap', 'analyse-child.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  for (const k of Object.keys(env)) if (k.startsWith('LEAK_AGENT_')) delete env[k];
  return { cmd: process.execPath, args: [child, file, metaFile], env };
}

function parseAnalysis(stdout: string, status: number | string | null, stderr: string): AnalysisResult {
  let parsed: AnalysisResult | { error: string };
  try {
    parsed = JSON.parse(stdout) as AnalysisResult | { error: string };
  } catch {
    throw new Error(`the snapshot analysis exited with ${status}: ${stderr.trim().split('\n').pop() ?? ''}`);
  }
  if ('error' in parsed) throw new Error(`the snapshot analysis failed: ${parsed.error}`);
  return parsed;
}

function analyse(file: string, metaFile: string): AnalysisResult {
  const { cmd, args, env } = childCommand(file, metaFile);
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return parseAnalysis(r.stdout, r.status ?? r.signal, r.stderr);
}

/** Analyses running beside the app, and their directories: stopped and removed whenever the process ends. */
const pending = new Map<string, ChildProcess | null>();

/**
 * Stop every analysis in flight and remove its directory. The exit trigger and the SIGINT/SIGTERM path call it
 * (a re-raised signal never reaches 'exit' handlers).
 */
export function abortPendingSnapshots(): void {
  for (const [dir, child] of pending) {
    try {
      child?.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  pending.clear();
}

/** Whether a snapshot analysis is running beside the app. */
export function snapshotInFlight(): boolean {
  return pending.size > 0;
}

function analyseAsync(dir: string, file: string, metaFile: string, keepAlive: boolean): Promise<AnalysisResult> {
  const { cmd, args, env } = childCommand(file, metaFile);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    pending.set(dir, child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(err));
    child.on('close', (status, signal) => {
      try {
        resolve(parseAnalysis(stdout, status ?? signal, stderr));
      } catch (err) {
        reject(err);
      }
    });
    // A signal's report never keeps the app alive; an awaited API report does, like any other pending work.
    if (!keepAlive) {
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
    }
  });
}

export interface SnapshotRun {
  /** Bytes the live caches' dead entries pin together (shared bytes once). */
  freedBytes: number;
}

/** A snapshot written; what remains is to analyse the file and apply the result. */
interface Capture {
  dir: string;
  file: string;
  metaFile: string;
  works: SnapWork[];
  classes: string[];
  /** ms since the start, per phase so far. */
  phases: { probe: number; write: number };
  started: number;
}

/**
 * The synchronous part, in one turn: check resources, fill the probe, write the snapshot and its meta file, drop the
 * probe. Changes no cache. Throws (having removed the directory) when no snapshot could be written.
 */
function capture(verdicts: CacheVerdict[]): Capture {
  const { dir, file, metaFile } = privateFile();
  try {
    const heap = checkResources(dir);
    const t0 = performance.now();
    // About 10 s per 100 MB on a small machine (notes/heap.md §5): say so when it will take more than a second.
    if (process.stderr.isTTY === true && heap > 10 * 1024 * 1024) {
      writeStderr(`leak-agent: writing a heap snapshot of ${mib(heap)} (about ${Math.ceil(heap / 10e6)} s)…\n`);
    }
    let works: SnapWork[];
    let tProbe = t0;
    let classes: string[];
    try {
      keyClasses = [];
      works = buildProbe(verdicts);
      classes = keyClasses;
      keyClasses = [];
      faultPoint('snapshot');
      tProbe = performance.now();
      writeHeapSnapshot(file);
    } finally {
      probeSlot = null;
    }
    const tWrite = performance.now();
    const meta: ProbeMeta = { caches: works.map((w) => w.meta) };
    writeFileSync(metaFile, JSON.stringify(meta), { mode: 0o600, flag: 'wx' });
    try {
      releaseObjectIds();
    } catch (err) {
      log.verify('could not release V8 object ids: %s', err instanceof Error ? err.message : String(err));
    }
    return { dir, file, metaFile, works, classes, started: t0, phases: { probe: tProbe - t0, write: tWrite - tProbe } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function apply(cap: Capture, analysis: AnalysisResult): SnapshotRun {
  log.verify(
    'snapshot engine: probe %d ms, write %d ms, analysis %d ms in a child (%o)',
    cap.phases.probe,
    cap.phases.write,
    performance.now() - cap.started - cap.phases.probe - cap.phases.write,
    analysis.timings ?? {},
  );
  cap.works.forEach((work, w) => {
    const { verdict } = work;
    const result = analysis.caches[w];
    if (!result) {
      verdict.reason = 'the snapshot analysis returned no result for this cache';
      return;
    }
    if (!result.live) {
      verdict.garbage = true;
      forgetGarbageCache(verdict.record);
      return;
    }
    const dead = deadKeysOf(
      result.dead.map((i) => {
        const k = work.meta.keys[i]!;
        return { className: cap.classes[k]!, seq: work.keySeq[i]!, stack: work.keyStack[i]!, id: k };
      }),
    );
    verdict.dead = dead;
    verdict.verified = true;
    verdict.engine = 'snapshot';
    verdict.reason = null;
    verdict.retainedBytes = result.retainedBytes;
    verdict.retention = dead.length > 0 ? { valuePath: result.valuePath } : null;
    verdict.liveKeyHeldBy = result.liveKeyHeldBy;
    if (result.missingPaths) log.verify('%s: %d closure storage paths not found', verdict.record.id, result.missingPaths);
  });
  return { freedBytes: analysis.retainedBytesAll };
}

/** Run the snapshot engine over the verdicts' caches. Synchronous: safe inside an 'exit' handler. Changes no cache. */
export function verifySnapshot(verdicts: CacheVerdict[]): SnapshotRun {
  const cap = capture(verdicts);
  try {
    return apply(cap, analyse(cap.file, cap.metaFile));
  } finally {
    rmSync(cap.dir, { recursive: true, force: true });
  }
}

/**
 * The same, with the analysis in a child the app does not wait for (signal and API reports): the snapshot itself is
 * still written synchronously. Without `keepAlive` (signals) the child never keeps the app alive; when the process
 * ends meanwhile, the child is stopped and its directory removed (abortPendingSnapshots).
 */
let exitCleanup = false;

export async function verifySnapshotAsync(verdicts: CacheVerdict[], keepAlive: boolean): Promise<SnapshotRun> {
  const cap = capture(verdicts);
  pending.set(cap.dir, null);
  if (!exitCleanup) {
    exitCleanup = true;
    process.on('exit', abortPendingSnapshots);
  }
  try {
    return apply(cap, await analyseAsync(cap.dir, cap.file, cap.metaFile, keepAlive));
  } finally {
    pending.delete(cap.dir);
    rmSync(cap.dir, { recursive: true, force: true });
  }
}

/** Whether the probe is still set (tests: it must never outlive a snapshot). */
export function probeIsSet(): boolean {
  return probeSlot !== null;
}

