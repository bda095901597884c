// The agent must never be the leak (issue #16): records die with their caches without waiting for a report, and one
// agent state per thread answers every copy of the package.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, allLibsApp, placeScript, runNode } from '../helpers/apps';

describe("the agent's own memory", () => {
  const app = allLibsApp();
  placeScript(
    app,
    'per-request-memoize.cjs',
    `// One memoized function per "request", primitive keys only: nothing for the agent to keep.
const _ = require('lodash');
const memoizee = require('memoizee');
const N = Number(process.env.N);
const heaps = [];
(async () => {
  for (let i = 0; i < N; i++) {
    const price = _.memoize((sku) => sku.length + i);
    const tax = memoizee((rate) => rate * i);
    price('a' + (i % 7)); price('a' + (i % 7)); tax(i % 3);
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    if ((i + 1) % (N / 4) === 0) {
      if (process.env.REPORT) await require('leak-agent').report();
      gc();
      heaps.push(process.memoryUsage().heapUsed);
    }
  }
  console.log(JSON.stringify(heaps));
})();
`,
  );

  it.each([
    ['without reports', {}],
    ['with a report at each checkpoint', { REPORT: '1' }],
  ])('stays flat over 200k short-lived memoized functions of each library (%s; npm run bench does a million)', (_label, env) => {
    const N = '200000';
    const plain = runNode(app, ['--expose-gc', 'per-request-memoize.cjs'], { N, ...env, REPORT: undefined });
    const agent = runNode(app, ['--expose-gc', '-r', 'leak-agent', 'per-request-memoize.cjs'], { N, ...env });
    expect(agent.status).toBe(0);
    const before = JSON.parse(plain.stdout) as number[];
    const heaps = JSON.parse(agent.stdout) as number[];
    // Flat: from the first checkpoint (50k functions each) to the last (200k) the heap grows less than 1 MiB...
    expect(heaps[3]! - heaps[0]!).toBeLessThan(1024 * 1024);
    // ...and the agent's whole footprint (its own modules included) stays within a few MiB of the app without it.
    expect(heaps[3]! - before[3]!).toBeLessThan(6 * 1024 * 1024);
  }, 120_000);
  it("keeps no request's AsyncLocalStorage store alive: a timer the agent arms inside a request does not capture it", () => {
    placeScript(
      app,
      'als-request.cjs',
      `// The first object key of a cache arrives inside a request (als.run): the agent starts its lifecycle sweep then.
const { AsyncLocalStorage } = require('node:async_hooks');
const { LRUCache } = require('lru-cache');
const _ = require('lodash');
const als = new AsyncLocalStorage();
const cache = new LRUCache({ max: 100 });
const byItem = _.memoize((item) => item.id);
const items = [];
let store;
als.run({ request: 1, body: new Array(100000).fill(7) }, () => {
  store = new WeakRef(als.getStore());
  const item = { id: 1 };
  items.push(item); // the key stays live: only the request's store should go
  cache.set(item, 1);
  byItem(item);
});
setTimeout(() => {
  gc();
  gc();
  console.log(store.deref() === undefined ? 'store collected' : 'store alive');
}, 50);
`,
    );
    const plain = runNode(app, ['--expose-gc', 'als-request.cjs']);
    const agent = runNode(app, ['--expose-gc', '-r', 'leak-agent', 'als-request.cjs']);
    expect(plain.stdout.trim()).toBe('store collected');
    expect(agent.stdout.trim()).toBe('store collected');
  }, 60_000);
});

describe('two copies of the package in one process', () => {
  it('agree on every report: a nested copy answers from the preloaded agent', () => {
    const app = allLibsApp();
    // node_modules/dep/node_modules/leak-agent: a real copy (another path, another version) of the built package.
    const nested = join(app, 'node_modules', 'dep', 'node_modules', 'leak-agent');
    rmSync(join(app, 'node_modules', 'dep'), { recursive: true, force: true });
    mkdirSync(nested, { recursive: true });
    for (const part of ['agent', 'dist', 'schema']) cpSync(join(ROOT, part), join(nested, part), { recursive: true });
    const pkg = JSON.parse(require('node:fs').readFileSync(join(ROOT, 'package.json'), 'utf8'));
    writeFileSync(join(nested, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.9', devDependencies: {}, scripts: {} }));
    cpSync(join(ROOT, 'node_modules', 'debug'), join(nested, 'node_modules', 'debug'), { recursive: true });
    writeFileSync(join(app, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0', main: 'index.js' }));
    writeFileSync(
      join(app, 'node_modules', 'dep', 'index.js'),
      `const agent = require('leak-agent');\nmodule.exports = { report: agent.report, expectNoCacheLeaks: agent.expectNoCacheLeaks, file: require.resolve('leak-agent') };\n`,
    );
    placeScript(
      app,
      'two-copies.cjs',
      `const a = require('leak-agent');
const b = require('dep');
const { LRUCache } = require('lru-cache');
class Task { constructor(i) { this.i = i; } }
const cache = new LRUCache({ max: 100 });
module.exports = cache;
(async () => {
  let failed = null;
  try {
    await b.expectNoCacheLeaks(() => { for (let i = 0; i < 5; i++) cache.set(new Task(i), i); });
  } catch (err) {
    failed = err.name + ': ' + err.message.split('\\n')[0];
  }
  for (let i = 0; i < 7; i++) cache.set(new Task(i), i);
  const fromB = await b.report();
  for (let i = 0; i < 7; i++) cache.set(new Task(i), i);
  const fromA = await a.report();
  console.log(JSON.stringify({ distinct: require.resolve('leak-agent') !== b.file, failed, b: fromB.caches.map((c) => [c.library, c.deadKeys]), a: fromA.caches.map((c) => [c.library, c.deadKeys]) }));
})();
`,
    );
    const r = runNode(app, ['-r', 'leak-agent', 'two-copies.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      distinct: true,
      failed: 'CacheLeakError: leak-agent: 1 cache keeps 5 otherwise-dead objects alive',
      b: [['lru-cache', 7]],
      a: [['lru-cache', 7]],
    });
  });
});
