// trackKey's sampling by count: the fast path (most inserts only count) must sample exactly the inserts the rules name,
// so the same program gets the same insertion sites and lifetime samples whichever path an insert took. Run in a child
// process on the built registry: this suite's own workers run under the agent's Vitest integration, whose open test
// window sends every insert down the slow path.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/apps';

const script = `
const { createRecord, currentSeq, seqOf, stackOf, trackKey } = require(${JSON.stringify(join(ROOT, 'dist', 'track', 'registry.js'))});
// The registry calls an adapter only from a verdict or a sweep; neither runs here.
const adapter = { countKeys: () => 0, whyNotDetachable: () => null, forEachKey: () => {}, detach() { throw new Error('unused'); },
  view: () => ({ containers: [], entries: [], untracked: [] }), options: () => ({}) };
const stores = [];
const newRecord = () => { const store = {}; stores.push(store); return createRecord({ library: 'lru-cache', libraryVersion: '11.0.0', name: null, store, adapter, createdStack: null, createdIsFirstWrite: false }); };
const out = {};

const rec = newRecord();
const keys = [];
for (let n = 1; n <= 40000; n++) { const key = { n }; keys.push(key); trackKey(rec, key, newRecord); }
out.sampled = keys.flatMap((key, i) => (stackOf(rec, key) !== null ? [i + 1] : []));
out.lifeSampled = rec.life.sampled;

const again = newRecord();
const same = {};
for (let n = 0; n < 5; n++) trackKey(again, same, newRecord);
const fresh = Array.from({ length: 8 }, (_, i) => ({ i }));
for (const key of fresh) trackKey(again, key, newRecord);
out.freshSampled = fresh.filter((k) => stackOf(again, k) !== null).length;

const seq = currentSeq();
const inside = Array.from({ length: 100 }, (_, i) => ({ i }));
for (const key of inside) trackKey(rec, key, newRecord);
trackKey(rec, inside[0], newRecord);
out.insideSeqs = inside.map((k) => seqOf(rec, k) - seq);
out.beforeSeq = seqOf(rec, keys[5000]);
process.stdout.write(JSON.stringify(out));
`;

it('samples exactly the inserts the rules name, with no test window open (the fast path) and with one', () => {
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { sampled: number[]; lifeSampled: number; freshSampled: number; insideSeqs: number[]; beforeSeq: number };
  // Insertion stacks: writes 1–8, every 64th until 32 stacks, then every 16384th.
  expect(out.sampled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, ...Array.from({ length: 24 }, (_, k) => 64 * (k + 1)), 16_384, 32_768]);
  // Lifetime samples: the first 256 keys, then every 256th.
  expect(out.lifeSampled).toBe(256 + Math.floor(40_000 / 256) - 1);
  // A key written again during the early samples does not use one up: 1 (it) + 7 of the 8 fresh ones.
  expect(out.freshSampled).toBe(7);
  // Once a window is open every new key gets its own first sight (also between samples); a key written again keeps
  // its own, and keys the cache held before the window were given none by this adapter (it lists no keys): 0.
  expect(out.insideSeqs).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(out.beforeSeq).toBe(0);
});
