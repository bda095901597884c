// One side of the per-operation benchmark, run by bench/run.cjs once plainly and once with `-r leak-agent`, one scenario
// per process (so the keys one scenario tracks cost no other scenario GC time).
//   --serve      the way run.cjs measures: set the scenario up, warm it up until one run lasts --run-ms (run.cjs asks
//                for 50 ms; 100 by default), say so over IPC, then time one run of that size each time the parent asks. The parent alternates the two sides run by
//                run, so this machine's slow and fast moments fall on both alike.
//   otherwise    prints { scenario: nanoseconds per operation } as JSON (bytes and KiB for the heap scenarios): the
//                median of 5 timed runs after the warm-up.
// Usage: node [--expose-gc] [-r leak-agent] bench/ops.cjs [--quick] [--list] [--scenario NAME] [--serve]
'use strict';

const quick = process.argv.includes('--quick');
const BUDGET_MS = process.argv.includes('--run-ms') ? Number(process.argv[process.argv.indexOf('--run-ms') + 1]) : quick ? 20 : 100;
const ROUNDS = quick ? 1 : 5;

/** Grow n until one run of `body(n)` lasts BUDGET_MS (those runs warm the code up); returns that n. */
function warmUp(body) {
  let n = 1000;
  for (;;) {
    const ns = timeRun(body, n) * n;
    if (ns >= BUDGET_MS * 1e6 || n >= 1e8) return n;
    n = Math.min(1e8, Math.ceil(n * Math.max(2, (BUDGET_MS * 1e6) / Math.max(ns, 1) * 1.1)));
  }
}

