// report/ is pure: verification result in, v1 report and text out.
import { adviceFor } from '../../src/report/advice';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build';
import { formatBytes, formatText } from '../../src/report/text';
import type { CacheRecord } from '../../src/track/registry';
import type { CacheVerdict, VerificationResult } from '../../src/verify/verdict';
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
    keySeq: new WeakMap(),
    samples: new WeakMap(),
    sampleCount: 0,
    disabled: false,
    hints: new Set(),
  };
}

function verdict(rec: CacheRecord, trackedKeys: number, dead: string[], verified = true, seq = 1): CacheVerdict {
  return {
    record: rec,
    trackedKeys,
    verified,
    reason: verified ? null : 'the cache has a dispose callback, which removing an entry would call',
    dead: dead.map((className) => ({ className, seq, stack: null })),
    options: { max: 128 },
  };
}

const result: VerificationResult = {
  engine: 'gc',
  durationMs: 12.5,
  freedBytes: 3000,
  verdicts: [
    verdict(record(1, 'lodash', 'small'), 5, ['A']),
    verdict(record(2, 'lru-cache', null), 9, []),
    verdict(record(3, 'memoizee', 'big'), 4, ['B', 'B']),
    verdict(record(4, 'lru-cache', 'disposing'), 3, [], false),
  ],
};

describe('buildReport', () => {
  const report = buildReport(result, { trigger: 'exit', now: new Date(0), pid: 42 });

  it('is a valid v1 report', () => {
    assertValidReport(report);
    expect(report).toMatchObject({ schema: 'leak-agent.report/v1', trigger: 'exit', pid: 42, time: '1970-01-01T00:00:00.000Z' });
  });

  it('puts leaking caches first, largest first; shares freed bytes by dead keys', () => {
    expect(report.caches.map((c) => c.id)).toEqual(['c3', 'c1', 'c2', 'c4']);
    expect(report.caches[0]).toMatchObject({ deadKeys: 2, retainedBytes: 2000, classes: [{ name: 'B', count: 2 }] });
    expect(report.caches[1]).toMatchObject({ deadKeys: 1, retainedBytes: 1000 });
    expect(report.summary).toEqual({ caches: 4, leakingCaches: 2, deadKeys: 3, retainedBytes: 3000 });
  });

  it('marks unverified caches with their reason and unknown bytes', () => {
    expect(report.caches[3]).toMatchObject({ verified: false, retainedBytes: null, reason: expect.stringContaining('dispose') });
    expect(report.caches[2]).not.toHaveProperty('reason');
  });

  it('counts only keys inserted in the window', () => {
    const windowed = buildReport(result, { trigger: 'test', sinceSeq: 2 });
    expect(windowed.summary.deadKeys).toBe(0);
  });
});

describe('formatText', () => {
  it('follows the contract shape, without colour when asked', () => {
    const text = formatText(buildReport(result, { trigger: 'exit' }), { color: false });
    // 3000 bytes measured by the gc engine are within its noise: not printed.
    expect(text).toContain('leak-agent: 2 caches keep 3 otherwise-dead objects alive\n');
    expect(text).toContain('  memoizee big  (unknown site)  max 128\n    2 × B dead, 4 tracked');
    expect(text).toContain('    fix: ');
    expect(text).toContain('leak-agent: 1 cache holding object keys could not be verified');
    expect(text).not.toContain('\u001b[');
  });

  it('is one line when nothing leaks and nothing is unverified, and empty with no caches', () => {
    const quiet = buildReport({ ...result, verdicts: [verdict(record(9, 'lodash', 'f'), 2, [])] }, { trigger: 'exit' });
    expect(formatText(quiet, { color: false }).split('\n').filter(Boolean)).toHaveLength(1);
    expect(formatText(buildReport({ ...result, verdicts: [] }, { trigger: 'exit' }), { color: false })).toBe('');
  });

  it('prints sizes above the gc engine\'s noise, per cache when several leak', () => {
    const text = formatText(buildReport({ ...result, freedBytes: 3 * 1024 * 1024 }, { trigger: 'exit' }), { color: false });
    expect(text).toContain('leak-agent: 2 caches keep 3 otherwise-dead objects alive (3.0 MiB)');
    expect(text).toContain('2 × B dead, 4 tracked, ~2.0 MiB');
  });

  it('colours only when asked', () => {
    expect(formatText(buildReport(result, { trigger: 'exit' }), { color: true })).toContain('\u001b[');
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
      const held = adviceFor({ library, libraryVersion: '11.0.0', options: { max: 10 }, deadKeys: 3, retention: 'held as key and through cached value .owner' });
      expect(plain).not.toMatch(/points back/);
      expect(held).toBe(`${plain}; the cached value also points back at its key (.owner), so drop that reference as well`);
      expect(adviceFor({ library, libraryVersion: '11.0.0', options: {}, deadKeys: 3, retention: 'held as key' })).toBe(
        adviceFor({ library, libraryVersion: '11.0.0', options: {}, deadKeys: 3 }),
      );
    }
  });
});
