// The agent never harms the process it looks at (issue #19): no crash near the heap limit, no changed behaviour under
// --frozen-intrinsics or with caches of the app's own making, no file left behind by a snapshot report.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLibsApp, placeScript, readReport, runNode, startNode } from '../helpers/apps';

const app = allLibsApp();

describe('near the heap limit', () => {
  placeScript(
    app,
    'near-limit.cjs',
    `const { LRUCache } = require('lru-cache');
class Entry { constructor(i) { this.i = i; this.payload = new Array(48).fill(i); } }
const cache = new LRUCache({ max: 1_000_000 });
module.exports = cache;
let i = 0;
const limit = Number(process.env.MIB ?? Infinity) * 1024 * 1024;
const count = Number(process.env.COUNT ?? Infinity);
while (i < count && process.memoryUsage().heapUsed < limit) for (let j = 0; j < 1000; j++) cache.set(new Entry(i++), i);
console.log('filled');
if (process.env.SERVE) { console.log('ready'); setInterval(() => {}, 1000); }
`,
  );

  it.each([45, 52, 58])('an app at %i of its 64 MiB exits as without the agent, with a report or one line why not', (mib) => {
    const plain = runNode(app, ['--max-old-space-size=64', 'near-limit.cjs'], { MIB: String(mib) });
    const agent = runNode(app, ['--max-old-space-size=64', '-r', 'leak-agent', 'near-limit.cjs'], { MIB: String(mib) });
    expect(plain.status).toBe(0);
    expect(agent.status).toBe(0);
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.stderr).not.toMatch(/heap out of memory|FATAL/);
    expect(agent.stderr).toMatch(/\d{5} × Entry dead|judging its \d{5} keys needs about \d+ MiB of heap, and the process is \d+ MiB from its heap limit/);
  });

  it('a report signal near the limit does not take the server down', async () => {
    const proc = startNode(app, ['--max-old-space-size=64', '-r', 'leak-agent', 'near-limit.cjs'], { MIB: '56', SERVE: '1', LEAK_AGENT_ON_EXIT: '0' });
    await proc.waitFor(/ready/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: /, 'stderr');
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.child.exitCode).toBeNull();
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(end.stderr).not.toMatch(/heap out of memory|FATAL/);
  });

  it('LEAK_AGENT_FAULT=heap-headroom: the caches that do not fit stay unverified with the reason', () => {
    const file = join(app, 'headroom.json');
    const r = runNode(app, ['-r', 'leak-agent', 'near-limit.cjs'], { COUNT: '20000', LEAK_AGENT_FAULT: 'heap-headroom', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    expect(readReport(file).caches[0]).toMatchObject({ verified: false, reason: expect.stringMatching(/^judging its \d+ keys needs about \d+ MiB of heap/) });
  });
});

