// Verification result (and its resolved sites) → the JSON report (schema leak-agent.report/v1). Pure: no I/O, no
// process state but what the caller passes in.
import type { LifecycleFigures } from '../track/lifecycle';
import type { LibraryName } from '../track/registry';
import type { SourceLocation } from '../source/location';
import type { CacheVerdict, VerificationResult } from '../verify/verdict';
import { adviceFor } from './advice';
import type { CacheSites, Sites } from './sites';

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
  /** Why the cache could not be verified, or not exactly (present only when verified is false). */
  reason?: string;
  /** Bytes dropping this cache's dead entries would free; null when unknown or measured only together with others. */
  retainedBytes: number | null;
  /** The other leaking caches whose dead entries' bytes were measured together with this one's (summary.retainedBytes). */
  retainedBytesSharedWith?: string[];
  /** How the dead keys are held (snapshot engine): "held as key", "held as key and through cached value .owner". */
  retention?: string;
  /** What keeps the first live key alive outside the caches (snapshot engine), e.g. "Session.user". */
  liveKeyHeldBy?: string;
  classes: Array<{ name: string; count: number }>;
  example: { insertedAt: SourceLocation | null } | null;
  /** Dead keys that earlier reports found in this cache (the gc engine removed them then). */
  removedByEarlierReports?: {
    deadKeys: number;
    classes: Array<{ name: string; count: number }>;
    insertedAt: SourceLocation | null;
    /** When the latest of those reports ran. */
    at: string;
  };
  /**
   * Sampled key lifetimes: of the object keys sampled, how many V8 collected, how many of those only after this cache
   * let them go (it was their last holder), and how many it still holds; the median ms from removal to collection.
   */
  lifecycle?: LifecycleFigures;
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
  summary: {
    caches: number;
    leakingCaches: number;
    /** Distinct dead objects: an object two caches hold counts once. */
    deadKeys: number;
    retainedBytes: number | null;
    /** Caches with object keys that were garbage themselves (never judged) since the previous report. */
    garbageCaches: number;
    /** Of garbageCaches, those the app's own code made (the others were made inside dependencies, e.g. glob's). */
    garbageCachesFromApp: number;
    /** Object keys those of them still in the heap at this report held. */
    garbageKeys: number;
    /** Dead keys earlier reports found (and the gc engine removed), over the caches listed. */
    removedByEarlierReports: number;
  };
}

export interface BuildOptions {
  trigger: Trigger;
  /** Count only keys first inserted at or after this sequence number (a test file, a callback). */
  sinceSeq?: number;
  now?: Date;
  pid?: number;
  node?: string;
}

