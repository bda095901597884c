// The snapshot engine: the same question as the gc engine ("which keys would die if the caches let go?"), answered
// from a V8 heap snapshot instead of a real collection, so that nothing in the app changes — every entry stays, also
// in caches with dispose callbacks or fetches in flight — and so that bytes are exact per cache.
//
// In one synchronous turn: take every tracked entry out of its cache (as the gc engine does), hand the entries to a
// probe object the analysis recognises, write the snapshot, and put every entry back exactly. The analysis, in a
// child process so the app's heap stays flat, marks what the GC roots reach without passing through the probe or the
// detached entries: a key not reached is held by caches alone (notes/heap.md has the edge rules).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, statfsSync } from 'node:fs';
import { Session, url as inspectorUrl } from 'node:inspector';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { faultActive, faultPoint } from '../fault';
import { log, reportInternalError, writeStderr } from '../log';
import { type CacheRecord, type DetachedEntry, type Detachment, seqOf, stackOf } from '../track/registry';
import { classNameOf } from './gc';
import { usedHeapBytes } from './force-gc';
import type { CacheVerdict, DeadKey } from './verdict';
import type { AnalysisResult } from '../heap/protocol';
import { PROBE_CLASS } from '../heap/protocol';

interface Target {
  record: CacheRecord;
  store: object;
}

/** Thrown before anything was touched when a snapshot cannot be afforded; the caller falls back. */
export class SnapshotUnavailable extends Error {}

/** Per cache, what is kept across the snapshot: metadata of its keys, in the probe's order. No key, no value. */
interface SnapWork {
  record: CacheRecord;
  detachment: Detachment;
  /** Number of keys of each entry, in order (to rebuild the entries from the probe's flat arrays). */
  keyCounts: number[];
  /** The entries are in the probe (else still in detachment.entries). */
  moved: boolean;
  keyClass: string[];
  keySeq: number[];
  keyStack: Array<string | null>;
}

// Named so the analysis finds it in the snapshot (a literal class name: V8 names objects after it); heap/protocol.ts
// has the shape.
class LeakAgentSnapshotProbe {
  constructor(
    readonly keys: object[][],
    readonly held: unknown[][][],
    readonly shadow: Array<WeakMap<object, unknown>>,
  ) {}
}
const ProbeClass = LeakAgentSnapshotProbe;
if (ProbeClass.name !== PROBE_CLASS) throw new Error('the probe class name must match heap/protocol.ts');

/** The probe lives here while the snapshot is written (reachable, so the snapshot's own GC keeps it), then goes. */
let probeSlot: object | null = null;

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
 * Move the detached entries into the probe; afterwards only the probe (held by `probeSlot`) reaches them. Its own
 * frame, so that no interpreter register or local of ours still points at a key while the snapshot is written: a
 * stale register is a stack root (notes/heap.md §4).
 *
 * Per cache w: keys[w] its tracked keys, each once; held[w] = [payloads, keys as stored entry by entry, cached values]
 * (set aside by the analysis; the entries are rebuilt from the first two afterwards); shadow[w] a WeakMap chain key → cached value,
 * which the analysis treats as a root, so that a cached value is live exactly when its keys are.
 */
function buildProbe(works: SnapWork[]): void {
  const keys: object[][] = [];
  const held: unknown[][][] = [];
  const shadow: Array<WeakMap<object, unknown>> = [];
  // Set first, so that the entries are never only in this frame, even if something below throws.
  probeSlot = new ProbeClass(keys, held, shadow);
  const names = new Map<object, string>();
  for (const work of works) {
    const entries = work.detachment.entries;
    const unique: object[] = [];
    const seen = new Set<object>();
    const payloads: unknown[] = [];
    const stored: object[] = [];
    const values: unknown[] = [];
    const root = new WeakMap<object, unknown>();
    keys.push(unique);
    held.push([payloads, stored, values]);
    shadow.push(root);
    for (const entry of entries) {
      payloads.push(entry.payload);
      values.push('value' in entry ? entry.value : entry.payload);
      work.keyCounts.push(entry.keys.length);
      let level = root;
      entry.keys.forEach((key, n) => {
        stored.push(key);
        if (!seen.has(key)) {
          seen.add(key);
          unique.push(key);
          work.keyClass.push(classNameOf(key, names));
          work.keySeq.push(seqOf(work.record, key));
          work.keyStack.push(stackOf(work.record, key));
        }
        if (n === entry.keys.length - 1) {
          level.set(key, entry.payload);
        } else {
          let next = level.get(key) as WeakMap<object, unknown> | undefined;
          if (!(next instanceof WeakMap)) level.set(key, (next = new WeakMap()));
          level = next;
        }
      });
    }
    entries.length = 0;
    work.moved = true;
  }
  names.clear();
}

