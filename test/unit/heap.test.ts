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

const PROBE = `class LeakAgentSnapshotProbe { constructor(keys, held, shadow) { this.keys = keys; this.held = held; this.shadow = shadow; } }`;

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
  it('judges keys by what the GC roots reach with the probe set aside', () => {
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
const keys = [[dead, global1, weakOnly, closure, owner], [liveKey, viaLive]];
const shadow = [new WeakMap(), new WeakMap()];
[[dead, 1], [global1, 2], [weakOnly, 3], [closure, 4], [owner, ownerValue]].forEach(([key, v]) => shadow[0].set(key, v));
shadow[1].set(liveKey, { next: viaLive });
shadow[1].set(viaLive, 5);
const held = [[[1, 2, 3, 4, ownerValue], keys[0], [1, 2, 3, 4, ownerValue]], [[{ next: viaLive }, 5], keys[1], []]];
globalThis.probe = new LeakAgentSnapshotProbe(keys, held, shadow);`,
    );
    const result = analyseSnapshot(readSnapshot(file));
    // dead, weakOnly and owner die; global1 and closure live; viaLive lives through the live key's cached value.
    expect(result.caches[0]!.dead).toEqual([0, 2, 4]);
    expect(result.caches[1]!.dead).toEqual([]);
    expect(result.caches[0]!.retention).toBe('held as key and through cached value .owner');
    // The Float64Array's 800 kB backing store is pinned by owner's value only.
    expect(result.caches[0]!.retainedBytes).toBeGreaterThanOrEqual(800_000);
    expect(result.retainedBytesAll).toBe(result.caches[0]!.retainedBytes);
  });

  it('refuses a snapshot without the probe', () => {
    const file = snapshotOf('noprobe', 'globalThis.x = {};');
    expect(() => analyseSnapshot(readSnapshot(file))).toThrow(/no probe/);
  });
});
