// The examples: each leaky app gets the advice for its library and case, and each fixed twin — that advice,
// applied — reports no leak.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const EXAMPLES: Array<{ leaky: string; advice: RegExp; cls: string; fixes: string[] }> = [
  {
    leaky: 'examples/task-runner/app.cjs',
    cls: 'TaskData',
    advice: /key the cache by a primitive id .*keep per-object data in a WeakMap/,
    fixes: ['examples/task-runner/app-fixed.cjs', 'examples/task-runner/app-fixed-id.cjs'],
  },
  {
    leaky: 'examples/lodash-memoize/app.cjs',
    cls: 'Document',
    advice: /resolver returns `this`.*primitive id.*WeakMap cache/,
    fixes: ['examples/lodash-memoize/app-fixed-resolver.cjs', 'examples/lodash-memoize/app-fixed-weakmap.cjs'],
  },
  {
    leaky: 'examples/memoizee/app.cjs',
    cls: 'User',
    advice: /memoizee\/weak.*normalizer that returns a primitive id/,
    fixes: ['examples/memoizee/app-fixed-weak.cjs', 'examples/memoizee/app-fixed-normalizer.cjs'],
  },
];

function reportOf(script: string, label: string) {
  const file = join(ROOT, 'test', '.apps', `example-${label}.json`);
  const run = runNode(ROOT, ['-r', './agent/index.cjs', script, '40'], { LEAK_AGENT_REPORT_FILE: file });
  expect(run.status).toBe(0);
  const report = readReport(file);
  assertValidReport(report);
  return report;
}

describe.each(EXAMPLES)('$leaky', ({ leaky, advice, cls, fixes }) => {
  it('leaks: one cache, its class, the advice for the case', () => {
    const report = reportOf(leaky, leaky.replace(/\W/g, '_'));
    expect(report.summary.leakingCaches).toBe(1);
    const [cache] = report.caches;
    expect(cache.classes).toEqual([{ name: cls, count: 40 }]);
    expect(cache.advice).toMatch(advice);
    expect(cache.createdAt.file).toBe(leaky);
    expect(cache.example.insertedAt.file).toBe(leaky);
  });

  it.each(fixes)('%s (the advice applied) does not leak', (fixed) => {
    const report = reportOf(fixed, fixed.replace(/\W/g, '_'));
    expect(report.summary.deadKeys).toBe(0);
  });
});

it('npm run demo: the leaky run prints its report, the fixed twin what its JSON report checked, and no file is left', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'demo-test-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples', 'demo.cjs')], { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ TMPDIR: tmp }) });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/leak-agent: 1 cache keeps 128 otherwise-dead objects alive/);
    expect(r.stdout).toContain("demo: the fixed twin's exit report (JSON): 0 caches holding object keys, 0 tracked keys, 0 dead");
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);
