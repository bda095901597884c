// Bounded and configured caches (issue #12): memoizee with max, maxAge, dispose, refCounter and promise, lru-cache with
// dispose and a fetch in flight, a custom lodash cache with Map storage, and a key shared by an lru-cache and a
// bounded memoizee. The snapshot engine (and auto, which uses it for them) judges each exactly without touching any;
// the gc engine is exact or says why not — never a wrong "verified". Against the real GC: EXPECTED comes from the
// fixture itself and the correctness suites (gc-correctness, snapshot-engine) compare with a cleared-cache run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLibsApp, placeScript, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const app = allLibsApp();
placeScript(app, 'bounded.cjs');

function expectedCounts(env: Record<string, string> = {}): Record<string, number> {
  const r = runNode(app, ['bounded.cjs'], { ...env, MODE: 'expected' });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** deadKeys per cache, by memoized function name or lru-cache receiver name. */
function byName(report: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const c of report.caches) out[c.name ?? c.id] = c;
  return out;
}

describe('bounded and configured caches', () => {
  it.each(['snapshot', 'auto'])('%s judges every one exactly, and touches none', (engine) => {
    const expected = expectedCounts();
    const file = join(app, `bounded-${engine}.json`);
    const r = runNode(app, ['-r', 'leak-agent', 'bounded.cjs'], { LEAK_AGENT_VERIFY: engine, LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const report = readReport(file);
    assertValidReport(report);
    expect(report.verification.engine).toBe('snapshot');
    const caches = byName(report);
    for (const [name, dead] of Object.entries(expected)) {
      expect({ name, verified: caches[name]?.verified, deadKeys: caches[name]?.deadKeys }).toEqual({ name, verified: true, deadKeys: dead });
    }
    // memoizee's bounds are in the report, as lru-cache's are (the text says `max 100`, not `unbounded`).
    expect(caches.sharedMemo.options).toMatchObject({ max: 100 });
    expect(caches.maxAged.options).toMatchObject({ maxAge: 60_000 });
    expect(caches.maxAged.options.max).toBeUndefined();
    expect(caches.disposed.options).toMatchObject({ max: 50 });
    expect(r.stderr).toMatch(/memoizee sharedMemo {2}bounded\.cjs:\d+:\d+ {2}max 100\n/);
    expect(r.stderr).toMatch(/memoizee maxAged {2}bounded\.cjs:\d+:\d+ {2}maxAge 60000\n/);
    // The 36 objects the lru-cache and the memoizee share count once.
    const total = Object.values(expected).reduce((s, n) => s + n, 0) - expected.sharedMemo!;
    expect(report.summary.deadKeys).toBe(total);
  });

  it('gc: each cache is exact or unverified with a reason, never a wrong "verified"', () => {
    const expected = expectedCounts();
    const file = join(app, 'bounded-gc.json');
    const r = runNode(app, ['-r', 'leak-agent', 'bounded.cjs'], { LEAK_AGENT_VERIFY: 'gc', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const caches = byName(readReport(file));
    for (const [name, dead] of Object.entries(expected)) {
      const c = caches[name];
      if (c.verified) expect({ name, deadKeys: c.deadKeys }).toEqual({ name, deadKeys: dead });
      else {
        expect(c.reason).toEqual(expect.any(String));
        expect(c.deadKeys).toBeLessThanOrEqual(dead);
      }
    }
    // The lru-cache whose keys the bounded memoizee also holds is not claimed exact; the reason names that cache.
    expect(caches.shared).toMatchObject({ verified: false, reason: expect.stringMatching(/memoizee sharedMemo \(bounded\.cjs:\d+:\d+\)/) });
    expect(caches.sharedMemo).toMatchObject({ verified: false, reason: expect.stringContaining('max, maxAge') });
    expect(caches.lruDisposing).toMatchObject({ verified: false, reason: expect.stringContaining('dispose callback') });
    expect(caches.fetching).toMatchObject({ verified: false, reason: 'a fetch() is in flight' });
  });

  it.each(['snapshot', 'auto'])('a mid-run %s report changes nothing the app can see (same transcript)', (engine) => {
    const plain = runNode(app, ['bounded.cjs']);
    const agent = runNode(app, ['-r', 'leak-agent', 'bounded.cjs'], { LEAK_AGENT_VERIFY: engine, MODE: 'report', LEAK_AGENT_ON_EXIT: '0' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('["calls",');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.stderr).toBe(plain.stderr);
    expect(agent.status).toBe(0);
  });

  it('with memoizee/profile loaded, the snapshot engine still judges every memoizee exactly', () => {
    const expected = expectedCounts({ PROFILE: '1' });
    const file = join(app, 'bounded-profile.json');
    runNode(app, ['-r', 'leak-agent', 'bounded.cjs'], { PROFILE: '1', LEAK_AGENT_REPORT_FILE: file });
    const caches = byName(readReport(file));
    for (const name of ['sharedMemo', 'maxAged', 'disposed', 'counted', 'promised']) {
      expect({ name, verified: caches[name].verified, deadKeys: caches[name].deadKeys }).toEqual({ name, verified: true, deadKeys: expected[name] });
    }
  });

  it('100k keys in a memoizee { max }: exact under the snapshot engine', () => {
    const file = join(app, 'bounded-big.json');
    const r = runNode(app, ['-r', 'leak-agent', 'bounded.cjs'], { BIG: '1', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const big = byName(readReport(file)).big;
    expect(big).toMatchObject({ trackedKeys: 100_000, deadKeys: 99_000, verified: true, classes: [{ name: 'Task', count: 99_000 }] });
  }, 240_000);

  it('a reason names an lru-cache the way the report does: by the name on its creation line, with the line', () => {
    placeScript(
      app,
      'reason-names.cjs',
      `const { LRUCache } = require('lru-cache');
const _ = require('lodash');
class User {}
const connections = new LRUCache({ max: 100, dispose: () => {} });
const permissionsOf = _.memoize(function permissionsOf(user) { return [user]; });
module.exports = { connections, permissionsOf };
for (let i = 0; i < 30; i++) { const u = new User(); connections.set(u, i); permissionsOf(u); }
for (let i = 0; i < 30; i++) permissionsOf(new User());
`,
    );
    const file = join(app, 'reason-names.json');
    const r = runNode(app, ['-r', 'leak-agent', 'reason-names.cjs'], { LEAK_AGENT_VERIFY: 'gc', LEAK_AGENT_REPORT_FILE: file });
    expect(r.status).toBe(0);
    const caches = byName(readReport(file));
    const at = caches.connections.createdAt; // the `new` line, or the first write for a minified build
    expect(caches.permissionsOf.reason).toContain(`held only by lru-cache connections (reason-names.cjs:${at.line}:${at.column})`);
  });
});

