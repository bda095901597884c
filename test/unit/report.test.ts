// report/ is pure: verification result in, v1 report and text out.
import { adviceFor } from '../../src/report/advice';
import { describe, expect, it } from 'vitest';
import { type BuildOptions, type Report, buildReport } from '../../src/report/build';
import { resolveSites } from '../../src/report/sites';
import { formatBytes, formatText } from '../../src/report/text';
import type { CacheRecord } from '../../src/track/registry';
import { type CacheVerdict, type VerificationResult, deadKeysOf } from '../../src/verify/verdict';
import { assertValidReport } from '../helpers/schema';

function record(num: number, library: CacheRecord['library'], name: string | null): CacheRecord {
  return {
    num,
    id: `c${num}`,
    library,
    libraryVersion: '1.2.3',
    name,
    createdStack: null,
    createdIsFirstWrite: false,
    storeRef: new WeakRef({}),
    adapter: {} as never,
    inserted: 0,
    nextWork: 1,
    keySeq: null,
    firstSeq: null,
    samples: null,
    sampleCount: 0,
    disabled: false,
    hints: new Set(),
    removed: null,
    life: null,
  };
}

let nextId = 1;
function verdict(rec: CacheRecord, trackedKeys: number, dead: Array<string | [string, number]>, verified = true, seq = 1): CacheVerdict {
  return {
    record: rec,
    trackedKeys,
    verified,
    reason: verified ? null : 'the cache has a dispose callback, which removing an entry would call',
    // A [class, id] pair names an object another cache holds too.
    dead: deadKeysOf(dead.map((d) => (typeof d === 'string' ? { className: d, seq, stack: null, id: nextId++ } : { className: d[0], seq, stack: null, id: d[1] }))),
    options: { max: 128 },
    removedBefore: null,
  };
}

function build(result: VerificationResult, opts: BuildOptions): Report {
  return buildReport(result, resolveSites(result, opts.sinceSeq ?? 0), opts);
}

const result: VerificationResult = {
  engine: 'gc',
  durationMs: 12.5,
  freedBytes: 3000,
  garbage: { caches: 0, fromApp: 0, keys: 0 },
  verdicts: [
    verdict(record(1, 'lodash', 'small'), 5, ['A']),
    verdict(record(2, 'lru-cache', null), 9, []),
    verdict(record(3, 'memoizee', 'big'), 4, ['B', 'B']),
    verdict(record(4, 'lru-cache', 'disposing'), 3, [], false),
  ],
};

describe('buildReport', () => {
  const report = build(result, { trigger: 'exit', now: new Date(0), pid: 42 });

  it('is a valid v1 report', () => {
    assertValidReport(report);
    expect(report).toMatchObject({ schema: 'leak-agent.report/v1', trigger: 'exit', pid: 42, time: '1970-01-01T00:00:00.000Z' });
  });

  it('puts leaking caches first, most dead first; bytes the gc engine measured together are not split', () => {
    expect(report.caches.map((c) => c.id)).toEqual(['c3', 'c1', 'c2', 'c4']);
    expect(report.caches[0]).toMatchObject({ deadKeys: 2, retainedBytes: null, retainedBytesSharedWith: ['c1'], classes: [{ name: 'B', count: 2 }] });
    expect(report.caches[1]).toMatchObject({ deadKeys: 1, retainedBytes: null, retainedBytesSharedWith: ['c3'] });
    expect(report.caches[2]).toMatchObject({ deadKeys: 0, retainedBytes: 0 });
    expect(report.summary).toEqual({ caches: 4, leakingCaches: 2, deadKeys: 3, retainedBytes: 3000, garbageCaches: 0, garbageCachesFromApp: 0, garbageKeys: 0, removedByEarlierReports: 0 });
  });

  it('gives one leaking cache the whole measured figure', () => {
    const one = build({ ...result, verdicts: [verdict(record(7, 'lodash', 'f'), 3, ['A', 'A'])] }, { trigger: 'exit' });
    expect(one.caches[0]).toMatchObject({ retainedBytes: 3000 });
    expect(one.caches[0]).not.toHaveProperty('retainedBytesSharedWith');
  });

  it('counts an object two caches hold once in the summary, and in each cache', () => {
    const shared = build(
      { ...result, verdicts: [verdict(record(5, 'lodash', 'a'), 12, Array.from({ length: 12 }, (_, i) => ['K', 1000 + i] as [string, number])), verdict(record(6, 'lru-cache', 'b'), 12, Array.from({ length: 12 }, (_, i) => ['K', 1000 + i] as [string, number]))] },
      { trigger: 'exit' },
    );
    expect(shared.caches.map((c) => c.deadKeys)).toEqual([12, 12]);
    expect(shared.summary.deadKeys).toBe(12);
    expect(formatText(shared, { color: false })).toContain('leak-agent: 2 caches keep 12 otherwise-dead objects alive');
  });

  it('marks unverified caches with their reason and unknown bytes', () => {
    expect(report.caches[3]).toMatchObject({ verified: false, retainedBytes: null, reason: expect.stringContaining('dispose') });
    expect(report.caches[2]).not.toHaveProperty('reason');
  });

  it('counts only keys inserted in the window', () => {
    const windowed = build(result, { trigger: 'test', sinceSeq: 2 });
    expect(windowed.summary.deadKeys).toBe(0);
  });

  it('says what earlier reports removed, and counts garbage caches', () => {
    const rec = record(8, 'lru-cache', 'summaries');
    const v = verdict(rec, 0, []);
    v.removedBefore = { deadKeys: 50, classes: new Map([['Task', 50]]), firstStack: null, at: Date.UTC(2026, 11, 3, 12, 1, 3) };
    const r = build({ ...result, verdicts: [v], garbage: { caches: 6, fromApp: 2, keys: 5988 } }, { trigger: 'signal' });
    assertValidReport(r);
    expect(r.caches[0]).toMatchObject({ trackedKeys: 0, deadKeys: 0, removedByEarlierReports: { deadKeys: 50, classes: [{ name: 'Task', count: 50 }], at: '2026-12-03T12:01:03.000Z' } });
    expect(r.summary).toMatchObject({ garbageCaches: 6, garbageKeys: 5988, removedByEarlierReports: 50 });
    expect(formatText(r, { color: false })).toMatch(/^leak-agent: no new dead objects since the report at \d\d:\d\d:03 \(50 found then, in lru-cache summaries\)\n$/);
  });
});