/** ns per op of one run of `body(n)`. */
function timeRun(body, n) {
  const t0 = process.hrtime.bigint();
  body(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * ns per op of `body(n)` on its own: after the warm-up, ROUNDS runs are timed and the median is the figure (a run that
 * met a major GC or a re-optimisation does not decide it; the GC work of ordinary runs is in every round).
 */
function measure(setup) {
  const body = setup();
  const n = warmUp(body);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(timeRun(body, n));
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

/** --serve: warm up, then one timed run per message from the parent, answered with its ns per op. */
function serve(setup) {
  const body = setup();
  const n = warmUp(body);
  process.on('message', (m) => {
    if (m === 'run') process.send(timeRun(body, n));
    else process.disconnect();
  });
  process.send('ready');
}

// Each lru-cache major sits in bench/.apps/<alias>/node_modules/lru-cache (made by run.cjs), under its real name, as in
// an app that installed it.
const { createRequire } = require('node:module');
const { join } = require('node:path');
function lruClass(alias) {
  const mod = createRequire(join(__dirname, '.apps', alias, 'index.js'))('lru-cache');
  return typeof mod === 'function' ? mod : mod.LRUCache || mod.default;
}

let sink = 0;
const scenarios = {};

for (const [label, pkg] of [['lru-cache 6', 'lru6'], ['lru-cache 7', 'lru7'], ['lru-cache 10', 'lru10'], ['lru-cache 11', 'lru11']]) {
  const LRU = lruClass(pkg);
  scenarios[`${label} get hit (object key)`] = () => {
    const c = new LRU({ max: 1000 });
    const keys = Array.from({ length: 1000 }, (_, i) => ({ i }));
    for (const k of keys) c.set(k, 1);
    return (n) => {
      for (let i = 0; i < n; i++) sink += c.get(keys[i % 1000]);
    };
  };
  scenarios[`${label} get hit (string key)`] = () => {
    const c = new LRU({ max: 1000 });
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    for (const k of keys) c.set(k, 1);
    return (n) => {
      for (let i = 0; i < n; i++) sink += c.get(keys[i % 1000]);
    };
  };
  scenarios[`${label} set (string key, evicting)`] = () => {
    const c = new LRU({ max: 1000 });
    const keys = Array.from({ length: 4096 }, (_, i) => `k${i}`);
    return (n) => {
      for (let i = 0; i < n; i++) c.set(keys[i & 4095], i);
    };
  };
  scenarios[`${label} set miss (object key, evicting)`] = () => {
    const c = new LRU({ max: 1000 });
    return (n) => {
      for (let i = 0; i < n; i++) c.set({ i }, i);
    };
  };
}

scenarios['lodash memoize hit (object arg)'] = () => {
  const f = require('lodash').memoize((o) => o.i);
  const keys = Array.from({ length: 1000 }, (_, i) => ({ i }));
  for (const k of keys) f(k);
  return (n) => {
    for (let i = 0; i < n; i++) sink += f(keys[i % 1000]);
  };
};
scenarios['lodash memoize miss (object arg)'] = () => {
  const f = require('lodash').memoize((o) => o.i);
  return (n) => {
    for (let i = 0; i < n; i++) {
      if ((i & 16383) === 0) f.cache.clear();
      sink += f({ i });
    }
  };
};
scenarios['memoizee hit (object arg)'] = () => {
  const f = require('memoizee')((o) => o.i);
  const keys = Array.from({ length: 100 }, (_, i) => ({ i }));
  for (const k of keys) f(k);
  return (n) => {
    for (let i = 0; i < n; i++) sink += f(keys[i % 100]);
  };
};
scenarios['memoizee miss (object arg)'] = () => {
  // memoizee searches object arguments linearly: keep its cache small so the miss path itself is measured.
  const f = require('memoizee')((o) => o.i);
  return (n) => {
    for (let i = 0; i < n; i++) {
      if ((i & 127) === 0) f.clear();
      sink += f({ i });
    }
  };
};

// Memory per tracked key: heap growth of 100k live object keys in an lru-cache (the agent's WeakMap entry and
// FinalizationRegistry cell on top of the library's own storage); the difference between the two sides is the agent's.
const heapScenario = 'heap per object key (bytes)';
function heapPerKey() {
  const N = quick ? 10_000 : 100_000;
  const LRU = lruClass('lru11');
  global.gc();
  global.gc();
  const before = process.memoryUsage().heapUsed;
  const c = new LRU({ max: N });
  const keys = [];
  for (let i = 0; i < N; i++) {
    const k = { i };
    keys.push(k);
    c.set(k, i);
  }
  global.gc();
  global.gc();
  sink += keys.length + c.size;
  return (process.memoryUsage().heapUsed - before) / N;
}

// The agent's own records must die with their caches (issue #16): a memoized function made per request, a million
// times (lodash and memoizee, primitive arguments), and the heap growth in KiB from the first quarter to the end.
const perRequestScenario = 'heap growth over 1M per-request memoize() (KiB)';
function perRequestGrowth() {
  const N = quick ? 20_000 : 1_000_000;
  const _ = require('lodash');
  const memoizee = require('memoizee');
  const heaps = [];
  for (let i = 0; i < N; i++) {
    const price = _.memoize((sku) => sku.length + i);
    price(i & 7 ? 'a' : 'b');
    if ((i & 7) === 0) memoizee((rate) => rate * i)(i & 3); // memoizee is ~10× slower to create: every 8th request
    if ((i + 1) % (N / 4) === 0) {
      global.gc();
      heaps.push(process.memoryUsage().heapUsed);
    }
  }
  return (heaps[3] - heaps[0]) / 1024;
}

const names = [...Object.keys(scenarios), heapScenario, perRequestScenario];
const at = process.argv.indexOf('--scenario');
const wanted = at === -1 ? names : [process.argv[at + 1]];
if (process.argv.includes('--list')) {
  process.stdout.write(JSON.stringify(names) + '\n');
} else if (process.argv.includes('--serve')) {
  if (!scenarios[wanted[0]]) throw new Error(`--serve needs a timed --scenario, not ${wanted[0]}`);
  serve(scenarios[wanted[0]]);
} else {
  const out = {};
  for (const name of wanted) {
    if (name === heapScenario) {
      if (typeof global.gc === 'function') out[name] = heapPerKey();
    } else if (name === perRequestScenario) {
      if (typeof global.gc === 'function') out[name] = perRequestGrowth();
    } else if (scenarios[name]) {
      out[name] = measure(scenarios[name]);
    } else {
      throw new Error(`unknown scenario ${name}`);
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
if (sink === 42) process.stderr.write('');
