// leak-agent/mocha in a Mocha project of its own (test/.apps/mocha: mocha and the libraries from the npm registry,
// leak-agent from `npm pack`): `mocha --require leak-agent/mocha` fails the spec file that leaked — its last describe
// block's "after all" hook, or its last top-level test — with the report; serial and --parallel.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/apps';
import { packedProject } from '../helpers/packed';

function project(): string {
  return packedProject('mocha', 'mocha-app', { mocha: '^11', lodash: '4.17.21', memoizee: '0.4.17', 'lru-cache': '^11' });
}

function mocha(args: string[], env: Record<string, string> = {}) {
  const cwd = project();
  const r = spawnSync(process.execPath, [join(cwd, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--require', 'leak-agent/mocha', ...args], {
    cwd,
    env: cleanEnv({ LEAK_AGENT_ALLOW: 'knownLeak', ...env }),
    encoding: 'utf8',
    timeout: 120_000, // sanity guard on hanging
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '') };
}

const FILES = ['leaky.spec.cjs', 'clean.spec.cjs', 'allowed.spec.cjs', 'toplevel.spec.cjs', 'suite.spec.mjs'];

function expectFileVerdicts(r: { status: number | null; out: string }): void {
  // leaky.spec.cjs: two describe blocks; the verdict is the "after all" hook of its last one.
  expect(r.out).toMatch(/"after all" hook: leak-agent for "counts nothing"/);
  expect(r.out).toContain('CacheLeakError: caches keep objects created by this test file alive');
  expect(r.out).toMatch(/lodash priceOf {2}leaky\.spec\.cjs:6:\d+ {2}unbounded/);
  expect(r.out).toContain('5 × Order dead, 5 tracked, first inserted at leaky.spec.cjs:13:');
  expect(r.out).toMatch(/lru-cache \S+ {2}leaky\.spec\.cjs:14:\d+ {2}max 100/);
  // toplevel.spec.cjs: its last top-level test (a callback test) carries the file's verdict.
  expect(r.out).toMatch(/\d\) describes another thing, with a callback/);
  expect(r.out).toMatch(/memoizee describeThing {2}toplevel\.spec\.cjs:5:\d+/);
  expect(r.out).toContain('2 × Thing dead');
  // suite.spec.mjs: lru-cache's ES module build through import.
  expect(r.out).toMatch(/"after all" hook: leak-agent for "caches a response per request object"/);
  expect(r.out).toMatch(/lru-cache \S+ {2}suite\.spec\.mjs:9:\d+ {2}max 10/);
  // Every test passed; three files failed.
  expect(r.out).toMatch(/✔ prices orders \(keyed by id\)/);
  expect(r.out).toMatch(/✔ uses an allowlisted cache/);
  expect(r.out).toMatch(/6 passing/);
  expect(r.out).toMatch(/3 failing/);
  expect(r.out).not.toContain('internal error');
  expect(r.status).toBe(3); // Mocha exits with the number of failures
}

describe('file mode (the default)', () => {
  it('serial: fails the leaking files, naming cache, class and line; the clean and allowlisted ones pass', () => {
    expectFileVerdicts(mocha(FILES));
  });

  it('--parallel: the same verdicts, each file in a worker of its own', () => {
    expectFileVerdicts(mocha(['--parallel', '--jobs', '2', ...FILES]));
  });

  it('nothing leaks: exit status 0', () => {
    const r = mocha(['clean.spec.cjs', 'allowed.spec.cjs']);
    expect(r.out).toMatch(/2 passing/);
    expect(r.status).toBe(0);
  });
});

it('LEAK_AGENT_TEST_MODE=test fails each leaking test itself', () => {
  const r = mocha(FILES, { LEAK_AGENT_TEST_MODE: 'test', LEAK_AGENT_ALLOW: '' });
  expect(r.out).toContain('caches keep objects created by this test alive');
  for (const title of ['prices orders', 'uses an allowlisted cache', 'describes a thing', 'describes another thing, with a callback', 'caches a response per request object']) {
    expect(r.out).toMatch(new RegExp(`\\d\\) ${title}\\n`));
  }
  expect(r.out).toMatch(/✔ prices orders \(keyed by id\)/);
  expect(r.out).toMatch(/✔ counts nothing/);
  expect(r.out).toMatch(/2 passing/);
  expect(r.out).toMatch(/5 failing/);
  expect(r.status).toBe(5);
});