describe('formatText', () => {
  it('follows the contract shape, without colour when asked', () => {
    const text = formatText(build(result, { trigger: 'exit' }), { color: false });
    // 3000 bytes measured by the gc engine are within its noise: not printed.
    expect(text).toContain('leak-agent: 2 caches keep 3 otherwise-dead objects alive\n');
    expect(text).toContain('  memoizee big  (unknown site)  max 128\n    2 × B dead, 4 tracked');
    expect(text).toContain('    fix: ');
    expect(text).toContain('leak-agent: 1 cache holding object keys could not be verified');
    expect(text).not.toContain('\u001b[');
  });

  it('is one line when nothing leaks and nothing is unverified, and empty with no caches', () => {
    const quiet = build({ ...result, verdicts: [verdict(record(9, 'lodash', 'f'), 2, [])] }, { trigger: 'exit' });
    expect(formatText(quiet, { color: false }).split('\n').filter(Boolean)).toHaveLength(1);
    expect(formatText(build({ ...result, verdicts: [] }, { trigger: 'exit' }), { color: false })).toBe('');
  });

  it('says in its one line when the caches with object keys were garbage themselves', () => {
    const text = formatText(build({ ...result, verdicts: [], garbage: { caches: 6, fromApp: 2, keys: 5988 } }, { trigger: 'exit' }), { color: false });
    expect(text).toBe(
      'leak-agent: no live cache keeps otherwise-dead objects alive (6 caches with object keys were garbage themselves and not judged; judge caches while they live: a signal, report() or a test window)\n',
    );
  });

  it('prints the gc engine\'s sizes above its noise as one figure for caches measured together', () => {
    const text = formatText(build({ ...result, freedBytes: 3 * 1024 * 1024 }, { trigger: 'exit' }), { color: false });
    expect(text).toContain('leak-agent: 2 caches keep 3 otherwise-dead objects alive (~3.0 MiB together)');
    expect(text).toContain('    2 × B dead, 4 tracked\n');
  });

  it('prints the snapshot engine\'s exact sizes per cache, without ~', () => {
    const snap = { ...result, engine: 'snapshot' as const, freedBytes: 3 * 1024 * 1024 };
    snap.verdicts = result.verdicts.map((v) => ({ ...v, retainedBytes: v.dead.length * 1024 * 1024 }));
    const text = formatText(build(snap, { trigger: 'exit' }), { color: false });
    expect(text).toContain('leak-agent: 2 caches keep 3 otherwise-dead objects alive (3.0 MiB)');
    expect(text).toContain('2 × B dead, 4 tracked, 2.0 MiB');
  });

  it('colours only when asked', () => {
    expect(formatText(build(result, { trigger: 'exit' }), { color: true })).toContain('\u001b[');
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(134217728)).toBe('128.0 MiB');
  });
});

describe('adviceFor', () => {
  it('adds the value→key back-reference the snapshot engine found, for every library', () => {
    for (const library of ['lru-cache', 'lodash', 'memoizee'] as const) {
      const plain = adviceFor({ library, libraryVersion: '11.0.0', options: { max: 10 }, deadKeys: 3 });
      const held = adviceFor({ library, libraryVersion: '11.0.0', options: { max: 10 }, deadKeys: 3, valuePath: '.owner' });
      expect(plain).not.toMatch(/points back/);
      expect(held).toBe(`${plain}; the cached value also points back at its key (.owner), so drop that reference as well`);
      expect(adviceFor({ library, libraryVersion: '11.0.0', options: {}, deadKeys: 3, valuePath: null })).toBe(
        adviceFor({ library, libraryVersion: '11.0.0', options: {}, deadKeys: 3 }),
      );
    }
  });
});
