// The benchmarks must never rot: run them once at small sizes. No timing is asserted (numbers from a loaded CI
// machine mean nothing); the run must finish and print every table with a number in each row.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, cleanEnv } from '../helpers/apps';

it('npm run bench -- --quick runs every part and prints ratios', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.cjs'), '--quick'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/lru-cache 11 get hit \(object key\) +[\d.]+ +[\d.]+ +[\d.]+×/);
  expect(r.stdout).toMatch(/memoizee miss \(object arg\) +[\d.]+ +[\d.]+ +[\d.]+×/);
  expect(r.stdout).toMatch(/heap per object key \(bytes\) +\d+ +\d+ +[+−]\d+ B\/key/);
  expect(r.stdout).toMatch(/heap growth over 1M per-request memoize\(\) \(KiB\) +-?\d+ +-?\d+ +[+−]\d+ KiB/);
  // Start-up on this line (and on each tested line whose binary test/matrix.cjs has cached): wall (both medians, the
  // median of the pairs' differences, the fastest runs' difference) and peak RSS.
  expect(r.stdout).toMatch(
    new RegExp(`Node ${process.versions.node} +[\\d.]+ +[\\d.]+ +[+−][\\d.]+ ms +[+−][\\d.]+ ms +≤ \\+30 ms +[\\d.]+ +[\\d.]+ +[+−][\\d.]+ MiB`),
  );
  // The verdict: a test window's and a report's, each against one full GC, then against a heap snapshot.
  // Columns: full GC, window (×GC), window phases, report (×GC), report phases, again, snapshot, snapshot / verdicts.
  expect(r.stdout).toMatch(
    /\d+ MB, 10000 keys \(5000 dead\) +\d+ +\d+ \([\d.]+×\) +\d+ \/ \d+ \/ \d+ +\d+ \([\d.]+×\) +\d+ \/ \d+ \/ \d+ \/ \d+ +\d+ +\d+ \(\d+ MB file\) +\d+× \/ \d+× \(≥ 50×\)/,
  );
  expect(r.stdout).toMatch(/expectNoCacheLeaks around a typical test body .*: [\d.]+ ms/);
  expect(r.stdout).toMatch(/\d+ MB, 10000 keys \(5000 dead\) +snapshot +\d+ +\d+ +\d+ \(\d+ MB\/s\) +\d+ +\d+ \(\d+ MB\/s\)/);
});

it('bench --help explains the parts', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.cjs'), '--help'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Usage: npm run bench');
});
