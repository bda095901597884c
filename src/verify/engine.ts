// Chooses and runs a verification engine over the live caches.
import { performance } from 'node:perf_hooks';
import type { VerifyMode } from '../config';
import { clearResolverSlot } from '../adapters/lodash';
import { faultPoint } from '../fault';
import { log, reportInternalError } from '../log';
import { type CacheRecord, liveRecords } from '../track/registry';
import { verifyWithGc } from './gc';
import type { CacheVerdict, VerificationResult } from './verdict';

const SNAPSHOT_MISSING = 'the snapshot engine is not available in this version; nothing was verified';

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
  if (targets.length > 0 && (mode === 'gc' || mode === 'auto')) {
    try {
      faultPoint('verify');
      const run = verifyWithGc(targets, verdicts);
      engine = 'gc';
      freedBytes = run.exact ? run.freedBytes : null;
    } catch (err) {
      reportInternalError('verifying caches', err);
      for (const v of verdicts) v.reason ??= `internal error while verifying: ${err instanceof Error ? err.message : String(err)}`;
    }
  } else if (mode === 'snapshot') {
    for (const v of verdicts) v.reason = SNAPSHOT_MISSING;
  } else if (mode === 'off') {
    for (const v of verdicts) v.reason = 'verification is off (LEAK_AGENT_VERIFY=off)';
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  log.verify('%s engine: %d caches in %d ms', engine, verdicts.length, durationMs);
  return { engine, durationMs, verdicts, freedBytes };
}