/** Take the entries back out of the probe, rebuilt entry by entry, and drop the probe. */
function takeProbe(works: SnapWork[]): DetachedEntry[][] {
  const probe = probeSlot as { held: unknown[][][] } | null;
  probeSlot = null;
  if (!probe) return works.map((work) => work.detachment.entries);
  return works.map((work, w) => {
    if (!work.moved) return work.detachment.entries;
    const [payloads, stored] = (probe.held[w] ?? [[], []]) as [unknown[], object[]];
    const out: DetachedEntry[] = [];
    let at = 0;
    work.keyCounts.forEach((count, e) => {
      out.push({ keys: stored.slice(at, at + count), payload: payloads[e] });
      at += count;
    });
    return out;
  });
}

function privateFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'leak-agent-snapshot-')); // mode 0700
  const file = join(dir, 'heap.heapsnapshot');
  // Created here, 0600 and exclusively, so V8 writes into a file nobody else can read or have planted.
  closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0), 0o600));
  return { dir, file };
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

function childCommand(file: string): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const child = join(__dirname, '..', 'heap', 'analyse-child.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  for (const k of Object.keys(env)) if (k.startsWith('LEAK_AGENT_')) delete env[k];
  return { cmd: process.execPath, args: [child, file], env };
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

function analyse(file: string): AnalysisResult {
  const { cmd, args, env } = childCommand(file);
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return parseAnalysis(r.stdout, r.status ?? r.signal, r.stderr);
}

function analyseAsync(file: string, keepAlive: boolean): Promise<AnalysisResult> {
  const { cmd, args, env } = childCommand(file);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const stop = (): void => {
      child.kill();
    };
    process.once('exit', stop);
    child.on('error', (err) => {
      process.removeListener('exit', stop);
      reject(err);
    });
    child.on('close', (status, signal) => {
      process.removeListener('exit', stop);
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
  freedBytes: number | null;
}

/** A snapshot written and every cache restored; what remains is to analyse the file and apply the result. */
interface Capture {
  dir: string;
  file: string;
  works: SnapWork[];
  /** ms since the start, per phase so far. */
  phases: { detach: number; write: number; restore: number };
  started: number;
  announce: boolean;
}

/** Directories of snapshots still being analysed: removed at exit at the latest. */
const pending = new Set<string>();
let exitCleanup = false;

/**
 * The synchronous part, in one turn: check resources, detach, write the snapshot, restore every entry exactly.
 * Throws (having removed the directory) when no snapshot could be written.
 */
function capture(targets: Target[], verdicts: CacheVerdict[]): Capture {
  const { dir, file } = privateFile();
  try {
    const heap = checkResources(dir);
    const t0 = performance.now();
    const works: SnapWork[] = [];
    let tProbe = t0;
    let tWrite = t0;
    // About 10 s per 100 MB on a small machine (notes/heap.md §5): say so when it will take more than a second.
    const announce = process.stderr.isTTY === true && heap > 10 * 1024 * 1024;
    if (announce) writeStderr(`leak-agent: writing a heap snapshot of ${mib(heap)} (about ${Math.ceil(heap / 10e6)} s)…\n`);
    try {
      for (const { record, store } of targets) {
        const verdict = verdicts.find((v) => v.record === record)!;
        try {
          const reason = record.adapter.whyNotDetachable(store, record, 'restore-all');
          if (reason) {
            verdict.reason = reason;
            continue;
          }
          works.push({ record, detachment: record.adapter.detach(store, record), keyCounts: [], moved: false, keyClass: [], keySeq: [], keyStack: [] });
        } catch (err) {
          verdict.reason = `internal error while detaching: ${err instanceof Error ? err.message : String(err)}`;
          reportInternalError('detaching a cache for the snapshot', err);
        }
      }
      buildProbe(works);
      faultPoint('snapshot');
      tProbe = performance.now();
      writeHeapSnapshot(file);
      tWrite = performance.now();
    } finally {
      // Every entry back exactly, in the same turn: the app never sees a cache without its entries.
      const entries = takeProbe(works);
      works.forEach((work, w) => {
        try {
          work.detachment.restore(entries[w]!);
        } catch (err) {
          reportInternalError('restoring a cache after the snapshot', err);
        }
      });
    }
    try {
      releaseObjectIds();
    } catch (err) {
      log.verify('could not release V8 object ids: %s', err instanceof Error ? err.message : String(err));
    }
    if (announce) writeStderr('leak-agent: analysing the heap snapshot…\n');
    return { dir, file, works, started: t0, announce, phases: { detach: tProbe - t0, write: tWrite - tProbe, restore: performance.now() - tWrite } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function apply(cap: Capture, analysis: AnalysisResult, verdicts: CacheVerdict[]): SnapshotRun {
  log.verify(
    'snapshot engine: detach %d ms, write %d ms, restore %d ms, analysis %d ms in a child (%o)',
    cap.phases.detach,
    cap.phases.write,
    cap.phases.restore,
    performance.now() - cap.started - cap.phases.detach - cap.phases.write - cap.phases.restore,
    analysis.timings ?? {},
  );
  cap.works.forEach((work, w) => {
    const verdict = verdicts.find((v) => v.record === work.record)!;
    const result = analysis.caches[w];
    if (!result) {
      verdict.reason = 'the snapshot analysis returned no result for this cache';
      return;
    }
    const dead: DeadKey[] = result.dead.map((i) => ({ className: work.keyClass[i]!, seq: work.keySeq[i]!, stack: work.keyStack[i]! }));
    verdict.dead = dead;
    verdict.verified = true;
    verdict.reason = null;
    verdict.retainedBytes = result.retainedBytes;
    verdict.retention = result.retention;
    verdict.liveKeyHeldBy = result.liveKeyHeldBy;
  });
  return { freedBytes: analysis.retainedBytesAll };
}

/** Run the snapshot engine over `targets`. Synchronous: safe inside an 'exit' handler. Changes no cache. */
export function verifySnapshot(targets: Target[], verdicts: CacheVerdict[]): SnapshotRun {
  const cap = capture(targets, verdicts);
  try {
    return apply(cap, analyse(cap.file), verdicts);
  } finally {
    rmSync(cap.dir, { recursive: true, force: true });
  }
}

/**
 * The same, with the analysis in a child the app does not wait for (signal and API reports): the snapshot itself is
 * still written synchronously. Without `keepAlive` (signals) the child never keeps the app alive; at exit it is
 * stopped and its directory removed.
 */
export async function verifySnapshotAsync(targets: Target[], verdicts: CacheVerdict[], keepAlive: boolean): Promise<SnapshotRun> {
  const cap = capture(targets, verdicts);
  pending.add(cap.dir);
  if (!exitCleanup) {
    exitCleanup = true;
    process.on('exit', () => {
      for (const dir of pending) rmSync(dir, { recursive: true, force: true });
    });
  }
  try {
    return apply(cap, await analyseAsync(cap.file, keepAlive), verdicts);
  } finally {
    pending.delete(cap.dir);
    rmSync(cap.dir, { recursive: true, force: true });
  }
}

/** Whether the probe is still set (tests: it must never outlive a snapshot). */
export function probeIsSet(): boolean {
  return probeSlot !== null;
}
