// The streaming snapshot reader against JSON.parse of the same (small) real snapshot, and the reachability rules on
// shapes whose real-GC answer is known (the full comparison with the GC is test/e2e/snapshot-engine.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseSnapshot } from '../../src/heap/analyse';
import { readSnapshot } from '../../src/heap/read';

const dir = mkdtempSync(join(tmpdir(), 'leak-agent-heap-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write a snapshot from a child process running `body` (which must leave what it builds reachable). */
function snapshotOf(name: string, body: string): string {
  const file = join(dir, `${name}.heapsnapshot`);
  // In a function: top-level lexical declarations of a script would stay alive in its script context.
  const script = `(() => {\n${body}\n})();\nsetTimeout(() => { require('v8').writeHeapSnapshot(${JSON.stringify(file)}); }, 5);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

const PROBE = `class LeakAgentSnapshotProbe { constructor() { this.stores = []; this.keys = []; this.containers = []; this.values = []; this.roots = []; this.shadow = new WeakMap(); } }`;

describe('readSnapshot', () => {
  it('reads exactly what JSON.parse reads, escapes and non-ASCII strings included', () => {
    const file = snapshotOf(
      'strings',
      // Heap strings (V8 names a string node by its contents), built at run time so they are not internalized.
      `globalThis.keep = [['é €', String.fromCharCode(1), 'tab' + String.fromCharCode(9), 'q' + String.fromCharCode(34) + String.fromCharCode(92)].join(' '), 'x'.repeat(5000) + Math.random()];`,
    );
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    const snap = readSnapshot(file);
    expect(snap.nodeCount).toBe(parsed.snapshot.node_count);
    expect(Array.from(snap.nodes)).toEqual(parsed.nodes);
    expect(Array.from(snap.edges)).toEqual(parsed.edges);
    expect(snap.strings).toEqual(parsed.strings);
    expect(snap.strings).toContain('é € \u0001 tab\t q"\\');
    expect(snap.bigValues).toBe(0);
    // Chunk boundaries inside numbers, strings, escapes and section markers change nothing.
    for (const size of [7, 64, 4093]) {
      const small = readSnapshot(file, size);
      expect(Array.from(small.nodes)).toEqual(parsed.nodes);
      expect(Array.from(small.edges)).toEqual(parsed.edges);
      expect(small.strings).toEqual(parsed.strings);
    }
  });

  it('rejects what is not a snapshot', () => {
    const file = join(dir, 'not.heapsnapshot');
    require('node:fs').writeFileSync(file, '{"hello": 1}');
    expect(() => readSnapshot(file)).toThrow(/not a heap snapshot/);
  });
});

describe('analyseSnapshot', () => {
  it('judges keys by what the GC roots reach with the probe and the caches\' storage set aside', () => {
    const file = snapshotOf(
      'shapes',
      `${PROBE}
class Key { constructor(n) { this.n = n; } }
const k = (n) => new Key(n);
const dead = k('dead'), global1 = k('global'), weakOnly = k('weakmap'), closure = k('closure'), viaLive = k('via-live');
const owner = k('owner');
globalThis.g = global1;
globalThis.wm = new WeakMap([[weakOnly, { back: weakOnly }]]);
globalThis.fn = () => closure;
const liveKey = k('live-outer');
globalThis.outer = liveKey;
const big = new Float64Array(1e5);
const ownerValue = { owner, big };
// Two live caches (objects the app holds, each keeping its entries in a Map) and one garbage cache (nothing holds
// it) whose key points back at it.
const c0 = new Map([[dead, 1], [global1, 2], [weakOnly, 3], [closure, 4], [owner, ownerValue]]);
const c1 = new Map([[liveKey, { next: viaLive }], [viaLive, 5], ['name', { untracked: true }]]);
const c2 = new Map();
const s0 = { map: c0 }, s1 = { map: c1 }, s2 = { map: c2 };
const gk = { cache: s2 };
c2.set(gk, 6);
globalThis.appCaches = [s0, s1];
const p = new LeakAgentSnapshotProbe();
p.stores.push(s0, s1, s2);
p.keys.push(dead, global1, weakOnly, closure, owner, liveKey, viaLive, gk);
p.containers.push([c0], [c1], [c2]);
p.values.push([1, 2, 3, 4, ownerValue], [c1.get(liveKey), 5], [6]);
p.roots.push(undefined, undefined, undefined);
const inner = (m) => { const w = new WeakMap(); for (const [key, v] of m) if (typeof key === 'object') w.set(key, v); return w; };
p.shadow.set(s0, { inner: inner(c0), chains: [], untracked: [] });
p.shadow.set(s1, { inner: inner(c1), chains: [], untracked: [c1.get('name')] });
p.shadow.set(s2, { inner: inner(c2), chains: [], untracked: [] });
globalThis.probe = p;`,
    );
    const meta = { caches: [{ keys: [0, 1, 2, 3, 4] }, { keys: [5, 6] }, { keys: [7] }] };
    const result = analyseSnapshot(readSnapshot(file), meta);
    // dead, weakOnly and owner die; global1 and closure live; viaLive lives through the live key's cached value.
    expect(result.caches[0]).toMatchObject({ live: true, dead: [0, 2, 4], valuePath: '.owner' });
    expect(result.caches[1]).toMatchObject({ live: true, dead: [] });
    // The third cache is garbage itself: not judged, even though its key is reachable from nothing but it.
    expect(result.caches[2]).toMatchObject({ live: false, dead: [] });
    // The Float64Array's 800 kB backing store is pinned by owner's value only.
    expect(result.caches[0]!.retainedBytes).toBeGreaterThanOrEqual(800_000);
    expect(result.caches.map((c) => c.retainedBytes)).toEqual([result.caches[0]!.retainedBytes, 0, 0]);
    expect(result.retainedBytesAll).toBe(result.caches[0]!.retainedBytes);
  });

  it('sets aside closure storage, and only the named elements of a shared object', () => {
    const file = snapshotOf(
      'closures',
      `${PROBE}
class Key { constructor(n) { this.n = n; } }
// memoizee's shape: conf.has closes over 'cache' (id → result) and 'get', whose closure holds 'argsMap'.
function makeConf() {
  const argsMap = [];
  const cache = Object.create(null);
  const get = (args) => argsMap.indexOf(args[0]);
  return { argsMap, cache, conf: { has: (id) => id in cache, get: (args) => get(args) } };
}
const m = makeConf();
const a = new Key('a'), b = new Key('b'), viaPrimitive = new Key('via-primitive');
m.argsMap.push(a, b, 7);
m.cache[1] = { back: a };
m.cache[2] = 'two';
m.cache[3] = { keep: viaPrimitive };
globalThis.conf = m.conf;
const p = new LeakAgentSnapshotProbe();
p.stores.push(m.conf);
p.keys.push(a, b, viaPrimitive);
p.containers.push([]);
p.values.push([m.cache[1], m.cache[2]]);
p.roots.push(m.conf);
const inner = new WeakMap([[a, m.cache[1]], [b, m.cache[2]]]);
p.shadow.set(m.conf, { inner, chains: [], untracked: [] });
globalThis.probe = p;`,
    );
    const meta = { caches: [{ keys: [0, 1, 2], closurePaths: [['has', 'cache'], ['get', 'get', 'argsMap']], partialElements: [1, 2] }] };
    const result = analyseSnapshot(readSnapshot(file), meta);
    // a and b are held only by the closure storage (and a by its own result); viaPrimitive by the result of an entry
    // whose argument is a primitive (id 3), which stays reachable.
    expect(result.caches[0]).toMatchObject({ live: true, dead: [0, 1], valuePath: '.back' });
    expect(result.caches[0]!.missingPaths).toBeUndefined();
  });

  it('refuses a snapshot without the probe', () => {
    const file = snapshotOf('noprobe', 'globalThis.x = {};');
    expect(() => analyseSnapshot(readSnapshot(file), { caches: [] })).toThrow(/no probe/);
  });
});