describe('the app behaves exactly as without the agent', () => {
  it('under --frozen-intrinsics, with all three libraries tracked and reported', () => {
    placeScript(
      app,
      'frozen.cjs',
      `const _ = require('lodash');
const memoizee = require('memoizee');
const { LRUCache } = require('lru-cache');
class Task { constructor(i) { this.i = i; } }
const byTask = _.memoize((t) => t.i);
const score = memoizee((t) => t.i);
const lru = new LRUCache({ max: 10 });
module.exports = { byTask, score, lru };
for (let i = 0; i < 3; i++) { const t = new Task(i); byTask(t); score(t); lru.set(t, i); }
console.log('ok', byTask.cache.size, Object.isFrozen(Error));
`,
    );
    const file = join(app, 'frozen.json');
    const plain = runNode(app, ['--frozen-intrinsics', 'frozen.cjs']);
    const agent = runNode(app, ['--frozen-intrinsics', '-r', 'leak-agent', 'frozen.cjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(plain.stdout).toBe('ok 3 true\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(plain.status);
    const report = readReport(file);
    expect(report.caches.map((c: any) => [c.library, c.name, c.deadKeys, c.createdAt?.file])).toEqual(
      expect.arrayContaining([
        ['lodash', 'byTask', 3, 'frozen.cjs'],
        ['memoizee', 'score', 3, 'frozen.cjs'],
        ['lru-cache', 'lru', 3, 'frozen.cjs'],
      ]),
    );
  });

  it('an app that empties require.cache and swaps Map, Set, WeakMap and Symbol for stand-ins while it loads lodash again (as lodash\'s own tests do)', () => {
    placeScript(
      app,
      'bizarro.cjs',
      `const first = require('lodash');
class Task { constructor(i) { this.i = i; } }
const byTask = first.memoize((t) => t.i);
byTask(new Task(0));
// lodash's test.js, "bizarro" build: built-ins replaced, the module cache emptied, lodash required again.
const saved = { Map, Set, WeakMap, Symbol };
const noop = function () {};
Object.assign(globalThis, { Map: function () { return {}; }, Set: noop, WeakMap: noop, Symbol: undefined });
for (const id of Object.keys(require.cache)) delete require.cache[id];
const bizarro = require('lodash');
Object.assign(globalThis, saved);
// (The bizarro build keeps its entries in arrays of pairs, not a Map: its caches are not readable.)
console.log(bizarro.memoize((t) => t.i)(new Task(1)), bizarro !== first);
const again = first.memoize((t) => t.i);
module.exports = { byTask, again };
console.log(again(new Task(2)));
`,
    );
    const file = join(app, 'bizarro.json');
    const plain = runNode(app, ['bizarro.cjs']);
    const agent = runNode(app, ['-r', 'leak-agent', 'bizarro.cjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(plain.stdout).toBe('1 true\n2\n');
    expect(agent.stdout).toBe(plain.stdout);
    // No internal error: the agent's modules loaded before the swap are the ones it keeps using, and it goes on.
    expect(agent.stderr).not.toMatch(/internal error/);
    expect(readReport(file).caches.map((c: any) => [c.name, c.deadKeys])).toEqual(expect.arrayContaining([['byTask', 1], ['again', 1]]));
  });

  it.each(['gc', 'snapshot'])('with cache subclasses, a sealed cache, an own apply and a revoked Proxy (%s reports mid-run)', (engine) => {
    placeScript(app, 'hostile-caches.cjs');
    const sizes = engine === 'gc' ? { NO_SIZES: '1' } : {};
    const plain = runNode(app, ['hostile-caches.cjs'], sizes);
    const agent = runNode(app, ['-r', 'leak-agent', 'hostile-caches.cjs'], { ...sizes, MODE: 'report', LEAK_AGENT_VERIFY: engine, LEAK_AGENT_ON_EXIT: '0' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('["apply","own apply 1"]');
    expect(plain.stdout).toContain('["revoked proxy","function"]');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.stderr).toBe(plain.stderr);
  });
});

describe('no file outlives the agent', () => {
  function snapshotDirs(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('leak-agent-snapshot-')) : [];
  }

  it('SIGTERM during a snapshot analysis: no file left, the process ends by SIGTERM within the grace period', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leak-agent-term-'));
    placeScript(
      app,
      'big-heap.cjs',
      `const { LRUCache } = require('lru-cache');
const cache = new LRUCache({ max: 1_000_000, dispose: () => {} });
module.exports = cache;
for (let i = 0; i < 150_000; i++) cache.set({ i, pad: new Array(64).fill(i) }, i);
console.log('ready');
setInterval(() => {}, 1000);
`,
    );
    const proc = startNode(app, ['-r', 'leak-agent', 'big-heap.cjs'], { TMPDIR: tmp });
    await proc.waitFor(/ready/);
    proc.child.kill('SIGUSR2');
    // The snapshot is written in one turn, then analysed in a child: wait until that child runs.
    for (let i = 0; i < 400 && !snapshotDirs(tmp).some((d) => existsSync(join(tmp, d, 'probe.json'))); i++) await new Promise((r) => setTimeout(r, 25));
    expect(snapshotDirs(tmp)).toHaveLength(1);
    const sent = Date.now();
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    // Within docker stop's 10 s grace period, on a loaded 2-core machine (the snapshot itself took seconds).
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(snapshotDirs(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a report sweeps the snapshot directories of this user's processes that died (kill -9 mid-snapshot)", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leak-agent-sweep-'));
    // A directory as a killed process leaves it (its pid no longer runs), and one of a live process (ours).
    mkdirSync(join(tmp, 'leak-agent-snapshot-999999-abcdef'));
    mkdirSync(join(tmp, `leak-agent-snapshot-${process.pid}-abcdef`));
    placeScript(app, 'tiny.cjs', `const { LRUCache } = require('lru-cache'); const c = new LRUCache({ max: 5 }); module.exports = c; c.set({}, 1);\n`);
    const r = runNode(app, ['-r', 'leak-agent', 'tiny.cjs'], { TMPDIR: tmp });
    expect(r.status).toBe(0);
    expect(snapshotDirs(tmp)).toEqual([`leak-agent-snapshot-${process.pid}-abcdef`]);
    rmSync(tmp, { recursive: true, force: true });
  });
});