function classCounts(names: Iterable<[string, number]>): Array<{ name: string; count: number }> {
  return [...names].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function retentionText(v: CacheVerdict): string | undefined {
  if (!v.retention) return undefined;
  return v.retention.valuePath ? `held as key and through cached value ${v.retention.valuePath}` : 'held as key';
}

const NO_SITES: CacheSites = { createdAt: null, name: null, insertedAt: null, removedInsertedAt: null };

function cacheReport(v: CacheVerdict, sinceSeq: number, sites: CacheSites): CacheReport {
  const deadKeys = v.dead.count(sinceSeq);
  const rec = v.record;
  const judged = v.verified || deadKeys > 0;
  const report: CacheReport = {
    id: rec.id,
    library: rec.library,
    libraryVersion: rec.libraryVersion,
    name: sites.name,
    createdAt: sites.createdAt,
    options: v.options,
    trackedKeys: v.trackedKeys,
    deadKeys,
    verified: v.verified,
    // A window reports part of a cache's dead keys: the engine's per-cache bytes cover all of them.
    retainedBytes: judged && deadKeys === 0 && v.verified ? 0 : deadKeys === v.dead.length ? (v.retainedBytes ?? null) : null,
    classes: classCounts(deadKeys > 0 ? v.dead.classCounts(sinceSeq) : []),
    example: deadKeys > 0 ? { insertedAt: sites.insertedAt } : null,
    advice: adviceFor({
      library: rec.library,
      libraryVersion: rec.libraryVersion,
      options: v.options,
      deadKeys,
      hints: rec.hints,
      valuePath: deadKeys > 0 ? (v.retention?.valuePath ?? null) : null,
    }),
  };
  if (!v.verified && v.reason) report.reason = v.reason;
  const retention = deadKeys > 0 ? retentionText(v) : undefined;
  if (retention) report.retention = retention;
  if (v.verified && v.liveKeyHeldBy) report.liveKeyHeldBy = v.liveKeyHeldBy;
  if (v.lifecycle && sinceSeq === 0) report.lifecycle = v.lifecycle;
  const removed = v.removedBefore;
  if (removed && sinceSeq === 0) {
    report.removedByEarlierReports = {
      deadKeys: removed.deadKeys,
      classes: classCounts(removed.classes),
      insertedAt: sites.removedInsertedAt,
      at: new Date(removed.at).toISOString(),
    };
  }
  return report;
}

export function buildReport(result: VerificationResult, sites: Sites, opts: BuildOptions): Report {
  const sinceSeq = opts.sinceSeq ?? 0;
  // The gc engine frees every dead entry in one collection: its bytes are one figure for all leaking caches together.
  // It belongs to a cache alone only when that cache is the only one leaking; the snapshot engine measures each.
  const caches = result.verdicts.map((v) => cacheReport(v, sinceSeq, sites.get(v.record.num) ?? NO_SITES));
  const leaking = caches.filter((c) => c.deadKeys > 0);
  if (result.engine === 'gc') {
    for (const c of leaking) {
      if (leaking.length === 1) c.retainedBytes = result.freedBytes;
      else {
        c.retainedBytes = null;
        if (result.freedBytes !== null) c.retainedBytesSharedWith = leaking.filter((o) => o !== c).map((o) => o.id);
      }
    }
  }
  caches.sort(
    (a, b) =>
      Number(b.deadKeys > 0) - Number(a.deadKeys > 0) ||
      (b.retainedBytes ?? 0) - (a.retainedBytes ?? 0) ||
      b.deadKeys - a.deadKeys ||
      b.trackedKeys - a.trackedKeys ||
      a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  // One object can be a dead key of several caches: counted once (a cache's own dead keys are distinct objects).
  const withDead = result.verdicts.filter((v) => v.dead.length > 0);
  let distinct = withDead.length === 1 ? withDead[0]!.dead.count(sinceSeq) : 0;
  if (withDead.length > 1) {
    const ids = new Set<number>();
    for (const v of withDead) v.dead.forEachId(sinceSeq, (id) => ids.add(id));
    distinct = ids.size;
  }
  return {
    schema: 'leak-agent.report/v1',
    trigger: opts.trigger,
    pid: opts.pid ?? process.pid,
    node: opts.node ?? process.version,
    time: (opts.now ?? new Date()).toISOString(),
    verification: { engine: result.engine, durationMs: result.durationMs },
    caches,
    summary: {
      caches: caches.length,
      leakingCaches: leaking.length,
      deadKeys: distinct,
      retainedBytes: leaking.length === 0 ? (result.engine === 'none' ? null : 0) : sinceSeq === 0 ? result.freedBytes : summedBytes(leaking),
      garbageCaches: result.garbage.caches,
      garbageCachesFromApp: result.garbage.fromApp,
      garbageKeys: result.garbage.keys,
      removedByEarlierReports: caches.reduce((n, c) => n + (c.removedByEarlierReports?.deadKeys ?? 0), 0),
    },
  };
}

/** A window's bytes: the per-cache figures when every one is known (snapshot engine; a window never measures gc bytes). */
function summedBytes(leaking: CacheReport[]): number | null {
  return leaking.every((c) => c.retainedBytes !== null) ? leaking.reduce((n, c) => n + c.retainedBytes!, 0) : null;
}
