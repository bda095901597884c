// Test windows (expectNoCacheLeaks, the Vitest integration) judge only keys first seen while the window was open.
// Keys are given first-sight numbers only from the first window on (before that an insert only counts); the keys the
// caches already hold then are "seen before": writing one again inside a window is not a new insertion.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { allLibsApp, lruApp, placeScript, runNode } from '../helpers/apps';

it('a window counts keys first seen inside it, not keys the cache held before it opened', () => {
  const app = lruApp('lru11');
  placeScript(
    app,
    'windows.cjs',
    `const { LRUCache } = require('lru-cache');
const { expectNoCacheLeaks } = require('leak-agent');
class Before {}
class Inside {}
class Kept {}
const cache = new LRUCache({ max: 100 });
let before = [new Before(), new Before()];
for (const k of before) cache.set(k, 1);
const outcome = (e) => (e ? e.report.caches.map((c) => [c.deadKeys, c.classes.map((k) => k.name + ':' + k.count).join()]) : 'passed');
(async () => {
  let first = null;
  try {
    await expectNoCacheLeaks(() => {
      for (const k of before) cache.set(k, 2); // written again, then dropped: they were in the cache before
      before = null;
      cache.set(new Inside(), 3); // first seen here, dropped: the window's own leak
    });
  } catch (e) { first = e; }
  console.log(JSON.stringify(outcome(first)));
  globalThis.kept = new Kept();
  let second = null;
  try {
    await expectNoCacheLeaks(() => { cache.set(globalThis.kept, 4); }); // still reachable: no leak
  } catch (e) { second = e; }
  console.log(JSON.stringify(outcome(second)));
})();
`,
  );
  const r = runNode(app, ['windows.cjs'], { NODE_OPTIONS: '-r leak-agent', LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('[[1,"Inside:1"]]\n"passed"\n');
  expect(r.status).toBe(0);
});

it('a cache made inside a window: all its keys are that window\'s, and a later window still tells them from its own', () => {
  const app = lruApp('lru11');
  placeScript(
    app,
    'made-inside.cjs',
    `const { LRUCache } = require('lru-cache');
const { expectNoCacheLeaks } = require('leak-agent');
class Early {}
class Dropped {}
class Late {}
const outcome = (e) => (e ? e.report.caches.map((c) => [c.deadKeys, c.classes.map((k) => k.name + ':' + k.count).join()]) : 'passed');
(async () => {
  let cache = null;
  let first = null;
  try {
    await expectNoCacheLeaks(() => {
      cache = new LRUCache({ max: 100 }); // made inside the window: no key of it can be older
      globalThis.early = new Early();
      cache.set(globalThis.early, 1); // still reachable: no leak
      cache.set(new Dropped(), 2); // the window's own leak
    });
  } catch (e) { first = e; }
  console.log(JSON.stringify(outcome(first)));
  let second = null;
  try {
    await expectNoCacheLeaks(() => {
      globalThis.early = null; // first seen in the first window: it dies here, but it is not this window's
      cache.set(new Late(), 3); // this window's own leak
    });
  } catch (e) { second = e; }
  console.log(JSON.stringify(outcome(second)));
})();
`,
  );
  const r = runNode(app, ['made-inside.cjs'], { NODE_OPTIONS: '-r leak-agent', LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('[[1,"Dropped:1"]]\n[[1,"Late:1"]]\n');
  expect(r.status).toBe(0);
});

it('a cache emptied between windows: the next window blames its new keys, not older keys the cache takes back', () => {
  const app = allLibsApp();
  placeScript(
    app,
    'emptied.cjs',
    `const _ = require('lodash');
const { LRUCache } = require('lru-cache');
const { expectNoCacheLeaks } = require('leak-agent');
class Old {}
class Fresh {}
const outcome = (e) => (e ? e.report.caches.filter((c) => c.deadKeys > 0).map((c) => [c.library, c.deadKeys, c.classes.map((k) => k.name + ':' + k.count).join()]).sort() : 'passed');
const lru = new LRUCache({ max: 100 });
const kind = _.memoize((o) => typeof o);
globalThis.old = [new Old(), new Old()];
(async () => {
  let first = null;
  try {
    await expectNoCacheLeaks(() => {
      for (const k of globalThis.old) { lru.set(k, 1); kind(k); } // reachable: no leak
    });
  } catch (e) { first = e; }
  console.log(JSON.stringify(outcome(first)));
  lru.clear(); // emptied between the windows (a test's afterEach)
  kind.cache.clear();
  let second = null;
  try {
    await expectNoCacheLeaks(() => {
      lru.set(new Fresh(), 2); // this window's own leaks
      kind(new Fresh());
      for (const k of globalThis.old) { lru.set(k, 3); kind(k); } // taken back: first seen in the first window
      globalThis.old = null; // they die now, but they are not this window's
    });
  } catch (e) { second = e; }
  console.log(JSON.stringify(outcome(second)));
  lru.clear();
  kind.cache.clear();
  let third = null;
  try {
    await expectNoCacheLeaks(() => {
      globalThis.fresh = new Fresh();
      lru.set(globalThis.fresh, 4); // reachable: no leak
      kind(globalThis.fresh);
      lru.set(new Fresh(), 5); // this window's own leaks, in caches that start over with new keys only
      kind(new Fresh());
    });
  } catch (e) { third = e; }
  console.log(JSON.stringify(outcome(third)));
})();
`,
  );
  const r = runNode(app, ['-r', 'leak-agent', 'emptied.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    '"passed"\n' +
      '[["lodash",1,"Fresh:1"],["lru-cache",1,"Fresh:1"]]\n' +
      '[["lodash",1,"Fresh:1"],["lru-cache",1,"Fresh:1"]]\n',
  );
  expect(r.status).toBe(0);
});

it("keys the app put straight into a memoized function's cache before a window are not that window's", () => {
  const app = allLibsApp();
  placeScript(
    app,
    'direct-cache.cjs',
    `const _ = require('lodash');
const { expectNoCacheLeaks } = require('leak-agent');
class Old {}
class New {}
const outcome = (e) => (e ? e.report.caches.map((c) => [c.deadKeys, c.classes.map((k) => k.name + ':' + k.count).join()]) : 'passed');
const describe = (globalThis.describe = _.memoize((o) => typeof o));
(async () => {
  await expectNoCacheLeaks(() => {}); // first-sight numbers are on from the first window
  describe.cache.set(new Old(), 'object'); // not through describe: no number; dropped before the next window
  let second = null;
  try {
    await expectNoCacheLeaks(() => { describe(new New()); }); // describe's first object key: the window's own leak
  } catch (e) { second = e; }
  console.log(JSON.stringify(outcome(second)));
})();
`,
  );
  const r = runNode(app, ['-r', 'leak-agent', 'direct-cache.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('[[1,"New:1"]]\n');
  expect(r.status).toBe(0);
});

it('a leak that starts after thousands of inserts still gets an example insertion site (16384 keys or more: one in 16384 writes is sampled late)', () => {
  const app = lruApp('lru11');
  placeScript(
    app,
    'late-leak.cjs',
    `const { LRUCache } = require('lru-cache');
class Live {}
class Late {}
const cache = (globalThis.cache = new LRUCache({ max: 20000 })); // a live cache: a garbage one is never judged
globalThis.live = [];
for (let i = 0; i < 3000; i++) { const k = new Live(); live.push(k); cache.set(k, i); }
for (let i = 0; i < 16384; i++) cache.set(new Late(), i); // line 7: the leak
`,
  );
  const file = join(app, 'late-leak.json');
  const r = runNode(app, ['-r', 'leak-agent', 'late-leak.cjs'], { LEAK_AGENT_REPORT_FILE: file });
  expect(r.status).toBe(0);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  expect(report.caches[0]).toMatchObject({ deadKeys: 16384, classes: [{ name: 'Late', count: 16384 }] });
  expect(report.caches[0].example.insertedAt).toMatchObject({ file: 'late-leak.cjs', line: 7 });
});

it("a bounded memoizee an earlier window filled does not make a later window's verdict a heap snapshot", () => {
  // The gc engine cannot take a memoizee cache with `max` (moving entries would fire its handlers). A window only
  // judges keys first seen in it: such a cache that holds none of them leaves the gc engine in charge.
  const app = allLibsApp();
  placeScript(
    app,
    'window-engine.cjs',
    `const memoizee = require('memoizee');
const _ = require('lodash');
const { expectNoCacheLeaks } = require('leak-agent');
class Early {}
class Late {}
const bounded = memoizee(function bounded(o) { return 1; }, { max: 10 });
const unbounded = _.memoize(function unbounded(o) { return 2; });
(async () => {
  const engines = [];
  for (const [Cls, fn] of [[Early, bounded], [Late, unbounded]]) {
    try {
      await expectNoCacheLeaks(() => { for (let i = 0; i < 3; i++) fn(new Cls()); });
    } catch (e) {
      engines.push(e.report.verification.engine + ':' + e.report.caches.filter((c) => c.deadKeys > 0).map((c) => c.name + '=' + c.deadKeys).join());
    }
  }
  globalThis.keep = [bounded, unbounded];
  console.log(JSON.stringify(engines));
})();
`,
  );
  const r = runNode(app, ['-r', 'leak-agent', 'window-engine.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual(['snapshot:bounded=3', 'gc:unbounded=3']);
});

it('a cache the gc engine cannot take that is already garbage does not make the report a heap snapshot', () => {
  // A test runner's previous file: its bounded memoizee is unreachable, but V8 has not collected it yet.
  const app = allLibsApp();
  placeScript(
    app,
    'garbage-blocker.cjs',
    `const memoizee = require('memoizee');
const _ = require('lodash');
const { report } = require('leak-agent');
class Dropped {}
class Lost {}
(function previousFile() {
  const bounded = memoizee(function bounded(o) { return 1; }, { max: 10 });
  for (let i = 0; i < 3; i++) bounded(new Dropped());
})();
const live = _.memoize(function live(o) { return 2; });
globalThis.live = live;
for (let i = 0; i < 2; i++) live(new Lost());
report().then((r) => console.log(JSON.stringify([r.verification.engine, r.caches.map((c) => c.name + '=' + c.deadKeys), r.summary.garbageCaches])));
`,
  );
  const r = runNode(app, ['-r', 'leak-agent', 'garbage-blocker.cjs'], { LEAK_AGENT_ON_EXIT: '0' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual(['gc', ['live=2'], 1]);
});
