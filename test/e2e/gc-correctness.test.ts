// The gc engine's verdicts against the real garbage collector. Ground truth is the same program without the agent,
// where every cache is cleared explicitly and a forced GC shows which keys died. Each case has a known number of
// otherwise-dead keys (see test/fixtures/gc-correctness.cjs), so a verdict that merely agrees with a broken ground
// truth fails too.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LRU_VERSIONS, allLibsApp, lruApp, makeApp, placeScript, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

interface Expected {
  [tag: string]: { max: number; dead: number };
}

const LIBS: Array<{ label: string; lib: string; app: () => string }> = [
  { label: 'lru-cache 4', lib: 'lru-cache', app: () => lruApp('lru4') },
  { label: 'lru-cache 5', lib: 'lru-cache', app: () => lruApp('lru5') },
  { label: 'lru-cache 6', lib: 'lru-cache', app: () => lruApp('lru6') },
  { label: 'lru-cache 7', lib: 'lru-cache', app: () => lruApp('lru7') },
  { label: 'lru-cache 8', lib: 'lru-cache', app: () => lruApp('lru8') },
  { label: 'lru-cache 9', lib: 'lru-cache', app: () => lruApp('lru9') },
  { label: 'lru-cache 10', lib: 'lru-cache', app: () => lruApp('lru10') },
  { label: 'lru-cache 11', lib: 'lru-cache', app: () => lruApp('lru11') },
  { label: 'lodash', lib: 'lodash', app: allLibsApp },
  { label: 'lodash 4.18', lib: 'lodash', app: () => makeApp('lodash418', { lodash: 'lodash-418' }) },
  { label: 'memoizee', lib: 'memoizee', app: allLibsApp },
  { label: 'memoizee 0.4.14', lib: 'memoizee', app: () => makeApp('memoizee0414', { memoizee: 'memoizee-0414' }) },
];

/** Per cache tag: deadKeys from a report (lru-cache caches are told apart by their max). */
function verdictByTag(report: any, expected: Expected): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tag, { max }] of Object.entries(expected)) {
    const c = report.caches.find((x: any) => x.name === tag || (x.library === 'lru-cache' && x.options.max === max));
    out[tag] = c ? c.deadKeys : 0;
  }
  return out;
}

