// Only caches the app still holds are judged (issue #18): a cache that is garbage itself — dropped with the job that
// made it, whether V8 has collected it yet or not — is never a leak, under every engine, at exit and on a signal, and
// the same app gives the same report whatever V8's collection timing. Against the real GC.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLibsApp, makeApp, placeScript, readReport, runNode, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

/** What must hold in every report of jobs.cjs: exactly the live cache, 30 dead Tasks, no garbage cache listed. */
function expectOnlyTheLiveLeak(report: any): void {
  assertValidReport(report);
  const leaking = report.caches.filter((c: any) => c.deadKeys > 0);
  expect(leaking).toHaveLength(1);
  expect(leaking[0]).toMatchObject({ library: 'lru-cache', options: { max: 50 }, trackedKeys: 40, deadKeys: 30, verified: true, classes: [{ name: 'Task', count: 30 }] });
  // No cache made by a job is listed (their keys are Node objects).
  expect(report.caches.some((c: any) => c.classes.some((k: any) => k.name === 'Node'))).toBe(false);
  expect(report.caches).toHaveLength(1);
  expect(report.summary).toMatchObject({ leakingCaches: 1, deadKeys: 30 });
}

describe('caches that are garbage themselves', () => {
  const app = allLibsApp();
  placeScript(app, 'jobs.cjs');

  it.each(['gc', 'snapshot', 'auto'])('are never judged at exit (%s): the same report on every run, whatever the GC timing', (engine) => {
    const runs = engine === 'gc' ? 20 : 4;
    const seen = new Set<string>();
    for (let n = 0; n < runs; n++) {
      const file = join(app, `jobs-${engine}-${n}.json`);
      rmSync(file, { force: true });
      // Other allocation patterns make V8 collect at other moments; FORCE_GC collects every garbage cache first.
      const env = { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_REPORT_FILE: file, GARBAGE: String((n * 7) % 23), FORCE_GC: n % 3 === 0 ? '1' : undefined };
      const r = runNode(app, ['--expose-gc', '-r', 'leak-agent', 'jobs.cjs'], env);
      expect(r.status).toBe(0);
      const report = readReport(file);
      expectOnlyTheLiveLeak(report);
      expect(report.verification.engine).toBe(engine === 'auto' ? 'gc' : engine);
      // 75 job caches held object keys; each is garbage, collected before the report or found garbage by it.
      expect(report.summary.garbageCaches).toBe(75);
      expect(report.summary.garbageCachesFromApp).toBe(75); // every creation site captured: the first 1024 caches always are
      seen.add(r.stderr.replace(/\d+(\.\d+)? (KiB|MiB)/g, 'N').replace(file, 'FILE'));
    }
    expect([...seen], 'every run printed the same report').toEqual([[...seen][0]]);
    expect([...seen][0]).toContain('leak-agent: 1 cache keeps 30 otherwise-dead objects alive');
    expect([...seen][0]).toContain('(75 caches with object keys were garbage themselves and not judged)');
  });

  it.each(['gc', 'snapshot'])('are never judged on a signal while jobs keep making them (%s)', async (engine) => {
    const dir = join(app, `signal-${engine}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const proc = startNode(app, ['-r', 'leak-agent', 'jobs.cjs'], {
      MODE: 'signal',
      LEAK_AGENT_VERIFY: engine,
      LEAK_AGENT_ON_EXIT: '0',
      LEAK_AGENT_REPORT_FILE: join(dir, 'r.json'),
    });
    await proc.waitFor(/ready/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/otherwise-dead objects alive/, 'stderr');
    for (let i = 0; i < 200 && !existsSync(join(dir, 'r.json')); i++) await new Promise((r) => setTimeout(r, 25));
    proc.child.kill('SIGTERM');
    await proc.ended;
    expectOnlyTheLiveLeak(readReport(join(dir, 'r.json')));
  });
});

describe('a short script whose module-local cache is garbage at exit', () => {
  it('gets one line saying why nothing is judged, on every run, however big its keys', () => {
    const app = allLibsApp();
    for (const size of [1, 100_000]) {
      placeScript(
        app,
        `script-${size}.cjs`,
        `const { LRUCache } = require('lru-cache');
const cache = new LRUCache({ max: 100 });
for (let i = 0; i < 20; i++) cache.set({ i, data: new Array(${size}).fill(i) }, i);
console.log('done');
`,
      );
      for (let n = 0; n < 3; n++) {
        const r = runNode(app, ['-r', 'leak-agent', `script-${size}.cjs`]);
        expect(r.stdout).toBe('done\n');
        expect(r.stderr).toBe(
          'leak-agent: no live cache keeps otherwise-dead objects alive (1 cache with object keys was garbage itself and not judged; judge caches while they live: a signal, report() or a test window)\n',
        );
      }
    }
  });
});

describe('glob, a real program that builds a cache per call', () => {
  // What `glob` loads (its CLI's dependencies are not needed): path-scurry makes one lru-cache per glob() call.
  const deps = ['glob', 'path-scurry', 'lru-cache', 'minimatch', 'minipass', 'brace-expansion', 'balanced-match'];
  const app = makeApp('glob', Object.fromEntries(deps.map((d) => [d, d])));
  const tree = join(app, 'tree');
  if (!existsSync(tree)) {
    for (let a = 0; a < 20; a++) {
      for (let b = 0; b < 10; b++) {
        mkdirSync(join(tree, `d${a}`, `e${b}`), { recursive: true });
        for (let c = 0; c < 5; c++) writeFileSync(join(tree, `d${a}`, `e${b}`, `f${c}.txt`), 'x');
      }
    }
  }

  it.each(['cjs', 'mjs'])('prints nothing at exit after globbing a directory tree many times (%s)', (kind) => {
    const script =
      kind === 'cjs'
        ? `const { glob } = require('glob');\n(async () => { let n = 0; for (let i = 0; i < 30; i++) n += (await glob('tree/**/*.txt')).length; console.log(n); })();\n`
        : `import { glob } from 'glob';\nlet n = 0; for (let i = 0; i < 30; i++) n += (await glob('tree/**/*.txt')).length; console.log(n);\n`;
    placeScript(app, `globber.${kind}`, script);
    for (const engine of ['gc', 'auto', 'snapshot']) {
      const plain = runNode(app, [`globber.${kind}`]);
      const r = runNode(app, [kind === 'cjs' ? '-r' : '--import', 'leak-agent', `globber.${kind}`], { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_EXIT_CODE: '7' });
      expect(plain.stdout).toBe('30000\n');
      expect({ engine, stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ engine, stdout: plain.stdout, stderr: '', status: 0 });
    }
  });
});

describe('every number is true', () => {
  const app = allLibsApp();

  it('counts Buffer memory under both engines, within 10% of each other', () => {
    placeScript(
      app,
      'frames.cjs',
      `const { LRUCache } = require('lru-cache');
class Frame { constructor(i) { this.i = i; this.pixels = Buffer.alloc(1024 * 1024, i); } }
const frames = new LRUCache({ max: 100 });
module.exports = frames;
for (let i = 0; i < 64; i++) frames.set(new Frame(i), i);
`,
    );
    const bytes: Record<string, number> = {};
    for (const engine of ['gc', 'snapshot']) {
      const file = join(app, `frames-${engine}.json`);
      const r = runNode(app, ['-r', 'leak-agent', 'frames.cjs'], { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_REPORT_FILE: file });
      expect(r.status).toBe(0);
      const report = readReport(file);
      expect(report.caches[0]).toMatchObject({ deadKeys: 64, classes: [{ name: 'Frame', count: 64 }] });
      bytes[engine] = report.caches[0].retainedBytes;
      expect(r.stderr).toMatch(engine === 'gc' ? /alive \(~6\d\.\d MiB\)/ : /alive \(6\d\.\d MiB\)/);
    }
    // 64 MiB of Buffers, within the gc engine's noise (V8's heap accounting moves up to ~200 KiB between collections).
    expect(bytes.gc).toBeGreaterThan(64 * 1024 * 1024 - 256 * 1024);
    expect(Math.abs(bytes.gc! - bytes.snapshot!) / bytes.snapshot!).toBeLessThan(0.1);
  });

  it('names a framework-made key by the nearest constructor on its prototype chain, under both engines', () => {
    placeScript(
      app,
      'requests.cjs',
      `const { IncomingMessage } = require('node:http');
const { LRUCache } = require('lru-cache');
// Express: app.request = Object.create(http.IncomingMessage.prototype); each req's prototype is set to it.
const request = Object.create(IncomingMessage.prototype);
const perRequest = new LRUCache({ max: 100 });
module.exports = perRequest;
for (let i = 0; i < 10; i++) perRequest.set(Object.setPrototypeOf({ url: '/' + i }, request), i);
`,
    );
    for (const engine of ['gc', 'snapshot']) {
      const file = join(app, `requests-${engine}.json`);
      runNode(app, ['-r', 'leak-agent', 'requests.cjs'], { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_REPORT_FILE: file });
      expect(readReport(file).caches[0]).toMatchObject({ deadKeys: 10, classes: [{ name: 'IncomingMessage', count: 10 }] });
    }
  });

  it('counts an object two caches hold once, and says where bytes were measured together', () => {
    placeScript(
      app,
      'shared.cjs',
      `const { LRUCache } = require('lru-cache');
const memoize = require('lodash/memoize');
class Doc { constructor(i) { this.i = i; this.body = Buffer.alloc(64 * 1024); } }
const a = new LRUCache({ max: 100 });
const b = memoize((d) => d.i);
module.exports = { a, b };
for (let i = 0; i < 12; i++) { const d = new Doc(i); a.set(d, i); b(d); }
`,
    );
    const file = join(app, 'shared.json');
    const r = runNode(app, ['-r', 'leak-agent', 'shared.cjs'], { LEAK_AGENT_VERIFY: 'gc', LEAK_AGENT_REPORT_FILE: file });
    expect(r.stderr).toMatch(/^leak-agent: 2 caches keep 12 otherwise-dead objects alive \(~\d+\.\d KiB together\)/);
    const report = readReport(file);
    expect(report.summary.deadKeys).toBe(12);
    expect(report.caches.map((c: any) => c.deadKeys)).toEqual([12, 12]);
    expect(report.caches.map((c: any) => c.retainedBytes)).toEqual([null, null]);
    expect(report.caches[0].retainedBytesSharedWith).toEqual([report.caches[1].id]);
    // The 12 Buffers' 768 KiB, within the gc engine's noise (V8's heap accounting moves up to ~200 KiB between
    // collections; the text report prints its sizes only from 256 KiB).
    expect(report.summary.retainedBytes).toBeGreaterThan(12 * 64 * 1024 - 256 * 1024);
  });

  it('judges objects an lru-cache entry and a two-argument memoizee entry share once, and puts the live ones back in both', () => {
    placeScript(
      app,
      'mixed.cjs',
      `const { report } = require('leak-agent');
const { LRUCache } = require('lru-cache');
const memoizee = require('memoizee');
class Doc { constructor(i) { this.i = i; } }
class Part { constructor(i) { this.i = i; } }
let calls = 0;
const byDoc = new LRUCache({ max: 100 });
const joined = memoizee((d, p) => ++calls, { length: 2 });
const live = [];
for (let i = 0; i < 12; i++) {
  const d = new Doc(i);
  const p = new Part(i);
  byDoc.set(d, p); // the value holds the Part while its Doc lives
  joined(d, p);
  if (i % 3 === 0) live.push(d);
}
module.exports = { byDoc, joined, live };
(async () => {
  const r = await report();
  const before = calls;
  for (const d of live) joined(d, byDoc.get(d));
  const sorted = r.caches.map((c) => [c.library, c.deadKeys, c.classes.map((k) => k.name + ':' + k.count).sort().join(',')]).sort();
  console.log(JSON.stringify({ caches: sorted, distinct: r.summary.deadKeys, lruSize: byDoc.size, recomputed: calls - before }));
})();
`,
    );
    for (const engine of ['gc', 'snapshot']) {
      const r = runNode(app, ['-r', 'leak-agent', 'mixed.cjs'], { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_ON_EXIT: '0' });
      expect(r.stderr).toBe('');
      // 8 Docs the app dropped die, and with them their Parts (held by their lru-cache values and memoizee entries);
      // the 4 live Docs keep their values, so their Parts live. The gc engine puts the live entries back: no recompute.
      expect(JSON.parse(r.stdout)).toEqual({
        caches: [
          ['lru-cache', 8, 'Doc:8'],
          ['memoizee', 16, 'Doc:8,Part:8'],
        ],
        distinct: 16,
        lruSize: engine === 'gc' ? 4 : 12,
        recomputed: 0,
      });
    }
  });

  it('a second report says what the first found and removed', async () => {
    placeScript(
      app,
      'twice.cjs',
      `const { report } = require('leak-agent');
const { LRUCache } = require('lru-cache');
class Task { constructor(i) { this.i = i; } }
const summaries = new LRUCache({ max: 100 });
module.exports = summaries;
for (let i = 0; i < 50; i++) summaries.set(new Task(i), i);
(async () => {
  const first = await report();
  const second = await report();
  console.log(JSON.stringify([first.caches[0].deadKeys, second.caches[0].deadKeys, second.caches[0].removedByEarlierReports.deadKeys, second.summary.removedByEarlierReports]));
})();
`,
    );
    const r = runNode(app, ['-r', 'leak-agent', 'twice.cjs'], { LEAK_AGENT_VERIFY: 'gc' });
    expect(r.stdout).toBe('[50,0,50,50]\n');
    expect(r.stderr).toMatch(/^leak-agent: no new dead objects since the report at \d\d:\d\d:\d\d \(50 found then, in lru-cache summaries\)\n$/);
    expect(readFileSync(join(app, 'twice.cjs'), 'utf8')).toContain('report()');
  });
});
