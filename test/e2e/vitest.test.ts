// leak-agent/vitest in a real Vitest project (not this one): a file that leaks into a memoizer fails with a
// message naming the cache, the class and the line; its clean twin passes; an allowlisted leak passes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, makeApp, placeDir } from '../helpers/apps';

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const app = makeApp('vitest-app', { lodash: 'lodash', 'lru-cache': 'lru11' });
placeDir(app, 'vitest-app');

function vitest(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [VITEST, 'run', '--reporter=verbose'], {
    cwd: app,
    env: cleanEnv({ LEAK_AGENT_ALLOW: 'knownLeak', ...env }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '') };
}

describe.each(['forks', 'threads'])('pool %s', (pool) => {
  it('fails only the leaking file, naming the cache, the class and the lines', () => {
    const r = vitest({ POOL: pool });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/FAIL\s+leaky\.test\.mjs/);
    expect(r.out).toContain('CacheLeakError: caches keep objects created by this test file alive');
    expect(r.out).toMatch(/lodash priceOf {2}leaky\.test\.mjs:6:\d+ {2}unbounded/);
    expect(r.out).toContain('5 × Order dead, 5 tracked, first inserted at leaky.test.mjs:12:');
    expect(r.out).toMatch(/lru-cache lru {2}leaky\.test\.mjs:13:\d+ {2}max 100/);
    expect(r.out).toMatch(/✓ clean\.test\.mjs/);
    expect(r.out).toMatch(/✓ allowed\.test\.mjs/);
    expect(r.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
  });
});

it('per-test mode fails the test, and an empty allowlist fails the allowlisted file too', () => {
  const r = vitest({ LEAK_AGENT_VITEST_MODE: 'test', LEAK_AGENT_ALLOW: '' });
  expect(r.out).toMatch(/Test Files\s+2 failed \| 1 passed/);
  expect(r.out).toContain('caches keep objects created by this test alive');
  expect(r.out).toContain('lodash knownLeak');
});

it('vmThreads: one clear line instead of silently missing everything', () => {
  const r = vitest({ POOL: 'vmThreads' });
  expect(r.out).toContain("use pool 'forks' or 'threads'");
  expect(r.out).not.toContain('internal error');
});
