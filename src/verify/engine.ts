// Chooses and runs a verification engine over the live caches.
//   gc        the gc engine for every cache it can take; the others stay unverified
//   snapshot  the snapshot engine for every cache (nothing changes); unverified when no snapshot can be written
//   auto      the gc engine when it can take every cache; otherwise the snapshot engine for all of them (so a key two
//             caches share is judged with both set aside), and the gc engine as far as it goes when no snapshot fits
//   off       nothing verified
import { performance } from 'node:perf_hooks';
import type { VerifyMode } from '../config';
import { faultPoint } from '../fault';
import { pluginFor } from '../libraries/index';
import { log, reportInternalError, warnOnce } from '../log';
import { type CacheRecord, liveRecords } from '../track/registry';
import { verifyWithGc } from './gc';
import { SnapshotUnavailable, type SnapshotRun, verifySnapshot, verifySnapshotAsync } from './snapshot';
import type { CacheVerdict, VerificationResult } from './verdict';

interface Target {
  record: CacheRecord;
  store: object;
}

interface Work {
  started: number;
  targets: Target[];
  verdicts: CacheVerdict[];
  engine: VerificationResult['engine'];
  freedBytes: number | null;
}

function collect(): Work {
  const started = performance.now();
  const targets: Target[] = [];
  const verdicts: CacheVerdict[] = [];
  for (const { record, store } of liveRecords()) {
    pluginFor(record.library)?.beforeVerify?.(record);
    let trackedKeys = 0;
    let options: Record<string, number | boolean | string> = {};
    try {
      trackedKeys = record.adapter.countKeys(store, record);
      options = record.adapter.options(store, record);
    } catch (err) {
      reportInternalError('reading a cache', err);
    }
    if (trackedKeys === 0) continue;
    verdicts.push({ record, trackedKeys, verified: false, reason: null, dead: [], options });
    targets.push({ record, store });
  }
  return { started, targets, verdicts, engine: 'none', freedBytes: null };
}

function runGc(work: Work): void {
  try {
    faultPoint('verify');
    const run = verifyWithGc(work.targets, work.verdicts);
    work.engine = 'gc';
    work.freedBytes = run.exact ? run.freedBytes : null;
    for (const v of work.verdicts) if (v.verified) v.engine = 'gc';
  } catch (err) {
    reportInternalError('verifying caches', err);
    for (const v of work.verdicts) v.reason ??= `internal error while verifying: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function snapshotDone(work: Work, run: SnapshotRun): void {
  work.engine = 'snapshot';
  work.freedBytes = run.freedBytes;
  for (const v of work.verdicts) if (v.verified) v.engine = 'snapshot';
}

function snapshotFailed(work: Work, err: unknown): void {
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof SnapshotUnavailable) warnOnce('snapshot-unavailable', `leak-agent: no heap snapshot: ${why}`);
  else reportInternalError('writing or analysing the heap snapshot', err);
  for (const v of work.verdicts) {
    v.verified = false;
    v.dead = [];
    v.reason = `the heap snapshot could not be taken: ${why}`;
  }
}

/** Which engine to start with: 'gc', 'snapshot' or null (nothing to do). */
function plan(work: Work, mode: VerifyMode): 'gc' | 'snapshot' | null {
  if (work.targets.length === 0) return null;
  if (mode === 'off') {
    for (const v of work.verdicts) v.reason = 'verification is off (LEAK_AGENT_VERIFY=off)';
    return null;
  }
  if (mode === 'gc' || mode === 'snapshot') return mode;
  const blocked = work.targets.some(({ record, store }) => {
    try {
      return record.adapter.whyNotDetachable(store, record, 'drop') !== null;
    } catch {
      return true;
    }
  });
  return blocked ? 'snapshot' : 'gc';
}

/** After a failed snapshot under auto: the gc engine for what it can take. */
function fallBack(work: Work, mode: VerifyMode): void {
  if (mode !== 'auto') return;
  for (const v of work.verdicts) v.reason = null;
  runGc(work);
}

function result(work: Work): VerificationResult {
  const durationMs = Math.round((performance.now() - work.started) * 10) / 10;
  log.verify('%s engine: %d caches in %d ms', work.engine, work.verdicts.length, durationMs);
  return { engine: work.engine, durationMs, verdicts: work.verdicts, freedBytes: work.freedBytes };
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

/** Verify every live cache that holds tracked keys. Synchronous, so it also runs inside an 'exit' handler. */
export function verify(mode: VerifyMode): VerificationResult {
  const work = collect();
  const first = plan(work, mode);
  if (first === 'gc') runGc(work);
  if (first === 'snapshot' && startSnapshot(work)) {
    try {
      snapshotDone(work, verifySnapshot(work.targets, work.verdicts));
    } catch (err) {
      snapshotFailed(work, err);
      fallBack(work, mode);
    }
  }
  return result(work);
}

/**
 * The same for reports the app need not wait for (signal, API, tests): a snapshot is still written in one synchronous
 * turn, but its analysis runs in a child while the app goes on. The gc engine is synchronous either way.
 */
export async function verifyAsync(mode: VerifyMode, keepAlive: boolean): Promise<VerificationResult> {
  const work = collect();
  const first = plan(work, mode);
  if (first === 'gc') runGc(work);
  if (first === 'snapshot' && startSnapshot(work)) {
    try {
      snapshotDone(work, await verifySnapshotAsync(work.targets, work.verdicts, keepAlive));
    } catch (err) {
      snapshotFailed(work, err);
      fallBack(work, mode);
    }
  }
  return result(work);
}
