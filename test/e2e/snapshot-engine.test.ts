// The snapshot engine: the same verdicts as the gc engine and the real GC on the whole correctness suite, with
// nothing in the app changed — every entry stays, dispose callbacks are never called — and exact bytes per cache.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLibsApp, lruApp, placeScript, readReport, runNode, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

interface Expected {
  [tag: string]: { max: number; dead: number };
}

function verdictByTag(report: any, expected: Expected): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tag, { max }] of Object.entries(expected)) {
    const c = report.caches.find((x: any) => x.name === tag || (x.library === 'lru-cache' && x.options.max === max));
    out[tag] = c ? c.deadKeys : 0;
  }
  return out;
}

const LIBS = [
  { label: 'lru-cache 6', lib: 'lru-cache', app: () => lruApp('lru6') },
  { label: 'lru-cache 7', lib: 'lru-cache', app: () => lruApp('lru7') },
  { label: 'lru-cache 11', lib: 'lru-cache', app: () => lruApp('lru11') },
  { label: 'lodash', lib: 'lodash', app: allLibsApp },
  { label: 'memoizee', lib: 'memoizee', app: allLibsApp },
];

/** A private TMPDIR for one child, so that other tests' snapshots running at the same time do not show up in it. */
function privateTmp(): string {
  return mkdtempSync(join(tmpdir(), 'leak-agent-test-tmp-'));
}

function snapshotDirs(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('leak-agent-snapshot-'));
}

