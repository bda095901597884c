// Verification result → the JSON report (schema leak-agent.report/v1). Pure: no I/O, no process state but what the
// caller passes in.
import type { LibraryName } from '../track/registry';
import { appLocation, type SourceLocation } from '../source/location';
import { nameFromSite } from '../source/names';
import type { CacheVerdict, VerificationResult } from '../verify/verdict';
import { adviceFor } from './advice';

export type Trigger = 'exit' | 'signal' | 'api' | 'test';

export interface CacheReport {
  id: string;
  library: LibraryName;
  libraryVersion: string;
  name: string | null;
  createdAt: SourceLocation | null;
  options: Record<string, number | boolean | string>;
  trackedKeys: number;
  deadKeys: number;
  verified: boolean;
  /** Why the cache could not be verified (only when verified is false). */
  reason?: string;
  retainedBytes: number | null;
  /** How the dead keys are held (snapshot engine): "held as key", "held as key and through cached value .owner". */
  retention?: string;
  /** What keeps the first live key alive outside the caches (snapshot engine), e.g. "Session.user". */
  liveKeyHeldBy?: string;
  classes: Array<{ name: string; count: number }>;
  example: { insertedAt: SourceLocation | null } | null;
  advice: string;
}

export interface Report {
  schema: 'leak-agent.report/v1';
  trigger: Trigger;
  pid: number;
  node: string;
  time: string;
  verification: { engine: 'snapshot' | 'gc' | 'none'; durationMs: number };
  caches: CacheReport[];
  summary: { caches: number; leakingCaches: number; deadKeys: number; retainedBytes: number | null };
}

export interface BuildOptions {
  trigger: Trigger;
  /** Count only keys first inserted at or after this sequence number (a test file, a callback). */
  sinceSeq?: number;
  now?: Date;
  pid?: number;
}

function cacheReport(v: CacheVerdict, sinceSeq: number, bytes: number | null): CacheReport {
  const dead = sinceSeq > 0 ? v.dead.filter((d) => d.seq >= sinceSeq) : v.dead;
  const counts = new Map<string, number>();
  for (const d of dead) counts.set(d.className, (counts.get(d.className) ?? 0) + 1);
  const classes = [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  let example: CacheReport['example'] = null;
  for (const d of dead) {
    const insertedAt = appLocation(d.stack);
    if (insertedAt) {
      example = { insertedAt };
      break;
    }
  }
  const rec = v.record;
  const createdAt = appLocation(rec.createdStack);
  const name = rec.name ?? nameFromSite(createdAt, rec.createdIsFirstWrite ? 'receiver' : 'assignment');
  const report: CacheReport = {
    id: rec.id,
    library: rec.library,
    libraryVersion: rec.libraryVersion,
    name,
    createdAt,
    options: v.options,
    trackedKeys: v.trackedKeys,
    deadKeys: dead.length,
    verified: v.verified,
    retainedBytes: v.verified ? (dead.length > 0 ? (v.retainedBytes ?? bytes) : 0) : null,
    classes,
    example,
    advice: adviceFor({
      library: rec.library,
      libraryVersion: rec.libraryVersion,
      options: v.options,
      deadKeys: dead.length,
      hints: rec.hints,
      retention: v.verified && dead.length > 0 ? v.retention : null,
    }),
  };
  if (!v.verified && v.reason) report.reason = v.reason;
  if (v.verified && dead.length > 0 && v.retention) report.retention = v.retention;
  if (v.verified && v.liveKeyHeldBy) report.liveKeyHeldBy = v.liveKeyHeldBy;
  return report;
}

export function buildReport(result: VerificationResult, opts: BuildOptions): Report {
  const sinceSeq = opts.sinceSeq ?? 0;
  // Bytes freed by the one GC are shared among the leaking caches in proportion to their dead keys (the snapshot
  // engine measures each cache's own bytes instead).
  const deadTotal = result.verdicts.reduce((n, v) => n + (v.verified ? v.dead.length : 0), 0);
  const caches = result.verdicts.map((v) => {
    const share =
      result.freedBytes === null || !v.verified || deadTotal === 0
        ? null
        : Math.round((result.freedBytes * v.dead.length) / deadTotal);
    return cacheReport(v, sinceSeq, share);
  });
  caches.sort(
    (a, b) =>
      Number(b.deadKeys > 0) - Number(a.deadKeys > 0) ||
      (b.retainedBytes ?? 0) - (a.retainedBytes ?? 0) ||
      b.deadKeys - a.deadKeys ||
      b.trackedKeys - a.trackedKeys ||
      a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  const leaking = caches.filter((c) => c.deadKeys > 0);
  const knownBytes = leaking.every((c) => c.retainedBytes !== null);
  return {
    schema: 'leak-agent.report/v1',
    trigger: opts.trigger,
    pid: opts.pid ?? process.pid,
    node: process.version,
    time: (opts.now ?? new Date()).toISOString(),
    verification: { engine: result.engine, durationMs: result.durationMs },
    caches,
    summary: {
      caches: caches.length,
      leakingCaches: leaking.length,
      deadKeys: leaking.reduce((n, c) => n + c.deadKeys, 0),
      retainedBytes: !knownBytes
        ? null
        : result.engine === 'snapshot' && sinceSeq === 0 && result.freedBytes !== null
          ? result.freedBytes // bytes several caches pin together, counted once
          : leaking.reduce((n, c) => n + (c.retainedBytes ?? 0), 0),
    },
  };
}
