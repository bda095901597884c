// The expectNoCacheLeaks examples, run with their real runners: each has one leaking case (asserted to throw a
// CacheLeakError) and its fixed twin (asserted to pass).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, cleanEnv } from '../helpers/apps';

function run(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
}

it('node:test example passes (its leak case throws, its fixed twin does not)', () => {
  const r = run(['--test', '--test-reporter=tap', 'examples/test-runners/node-test.test.cjs']);
  expect(r.stdout).toMatch(/# pass 2/);
  expect(r.stdout).toMatch(/# fail 0/);
  expect(r.status).toBe(0);
});

it('Mocha example passes', () => {
  const r = run([join('node_modules', 'mocha', 'bin', 'mocha.js'), 'examples/test-runners/mocha.test.cjs']);
  expect(r.stdout).toMatch(/2 passing/);
  expect(r.status).toBe(0);
});
