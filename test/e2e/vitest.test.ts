// leak-agent/vitest in a real Vitest project (not this one): a file that leaks into a memoizer fails with a
// message naming the cache, the class and the line; its clean twin passes; an allowlisted leak passes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, makeApp, placeDir } from '../helpers/apps';
import { packedProject } from '../helpers/packed';

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

describe.each(['vmThreads', 'vmForks'])('pool %s', (pool) => {
  // Each test file gets a vm context of its own, as in Jest: CommonJS libraries (lodash here) are patched as the
  // context evaluates them; ES module builds (lru-cache's `import` build) are not, and what they hold counts as alive,
  // so leaky.test.mjs, whose orders lru-cache also keeps, passes here.
  it('judges the CommonJS libraries each file loads', () => {
    const r = vitest({ POOL: pool, LEAK_AGENT_ALLOW: '' });
    expect(r.out).toMatch(/FAIL\s+allowed\.test\.mjs/);
    expect(r.out).toMatch(/lodash knownLeak {2}allowed\.test\.mjs:5:\d+ {2}unbounded/);
    expect(r.out).toContain('3 × Session dead');
    expect(r.out).toMatch(/✓ clean\.test\.mjs/);
    expect(r.out).not.toContain("use pool 'forks' or 'threads'");
    expect(r.out).not.toContain('internal error');
  });
});

describe('baseline file', () => {
  it('records known leaks once, then passes them while a new leak still fails', () => {
    const baseline = join(app, 'leak-baseline.json');
    rmSync(baseline, { force: true });
    // 1. Update mode: nothing fails, the leaking caches are written down.
    const update = vitest({ LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_BASELINE_UPDATE: '1', LEAK_AGENT_ALLOW: '' });
    expect(update.out).toMatch(/Test Files\s+3 passed/);
    const written = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(written.schema).toBe('leak-agent.baseline/v1');
    expect(written.leaks).toEqual(
      expect.arrayContaining([
        { library: 'lodash', name: 'priceOf', file: 'leaky.test.mjs', classes: ['Order'] },
        expect.objectContaining({ library: 'lru-cache', file: 'leaky.test.mjs', classes: ['Order'] }),
        expect.objectContaining({ library: 'lodash', name: 'knownLeak' }),
      ]),
    );
    // 2. With the baseline, the same suite passes.
    expect(vitest({ LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_ALLOW: '' }).out).toMatch(/Test Files\s+3 passed/);
    // 3. A baseline without the lru-cache entry: that cache fails again, the known lodash one does not.
    writeFileSync(baseline, JSON.stringify({ ...written, leaks: written.leaks.filter((e: any) => e.library !== 'lru-cache') }));
    const partial = vitest({ LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_ALLOW: '' });
    expect(partial.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
    expect(partial.out).toMatch(/lru-cache lru {2}leaky\.test\.mjs/);
    expect(partial.out).not.toMatch(/lodash priceOf {2}leaky/);
    // 4. An invalid file: one clear line, and no baseline (the leaks fail).
    writeFileSync(baseline, '{ not json');
    const invalid = vitest({ LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_ALLOW: 'knownLeak' });
    expect(invalid.out).toMatch(/leak-agent: LEAK_AGENT_BASELINE=.*leak-baseline\.json is not a baseline file/);
    expect(invalid.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
    rmSync(baseline, { force: true });
  });

  it('UPDATE without a path writes leak-agent-baseline.json in the project root and says so; then it is used, also by default', () => {
    const file = join(app, 'leak-agent-baseline.json');
    rmSync(file, { force: true });
    const update = vitest({ LEAK_AGENT_BASELINE_UPDATE: '1', LEAK_AGENT_ALLOW: '' });
    expect(update.out).toMatch(/Test Files\s+3 passed/);
    expect(update.out).toContain(`leak-agent: LEAK_AGENT_BASELINE is not set: adding leaks to ${file}`);
    expect(JSON.parse(readFileSync(file, 'utf8')).leaks.map((e: any) => e.library).sort()).toEqual(['lodash', 'lodash', 'lru-cache']);
    expect(vitest({ LEAK_AGENT_BASELINE: file, LEAK_AGENT_ALLOW: '' }).out).toMatch(/Test Files\s+3 passed/);
    // The default file is read without LEAK_AGENT_BASELINE too (as committed), and the leaks it lists pass...
    expect(vitest({ LEAK_AGENT_ALLOW: '' }).out).toMatch(/Test Files\s+3 passed/);
    rmSync(file, { force: true });
    // ...and without it they fail again (the leaky file, and the allowlisted one with an empty allowlist).
    expect(vitest({ LEAK_AGENT_ALLOW: '' }).out).toMatch(/Test Files\s+2 failed \| 1 passed/);
  });

  it('a baseline that cannot be written or read fails the run with the reason, never a pass', () => {
    const unwritable = vitest({ LEAK_AGENT_BASELINE: join(app, 'no-such-dir', 'b.json'), LEAK_AGENT_BASELINE_UPDATE: '1' });
    expect(unwritable.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
    expect(unwritable.out).toMatch(/leak-agent: could not write the baseline .*no-such-dir\/b\.json: ENOENT/);
    const dir = join(app, 'a-directory.json');
    mkdirSync(dir, { recursive: true });
    const unreadable = vitest({ LEAK_AGENT_BASELINE: dir });
    expect(unreadable.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
    expect(unreadable.out).toMatch(/leak-agent: could not read the baseline .*a-directory\.json: EISDIR/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('LEAK_AGENT_BASELINE_UPDATE=yes is one clear line and the default (no update)', () => {
    const r = vitest({ LEAK_AGENT_BASELINE: join(app, 'never.json'), LEAK_AGENT_BASELINE_UPDATE: 'yes' });
    expect(r.out).toContain('leak-agent: ignoring LEAK_AGENT_BASELINE_UPDATE="yes": expected 1 or 0; using the default (0)');
    expect(r.out).toMatch(/Test Files\s+1 failed \| 2 passed/);
    expect(existsSync(join(app, 'never.json'))).toBe(false);
  });
});

describe('Vitest 3', () => {
  // A project of its own (test/.apps/vitest3): vitest@3 from the npm registry, leak-agent from `npm pack`.
  it('fails the leaking file with the same report', () => {
    const cwd = packedProject('vitest3', 'vitest-app', { vitest: '^3', lodash: '4.17.21', 'lru-cache': '^11' });
    const r = spawnSync(process.execPath, [join(cwd, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], {
      cwd,
      env: cleanEnv({ LEAK_AGENT_ALLOW: 'knownLeak' }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    expect(out).toMatch(/RUN\s+v3\./);
    expect(r.status).toBe(1);
    expect(out).toContain('CacheLeakError: caches keep objects created by this test file alive');
    expect(out).toMatch(/lodash priceOf {2}leaky\.test\.mjs:6:\d+ {2}unbounded/);
    expect(out).toMatch(/Test Files\s+1 failed \| 2 passed/);
  }, 400_000);
});
