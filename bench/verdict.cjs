// One verdict measurement, run by bench/run.cjs under the agent: builds a heap of about --mb megabytes of small
// objects with --keys object keys in an lru-cache (half of them otherwise dead), then times, in the same process,
// one plain full GC, the agent's verdict, and optionally v8.writeHeapSnapshot of the same heap.
//   --mode report   report(): the verdict with retainedBytes (a baseline GC before it), then a second report
//   --mode window   the keys are inserted inside expectNoCacheLeaks, which judges them all when it closes: the verdict
//                   a test file or test pays (pass/fail, no bytes, so no baseline GC)
//                   (--reps N: N such windows in one process, fresh keys each time; the medians are the figures)
// Usage: node --expose-gc -r leak-agent bench/verdict.cjs --mb 200 --keys 100000 [--mode report|window [--reps N]] [--snapshot] [--window]
'use strict';
const { mkdtempSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createRequire } = require('node:module');
const v8 = require('node:v8');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const MB = arg('--mb', 50);
const KEYS = arg('--keys', 100_000);
const SNAPSHOT = process.argv.includes('--snapshot');
const WINDOW = process.argv.includes('--window');
const MODE = process.argv.includes('--mode') ? process.argv[process.argv.indexOf('--mode') + 1] : 'report';

const mod = createRequire(join(__dirname, '.apps', 'lru11', 'index.js'))('lru-cache');
const { report, expectNoCacheLeaks } = require('leak-agent');

class Task {
  constructor(i) {
    this.i = i;
    this.label = `task ${i}`;
  }
}
class Row {
  constructor(i) {
    this.id = i;
    this.name = `row ${i}`;
    this.tags = [i, i + 1];
  }
}

const app = (globalThis.app = { ballast: [], live: [], cache: new mod.LRUCache({ max: KEYS * 2 }) });
/** KEYS object keys into the cache, every other one kept by the app (`round` keeps their labels apart). */
function insertKeys(round) {
  for (let i = 0; i < KEYS; i++) {
    const key = new Task(round * KEYS + i);
    if (i % 2 === 0) app.live.push(key);
    app.cache.set(key, { owner: key, rows: [new Row(i)] });
  }
}
function build() {
  insertKeys(0);
  // Ballast: live small objects until the heap holds about MB megabytes.
  global.gc();
  while (process.memoryUsage().heapUsed < MB * 1024 * 1024) {
    const chunk = [];
    for (let i = 0; i < 10_000; i++) chunk.push(new Row(i));
    app.ballast.push(chunk);
  }
}

function ms(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

(async () => {
  if (MODE === 'window') {
    // --reps N: N windows in this process, each judging KEYS fresh keys (half dead) on the same ballast, each after one
    // plain full GC (three before the first): one full GC of the same heap moves by ±30% from one to the next, so the
    // figures are the median verdict and the median plain GC.
    const reps = arg('--reps', 1);
    let heapMB = 0;
    let first = null;
    const gcs = [];
    const verdicts = [];
    for (let round = 0; round < reps; round++) {
      let failure = null;
      try {
        await expectNoCacheLeaks(() => {
          if (round === 0) build();
          else insertKeys(round);
          for (let i = round === 0 ? 3 : 1; i > 0; i--) gcs.push(ms(global.gc));
          heapMB = process.memoryUsage().heapUsed / 1024 / 1024;
          if (process.env.BENCH_VERBOSE) process.stderr.write(`round ${round}: heap ${heapMB.toFixed(0)} MB\n`);
        });
      } catch (err) {
        failure = err;
      }
      if (!failure || !failure.report) throw new Error(`the window found no leak: ${failure}`);
      verdicts.push(failure.report.verification.durationMs);
      first ??= failure.report;
      // This round's live keys leave the app and the cache; the verdict removed the dead ones.
      for (const key of app.live) app.cache.delete(key);
      app.live.length = 0;
    }
    const cache = first.caches.find((c) => c.library === 'lru-cache');
    process.stdout.write(
      JSON.stringify({
        heapMB: Math.round(heapMB),
        trackedKeys: cache ? cache.trackedKeys : 0,
        deadKeys: cache ? cache.deadKeys : 0,
        engine: first.verification.engine,
        rounds: reps,
        gcMs: median(gcs),
        verdictMs: median(verdicts),
        verdicts,
        gcs,
      }) + '\n',
    );
    return;
  }
  build();
  const heapMB = process.memoryUsage().heapUsed / 1024 / 1024;
  const gcMs = median([ms(global.gc), ms(global.gc), ms(global.gc)]);
  const t0 = process.hrtime.bigint();
  const r = await report();
  const verdictWallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cache = r.caches.find((c) => c.library === 'lru-cache');
  const out = {
    heapMB: Math.round(heapMB),
    trackedKeys: cache ? cache.trackedKeys : 0,
    deadKeys: cache ? cache.deadKeys : 0,
    engine: r.verification.engine,
    gcMs,
    verdictMs: r.verification.durationMs,
    verdictWallMs,
  };
  // A second verdict, with nothing left to drop: the steady-state cost of a periodic report.
  out.verdictAgainMs = (await report()).verification.durationMs;
  if (WINDOW) {
    // A typical test file's window: a few hundred keys inserted and dropped inside expectNoCacheLeaks.
    const t1 = process.hrtime.bigint();
    await expectNoCacheLeaks(() => {
      for (let i = 0; i < 200; i++) app.live.push(new Task(i));
    });
    out.windowMs = Number(process.hrtime.bigint() - t1) / 1e6;
  }
  if (SNAPSHOT) {
    const dir = mkdtempSync(join(tmpdir(), 'leak-agent-bench-'));
    try {
      const file = join(dir, 'bench.heapsnapshot');
      out.snapshotMs = ms(() => v8.writeHeapSnapshot(file));
      out.snapshotMB = Math.round(statSync(file).size / 1024 / 1024);
      // The snapshot engine's reader and analysis on that file, next to JSON.parse of it (in this process, for the
      // comparison; the engine itself runs them in a child).
      const { readSnapshot } = require('../dist/heap/read.js');
      const { SnapshotGraph, mark } = require('../dist/heap/analyse.js');
      let snap;
      out.readMs = ms(() => (snap = readSnapshot(file)));
      out.markMs = ms(() => {
        const g = new SnapshotGraph(snap);
        mark(g, [0], new Uint8Array(g.nodeCount), new Uint8Array(g.nodeCount));
      });
      snap = null;
      if (out.snapshotMB < 500) {
        const { readFileSync } = require('node:fs');
        out.jsonParseMs = ms(() => JSON.parse(readFileSync(file, 'utf8')));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})();
