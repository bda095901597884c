// Sampled key lifetimes (issue #14): a bounded cache keyed by task objects is the last holder of almost every key it
// evicts; a cache of long-lived keys is the last holder of none. Against the real GC, with no verdict at all.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLibsApp, placeScript, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const app = allLibsApp();
placeScript(
  app,
  'tasks16.cjs',
  `// A task runner: each task's data keys a 16-entry cache (lru-cache, or memoizee with max), which evicts it 16 tasks
// later; nothing else keeps it. Its twin caches 16 long-lived objects; a third cache is keyed by the tasks' ids.
const { LRUCache } = require('lru-cache');
const memoizee = require('memoizee');
class Task { constructor(i) { this.i = i; this.data = new Array(2000).fill(i); } }
const summaries = process.env.LIB === 'memoizee' ? memoizee(function summaries(t) { return { sum: t.i }; }, { max: 16 }) : new LRUCache({ max: 16 });
const put = (k, v) => (process.env.LIB === 'memoizee' ? summaries(k) : summaries.set(k, v));
const longLived = Array.from({ length: 16 }, (_, i) => new Task(i));
const twin = new LRUCache({ max: 16 });
const byId = new LRUCache({ max: 16 });
module.exports = { summaries, twin, byId, longLived };
function run() {
  for (let t = 0; t < 5000; t++) {
    const task = new Task(t);
    put(task, t);
    byId.set(task.i, t);
    twin.set(longLived[t % 16], t);
  }
  console.log('done');
}
async function runInTurns() {
  // The same tasks over about a second, in many turns: the sweeps run between them and see each eviction.
  for (let t = 0; t < 3000; t++) {
    const task = new Task(t);
    put(task, t);
    twin.set(longLived[t % 16], t);
    if (t % 150 === 149) await new Promise((r) => setTimeout(r, 60));
  }
  console.log('done');
}
if (process.env.TURNS) {
  runInTurns();
} else if (process.env.WORKER) {
  const { Worker, isMainThread } = require('node:worker_threads');
  if (isMainThread) new Worker(__filename, { env: process.env });
  else run();
} else {
  run();
}
`,
);

function lifecycles(report: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const c of report.caches) out[c.name] = c.lifecycle;
  return out;
}

describe('sampled key lifetimes', () => {
  it.each(['lru-cache', 'memoizee'])('%s { max: 16 } keyed by task objects is the last holder of the keys it evicts, with LEAK_AGENT_VERIFY=off', (lib) => {
    const file = join(app, `tasks16-${lib}.json`);
    const r = runNode(app, ['-r', 'leak-agent', 'tasks16.cjs'], { LIB: lib, LEAK_AGENT_VERIFY: 'off', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const report = readReport(file);
    assertValidReport(report);
    const life = lifecycles(report);
    expect(life.summaries.collected).toBeGreaterThanOrEqual(100);
    expect(life.summaries.collectedAfterEviction).toBeGreaterThanOrEqual(0.9 * life.summaries.collected);
    // The twin's keys live on: nothing collected, every sampled one still held.
    expect(life.twin).toMatchObject({ collected: 0, collectedAfterEviction: 0, stillHeld: 16 });
    // Keyed by ids (numbers): no object key, nothing sampled, not listed.
    expect(report.caches.some((c: any) => c.name === 'byId')).toBe(false);
    expect(r.stderr).toMatch(new RegExp(`${lib} summaries .*\\n {4}of \\d+ sampled keys collected, \\d+ died only after this cache evicted them( \\(median \\d+ ms later\\))?: it was their last holder`));
    expect(r.stderr).not.toMatch(/twin .*\n {4}of \d+ sampled keys/);
  });

  it.each(['lru-cache', 'memoizee'])('%s: over many turns the sweeps see each eviction, with the time from eviction to collection', (lib) => {
    const file = join(app, `tasks16-turns-${lib}.json`);
    const r = runNode(app, ['-r', 'leak-agent', 'tasks16.cjs'], { LIB: lib, TURNS: '1', LEAK_AGENT_VERIFY: 'off', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const life = lifecycles(readReport(file));
    expect(life.summaries.collected).toBeGreaterThanOrEqual(100);
    expect(life.summaries.collectedAfterEviction).toBeGreaterThanOrEqual(0.9 * life.summaries.collected);
    expect(life.summaries.medianMsToCollection).toEqual(expect.any(Number));
    expect(life.twin).toMatchObject({ collected: 0, collectedAfterEviction: 0, stillHeld: 16 });
  });

  it('keeps no evicted key alive, even inside one long turn (no WeakRef per sample: V8 keeps those targets to the end of the job)', () => {
    placeScript(
      app,
      'one-turn.cjs',
      `// 600 tasks of 256 KiB each through a 16-entry cache, all in one turn, then the live heap.
const { LRUCache } = require('lru-cache');
const cache = new LRUCache({ max: 16 });
module.exports = { cache };
for (let i = 0; i < 600; i++) cache.set({ data: new Array(32 * 1024).fill(i + 0.5) }, i);
gc();
console.log(Math.round(process.memoryUsage().heapUsed / 2 ** 20));
`,
    );
    const plain = Number(runNode(app, ['--expose-gc', 'one-turn.cjs']).stdout);
    const agent = Number(runNode(app, ['--expose-gc', '-r', 'leak-agent', 'one-turn.cjs'], { LEAK_AGENT_ON_EXIT: '0' }).stdout);
    expect(plain).toBeGreaterThan(0);
    // 256 samples of 256 KiB each would be +64 MiB; the agent's own modules and records are a few MiB.
    expect(agent - plain).toBeLessThan(8);
  });

  it('in a worker thread too', () => {
    const file = join(app, 'tasks16-worker.json');
    for (const f of readdirSync(app)) if (f.startsWith('tasks16-worker')) rmSync(join(app, f));
    const r = runNode(app, ['-r', 'leak-agent', 'tasks16.cjs'], { WORKER: '1', LEAK_AGENT_VERIFY: 'off', LEAK_AGENT_REPORT_FILE: file });
    expect(r.stdout).toBe('done\n');
    // The worker's own report file: -t<threadId> (1 where no module-hooks thread took an id first).
    const name = readdirSync(app).find((f) => /^tasks16-worker-t\d+\.json$/.test(f))!;
    const worker = readReport(join(app, name));
    const life = lifecycles(worker);
    expect(life.summaries.collected).toBeGreaterThanOrEqual(100);
    expect(life.summaries.collectedAfterEviction).toBeGreaterThanOrEqual(0.9 * life.summaries.collected);
  });

  it('next to the verdict, the same line', () => {
    const r = runNode(app, ['-r', 'leak-agent', 'tasks16.cjs'], { LIB: 'lru-cache' });
    expect(r.stderr).toMatch(/lru-cache summaries .*\n.*dead.*\n {4}of \d+ sampled keys collected, \d+ died only after this cache evicted them/);
  });
});