function truthRun(app: string, lib: string, big: boolean): { expected: Expected; truth: Record<string, number> } {
  const r = runNode(app, ['--expose-gc', 'gc-correctness.cjs'], { LIB: lib, MODE: 'truth', BIG: big ? '1' : '0' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe.each(LIBS)('gc engine on $label', ({ lib, app: appOf }) => {
  it('judges every case exactly as the real GC does once the caches are cleared', () => {
    const app = appOf();
    placeScript(app, 'gc-correctness.cjs');
    const { expected, truth } = truthRun(app, lib, false);
    // The ground truth itself matches the numbers the fixture was built with.
    for (const [tag, { dead }] of Object.entries(expected)) expect({ tag, dead: truth[tag] }).toEqual({ tag, dead });

    const file = join(app, `gc-${lib}.json`);
    const r = runNode(app, ['-r', 'leak-agent', 'gc-correctness.cjs'], {
      LIB: lib,
      MODE: 'agent',
      LEAK_AGENT_VERIFY: 'gc',
      LEAK_AGENT_REPORT_FILE: file,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const report = readReport(file);
    assertValidReport(report);
    expect(report.verification.engine).toBe('gc');
    const withExitTurn = { ...expected, s_exitTurn: { max: 1000 + Object.keys(expected).length + 1, dead: 2 } };
    const verdict = verdictByTag(report, withExitTurn);
    expect(verdict).toEqual({ ...truth, s_exitTurn: 2 });
    for (const c of report.caches) {
      expect(c.verified).toBe(true);
      expect(c.classes.reduce((s: number, x: any) => s + x.count, 0)).toBe(c.deadKeys);
    }
    const plain = report.caches.find((c: any) => c.name === 's_plain' || c.options.max === expected.s_plain!.max);
    expect(plain).toMatchObject({ trackedKeys: 8, deadKeys: 5, classes: [{ name: 'Task', count: 5 }] });
    // Distinct objects: the keys s_twoA and s_twoB share count once in the summary (and in each of the two caches).
    expect(report.summary.deadKeys).toBe(Object.values(truth).reduce((s, n) => s + n, 0) + 2 - truth.s_twoB!);
  });

  it('leaves every live entry in place after a mid-run verdict (same values, no recomputation)', () => {
    const app = appOf();
    placeScript(app, 'gc-correctness.cjs');
    const r = runNode(app, ['-r', 'leak-agent', 'gc-correctness.cjs'], {
      LIB: lib,
      MODE: 'api',
      LEAK_AGENT_VERIFY: 'gc',
      LEAK_AGENT_ON_EXIT: '0',
    });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sameValues).toBe(true);
    expect(out.recomputed).toBe(0);
    const expected = out.expected as Expected;
    expect(verdictByTag(out, expected)).toEqual(Object.fromEntries(Object.entries(expected).map(([t, e]) => [t, e.dead])));
  });
});

describe('gc engine at scale', () => {
  it.each([
    { label: 'lru-cache 11', lib: 'lru-cache', app: () => lruApp('lru11') },
    { label: 'lodash', lib: 'lodash', app: allLibsApp },
    { label: 'memoizee', lib: 'memoizee', app: allLibsApp },
  ])('finds exactly 100k dead keys next to 1k live ones ($label)', ({ lib, app: appOf }) => {
    const app = appOf();
    placeScript(app, 'gc-correctness.cjs');
    const file = join(app, `gc-big-${lib}.json`);
    const r = runNode(app, ['-r', 'leak-agent', 'gc-correctness.cjs'], {
      LIB: lib,
      MODE: 'agent',
      BIG: '1',
      LEAK_AGENT_VERIFY: 'gc',
      LEAK_AGENT_REPORT_FILE: file,
    });
    expect(r.status).toBe(0);
    const report = readReport(file);
    const big = report.caches.find((c: any) => c.name === 's_big' || c.options.max === 500_000);
    expect(big).toBeDefined();
    expect(big).toMatchObject({ trackedKeys: 101_000, deadKeys: 100_000, verified: true, classes: [{ name: 'Task', count: 100_000 }] });
  });
});

// Putting an lru-cache back after a verdict: its dead entries leave through the library's own delete, the survivors go
// back into its storage. Every major, against a twin cache whose dead keys the fixture deleted itself
// (test/fixtures/lru-restore.cjs): all keys dead, one alive, half dead with and without a string key, a full cache.
describe.each(LRU_VERSIONS)('lru-cache after a verdict (%s)', (alias) => {
  it('is the cache the app would have had by deleting the dead entries itself: size, order, values, evictions', () => {
    const app = lruApp(alias);
    placeScript(app, 'lru-restore.cjs');
    const r = runNode(app, ['-r', 'leak-agent', 'lru-restore.cjs'], { LEAK_AGENT_VERIFY: 'gc', LEAK_AGENT_ON_EXIT: '0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { differences: string[]; verdict: unknown }>;
    const dead: Record<string, number> = {
      'half dead': 15,
      'half dead, a string key too': 15,
      'all dead': 30,
      'one alive': 29,
      'full, the oldest dead': 10,
    };
    expect(out).toEqual(
      Object.fromEntries(Object.entries(dead).map(([label, n]) => [label, { differences: [], verdict: { deadKeys: n, verified: true } }])),
    );
  });
});

// The gc engine keeps its per-key arrays from one verification to the next (src/verify/scratch.ts): a later, smaller
// verification must judge only its own keys, and no key may stay reachable through those arrays afterwards.
describe('gc engine, one verification after another', () => {
  it('judges a small cache exactly after a large one, and holds no key once a verification returned', () => {
    const app = lruApp('lru11');
    placeScript(
      app,
      'gc-sequence.cjs',
      `'use strict';
const { LRUCache } = require('lru-cache');
const { report } = require('leak-agent');
class Big { constructor(i) { this.i = i; } }
class Small { constructor(i) { this.i = i; } }
function fill(cache, keep, n, make, kept) {
  for (let i = 0; i < n; i++) {
    const k = make(i);
    if (kept(i)) keep.push(k);
    cache.set(k, { owner: k });
  }
}
(async () => {
  const out = {};
  // Filled in functions of their own, so that no frame of this one still points at the last key made.
  let big = new LRUCache({ max: 10000 });
  const keepBig = [];
  fill(big, keepBig, 6000, (i) => new Big(i), (i) => i % 3 === 0);
  const first = await report();
  out.first = first.caches.map((c) => [c.options.max, c.trackedKeys, c.deadKeys, c.classes]);
  // Every key the first verification saw leaves the app and the cache: only the agent could still hold one now.
  const watched = keepBig.slice(0, 50).map((k) => new WeakRef(k));
  big.clear();
  big = null;
  keepBig.length = 0;
  const small = new LRUCache({ max: 20 });
  const keepSmall = [];
  fill(small, keepSmall, 7, (i) => new Small(i), (i) => i < 4);
  const second = await report();
  out.second = second.caches.filter((c) => c.trackedKeys > 0).map((c) => [c.options.max, c.trackedKeys, c.deadKeys, c.classes]);
  out.secondSummary = second.summary.deadKeys;
  await new Promise((r) => setImmediate(r));
  global.gc();
  out.watchedAlive = watched.filter((w) => w.deref() !== undefined).length;
  out.keptSmall = keepSmall.length;
  process.stdout.write(JSON.stringify(out));
})();
`,
    );
    const r = runNode(app, ['--expose-gc', '-r', 'leak-agent', 'gc-sequence.cjs'], { LEAK_AGENT_VERIFY: 'gc', LEAK_AGENT_ON_EXIT: '0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.first).toEqual([[10000, 6000, 4000, [{ name: 'Big', count: 4000 }]]]);
    expect(out.second).toEqual([[20, 7, 3, [{ name: 'Small', count: 3 }]]]);
    expect(out.secondSummary).toBe(3);
    expect(out.watchedAlive).toBe(0);
  });
});
