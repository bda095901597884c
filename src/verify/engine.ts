// Chooses and runs a verification engine over the live caches.
import { performance } from 'node:perf_hooks';
import type { VerifyMode } from '../config';
import { clearResolverSlot } from '../adapters/lodash';
import { faultPoint } from '../fault';
import { log, reportInternalError, warnOnce } from '../log';
import { type CacheRecord, liveRecords } from '../track/registry';
import { verifyWithGc } from './gc';
import { SnapshotUnavailable, verifySnapshot } from './snapshot';
import type { CacheVerdict, VerificationResult } from './verdict';


/** Verify every live cache that holds tracked keys. Synchronous, so it also runs inside an 'exit' handler. */
export function verify(mode: VerifyMode): VerificationResult {
  const started = performance.now();
  const targets: Array<{ record: CacheRecord; store: object }> = [];
  const verdicts: CacheVerdict[] = [];
  for (const { record, store } of liveRecords()) {
    clearResolverSlot(record);
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
  let engine: VerificationResult['engine'] = 'none';
  let freedBytes: number | null = null;
  const runGc = (which: typeof targets): void => {
    try {
      faultPoint('verify');
      const run = verifyWithGc(which, verdicts);
      engine = 'gc';
      freedBytes = run.exact ? run.freedBytes : null;
      for (const v of verdicts) if (which.some((t) => t.record === v.record) && v.verified) v.engine = 'gc';
    } catch (err) {
      reportInternalError('verifying caches', err);
      for (const v of verdicts) v.reason ??= `internal error while verifying: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  /** The snapshot engine over every target; false (with reasons set) when it could not run. */
  const runSnapshot = (): boolean => {
    try {
      faultPoint('verify');
      const run = verifySnapshot(targets, verdicts);
      engine = 'snapshot';
      freedBytes = run.freedBytes;
      for (const v of verdicts) if (v.verified) v.engine = 'snapshot';
      return true;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (err instanceof SnapshotUnavailable) warnOnce('snapshot-unavailable', `leak-agent: no heap snapshot: ${why}`);
      else reportInternalError('writing or analysing the heap snapshot', err);
      for (const v of verdicts) {
        v.verified = false;
        v.dead = [];
        v.reason = `the heap snapshot could not be taken: ${why}`;
      }
      return false;
    }
  };
  if (targets.length > 0) {
    if (mode === 'gc') {
      runGc(targets);
    } else if (mode === 'snapshot') {
      runSnapshot();
    } else if (mode === 'auto') {
      // The gc engine when it can take every cache (fast, one GC); otherwise the snapshot engine for all of them, so
      // a key two caches share is still judged with both set aside. Without a snapshot, the gc engine does what it can.
      const blocked = targets.filter(({ record, store }) => {
        try {
          return record.adapter.whyNotDetachable(store, record, 'drop') !== null;
        } catch {
          return true;
        }
      });
      if (blocked.length === 0 || !runSnapshot()) {
        for (const v of verdicts) v.reason = null;
        runGc(targets);
      }
    } else {
      for (const v of verdicts) v.reason = 'verification is off (LEAK_AGENT_VERIFY=off)';
    }
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  log.verify('%s engine: %d caches in %d ms', engine, verdicts.length, durationMs);
  return { engine, durationMs, verdicts, freedBytes };
}