describe.each(LIBS)('snapshot engine on $label', ({ lib, app: appOf }) => {
  it('agrees with the gc engine and the real GC on every case, and changes nothing', () => {
    const app = appOf();
    placeScript(app, 'gc-correctness.cjs');
    const tmp = privateTmp();
    const run = (verify: string) => {
      const file = join(app, `engines-${lib}-${verify}.json`);
      const r = runNode(app, ['-r', 'leak-agent', 'gc-correctness.cjs'], { LIB: lib, MODE: 'agent', LEAK_AGENT_VERIFY: verify, LEAK_AGENT_REPORT_FILE: file, TMPDIR: tmp });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toMatch(/internal error/);
      const report = readReport(file);
      assertValidReport(report);
      return report;
    };
    const gc = run('gc');
    const snap = run('snapshot');
    expect(snap.verification.engine).toBe('snapshot');
    const truth = JSON.parse(runNode(app, ['--expose-gc', 'gc-correctness.cjs'], { LIB: lib, MODE: 'truth' }).stdout);
    const expected: Expected = { ...truth.expected, s_exitTurn: { max: 1000 + Object.keys(truth.expected).length + 1, dead: 2 } };
    expect(verdictByTag(snap, expected)).toEqual(verdictByTag(gc, expected));
    expect(verdictByTag(snap, expected)).toEqual({ ...truth.truth, s_exitTurn: 2 });
    for (const c of snap.caches) {
      const twin = gc.caches.find((x: any) => x.name === c.name && JSON.stringify(x.options) === JSON.stringify(c.options));
      expect(c.classes).toEqual(twin.classes);
      expect(c.verified).toBe(true);
      if (c.deadKeys > 0) {
        expect(c.retainedBytes).toBeGreaterThan(0);
        expect(c.retention).toMatch(/^held as key/);
      }
    }
    // A cache with live keys says what holds the first one (s_plain's live keys sit in app.keep).
    const plain = snap.caches.find((c: any) => c.name === 's_plain' || c.options.max === expected.s_plain!.max);
    expect(plain.liveKeyHeldBy).toMatch(/\.keep\[\d+\]$/);
    // The value→key case says so.
    const valueKey = snap.caches.find((c: any) => c.name === 's_valueKey' || c.options.max === expected.s_valueKey!.max);
    expect(valueKey.retention).toMatch(/through cached value \.owner/);
    expect(valueKey.advice).toMatch(/points back at its key \(\.owner\)/);
    // No temporary directory is left behind.
    expect(snapshotDirs(tmp)).toEqual([]);
  });

  it('keeps every entry: a second report finds the same dead keys, live keys still hit', () => {
    const app = appOf();
    placeScript(app, 'gc-correctness.cjs');
    const r = runNode(app, ['-r', 'leak-agent', 'gc-correctness.cjs'], { LIB: lib, MODE: 'api', LEAK_AGENT_VERIFY: 'snapshot', LEAK_AGENT_ON_EXIT: '0', API_TWICE: '1' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sameValues).toBe(true);
    expect(out.recomputed).toBe(0);
    expect(out.second).toEqual(out.caches.map((c: any) => c.deadKeys));
    expect(out.caches.reduce((s: number, c: any) => s + c.deadKeys, 0)).toBeGreaterThan(0);
  });
});

describe('snapshot engine where the gc engine cannot go', () => {
  it('verifies an lru-cache with dispose under auto without calling dispose or dropping entries', () => {
    const app = lruApp('lru11');
    placeScript(
      app,
      'dispose.cjs',
      `const { LRUCache } = require('lru-cache');
const disposed = [];
const cache = (globalThis.cache = new LRUCache({ max: 100, dispose: (v, k, why) => disposed.push(why) }));
globalThis.keep = [];
for (let i = 0; i < 5; i++) cache.set({ i }, new Array(1000).fill(i));
for (let i = 0; i < 3; i++) { const k = { i }; keep.push(k); cache.set(k, i); }
setTimeout(async () => {
  const r = await require('leak-agent').report();
  console.log(JSON.stringify({ engine: r.verification.engine, dead: r.caches[0].deadKeys, verified: r.caches[0].verified, bytes: r.caches[0].retainedBytes, size: cache.size, disposed }));
}, 5);
`,
    );
    const r = runNode(app, ['-r', 'leak-agent', 'dispose.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ engine: 'snapshot', dead: 5, verified: true, size: 8, disposed: [] });
    // Five arrays of 1000 small integers: at least 5 × 8000 bytes, exactly counted.
    expect(out.bytes).toBeGreaterThanOrEqual(40_000);
    expect(out.bytes).toBeLessThan(60_000);
  });

  it('falls back with one clear line when a snapshot cannot be written, and the app goes on', () => {
    const app = lruApp('lru11');
    placeScript(app, 'lru-basic.cjs');
    const tmp = privateTmp();
    const r = runNode(app, ['-r', 'leak-agent', 'lru-basic.cjs'], { LEAK_AGENT_VERIFY: 'snapshot', LEAK_AGENT_FAULT: 'snapshot', TMPDIR: tmp });
    expect(r.status).toBe(0);
    expect(snapshotDirs(tmp)).toEqual([]); // the private directory goes, also when the snapshot failed
    expect(r.stderr).toMatch(/leak-agent: internal error .*snapshot.*injected fault \(snapshot\)/);
    expect(r.stderr).toMatch(/could not be verified/);
    expect(existsSync(app)).toBe(true);
  });
});

describe('snapshot guard rails', () => {
  const script = `const { LRUCache } = require('lru-cache');
const plain = (globalThis.plain = new LRUCache({ max: 10 }));
const withDispose = (globalThis.withDispose = new LRUCache({ max: 11, dispose: () => {} }));
for (let i = 0; i < 3; i++) { plain.set({ i }, i); withDispose.set({ i }, i); }
console.log('done');
`;

  it('auto: without memory for a snapshot, one clear line, then the gc engine for what it can take', () => {
    const app = lruApp('lru11');
    placeScript(app, 'guard.cjs', script);
    const file = join(app, 'guard-auto.json');
    const r = runNode(app, ['-r', 'leak-agent', 'guard.cjs'], { LEAK_AGENT_FAULT: 'snapshot-memory', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('done\n');
    expect(r.stderr.match(/leak-agent: no heap snapshot: a heap snapshot of \d+ MiB needs about \d+ MiB of free memory, 0 MiB available/g)).toHaveLength(1);
    const report = readReport(file);
    expect(report.verification.engine).toBe('gc');
    const plain = report.caches.find((c: any) => c.options.max === 10);
    const withDispose = report.caches.find((c: any) => c.options.max === 11);
    expect(plain).toMatchObject({ verified: true, deadKeys: 3 });
    expect(withDispose).toMatchObject({ verified: false, deadKeys: 0, reason: expect.stringContaining('dispose') });
  });

  it('snapshot: without memory for a snapshot, nothing is touched and every cache is unverified', () => {
    const app = lruApp('lru11');
    placeScript(app, 'guard.cjs', script);
    const file = join(app, 'guard-snapshot.json');
    const r = runNode(app, ['-r', 'leak-agent', 'guard.cjs'], { LEAK_AGENT_FAULT: 'snapshot-memory', LEAK_AGENT_VERIFY: 'snapshot', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const report = readReport(file);
    expect(report.verification.engine).toBe('none');
    for (const c of report.caches) expect(c).toMatchObject({ verified: false, trackedKeys: 3, reason: expect.stringContaining('free memory') });
  });
});

describe('snapshot engine on a signal', () => {
  const script = `const { LRUCache } = require('lru-cache');
const cache = (globalThis.cache = new LRUCache({ max: 100 }));
for (let i = 0; i < 4; i++) cache.set({ i }, new Array(100).fill(i));
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
const end = () => { clearInterval(timer); console.log('size', cache.size, 'ticked', ticks > 0); };
process.kill(process.pid, 'SIGUSR2');
// STAY_MS: end then; without it, keep running (ticking) until SIGHUP.
if (process.env.STAY_MS) setTimeout(end, Number(process.env.STAY_MS));
else process.on('SIGHUP', end);
`;

  it('reports while the app keeps running, and keeps every entry', async () => {
    const app = lruApp('lru11');
    placeScript(app, 'signal-snapshot.cjs', script);
    const tmp = privateTmp();
    const proc = startNode(app, ['-r', 'leak-agent', 'signal-snapshot.cjs'], { LEAK_AGENT_VERIFY: 'snapshot', LEAK_AGENT_ON_EXIT: '0', TMPDIR: tmp });
    // However long the analysis takes on a busy machine, the app goes on ticking meanwhile; then it is told to end.
    await proc.waitFor(/otherwise-dead objects alive[\s\S]*fix:/, 'stderr');
    proc.child.kill('SIGHUP');
    const r = await proc.ended;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('size 4 ticked true\n');
    expect(r.stderr).toMatch(/leak-agent: 1 cache keeps 4 otherwise-dead objects alive/);
    expect(r.stderr).toMatch(/held as key/);
    expect(snapshotDirs(tmp)).toEqual([]);
  });

  it('an exit while the analysis runs still gets its exit report, and nothing is left behind', () => {
    const app = lruApp('lru11');
    placeScript(app, 'signal-snapshot.cjs', script);
    const tmp = privateTmp();
    const r = runNode(app, ['-r', 'leak-agent', 'signal-snapshot.cjs'], { LEAK_AGENT_VERIFY: 'snapshot', STAY_MS: '1', TMPDIR: tmp });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('size 4 ticked true\n');
    expect(r.stderr).toMatch(/leak-agent: 1 cache keeps 4 otherwise-dead objects alive/);
    expect(snapshotDirs(tmp)).toEqual([]);
  });
});

it('an exception the app throws while a report is being analysed ends it exactly as without the agent', () => {
  const app = lruApp('lru11');
  placeScript(
    app,
    'throw-during.cjs',
    `const { LRUCache } = require('lru-cache');
const cache = (globalThis.cache = new LRUCache({ max: 100 }));
for (let i = 0; i < 4; i++) cache.set({ i }, i);
// Only the agent listens for SIGUSR2; without it the signal would end the process before the throw.
if (process.listenerCount('SIGUSR2') > 0) process.kill(process.pid, 'SIGUSR2');
setTimeout(() => { console.log('about to throw'); throw new RangeError('app failure'); }, 20);
setTimeout(() => console.log('never'), 60_000);
`,
  );
  const plain = runNode(app, ['throw-during.cjs'], { LEAK_AGENT_VERIFY: 'snapshot' });
  const tmp = privateTmp();
  const r = runNode(app, ['-r', 'leak-agent', 'throw-during.cjs'], { LEAK_AGENT_VERIFY: 'snapshot', TMPDIR: tmp });
  expect(plain.status).toBe(1);
  expect(r.status).toBe(plain.status);
  expect(r.stdout).toBe(plain.stdout);
  expect(r.stderr).toContain('RangeError: app failure');
  expect(r.stderr).toMatch(/leak-agent: 1 cache keeps 4 otherwise-dead objects alive/);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(snapshotDirs(tmp)).toEqual([]);
});
