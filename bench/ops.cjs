// One side of the per-operation benchmark: run by bench/run.cjs once plainly and once with `-r leak-agent`, in
// alternation, one scenario per process (so the keys one scenario tracks cost no other scenario GC time), and prints
// { scenario: nanoseconds per operation } as JSON (bytes for the heap scenario).
// Usage: node [--expose-gc] [-r leak-agent] bench/ops.cjs [--quick] [--list] [--scenario NAME]
'use strict';

const quick = process.argv.includes('--quick');
const BUDGET_MS = quick ? 20 : 100;
const ROUNDS = quick ? 1 : 5;

/**
 * ns per op of `body(n)` running n ops: n grows until one run lasts BUDGET_MS (those runs warm the code up), then
 * ROUNDS runs of that n are timed and the median is the figure (a run that met a major GC or a re-optimisation does
 * not decide it; the GC work of ordinary runs is in every round).
 */
function measure(setup) {
  const body = setup();
  let n = 1000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    body(n);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= BUDGET_MS * 1e6 || n >= 1e8) break;
    n = Math.min(1e8, Math.ceil(n * Math.max(2, (BUDGET_MS * 1e6) / Math.max(ns, 1) * 1.1)));
  }
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    body(n);
    rounds.push(Number(process.hrtime.bigint() - t0) / n);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
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
if (process.argv.includes('--list')) {
  process.stdout.write(JSON.stringify(names) + '\n');
} else {
  const i = process.argv.indexOf('--scenario');
  const wanted = i === -1 ? names : [process.argv[i + 1]];
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
