// leak-agent/node-test with Node's own test runner, in a project of its own (test/.apps/node-test: the libraries from
// the npm registry, leak-agent from `npm pack`): `node --test --import leak-agent/node-test` fails the test file that
// leaked, under that file's name, with the report naming the cache, the class and the lines. The matrix (test/matrix.cjs)
// runs this file again on Node 22 and 24, where --test-isolation=none is tried too.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/apps';
import { packedProject } from '../helpers/packed';

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
// --experimental-test-isolation from 22.8, --test-isolation from 23.6 (and 22.14?): the older spelling where it exists.
const isolationNone = major > 22 ? '--test-isolation=none' : major === 22 && minor >= 8 ? '--experimental-test-isolation=none' : null;

function project(): string {
  return packedProject('node-test', 'node-test-app', { lodash: '4.17.21', memoizee: '0.4.17', 'lru-cache': '^11' });
}

function nodeTest(args: string[], env: Record<string, string> = {}) {
  const cwd = project();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--import', 'leak-agent/node-test', ...args], {
    cwd,
    env: cleanEnv({ LEAK_AGENT_ALLOW: 'knownLeak', ...env }),
    encoding: 'utf8',
    timeout: 120_000, // sanity guard on hanging
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, ''), cwd };
}

const FILES = ['leaky.test.cjs', 'clean.test.cjs', 'allowed.test.cjs', 'suite.test.mjs'];

describe('file mode (the default)', () => {
  it('fails the leaking files under their own names, with the report; the clean and allowlisted ones pass', () => {
    const r = nodeTest(FILES);
    expect(r.status).toBe(1);
    // The failure is a failing test named after the test file (spec reporter: "✖ /abs/leaky.test.cjs (12ms)").
    expect(r.out).toContain(`✖ ${r.cwd}/leaky.test.cjs`);
    expect(r.out).toContain('caches keep objects created by this test file alive');
    expect(r.out).toMatch(/lodash priceOf {2}leaky\.test\.cjs:7:\d+ {2}unbounded/);
    expect(r.out).toContain('5 × Order dead, 5 tracked, first inserted at leaky.test.cjs:13:');
    expect(r.out).toMatch(/lru-cache \S+ {2}leaky\.test\.cjs:14:\d+ {2}max 100/);
    expect(r.out).toMatch(/at lodash priceOf \(\S*leaky\.test\.cjs:7:\d+\)/);
    // The suite's memoizee leaks; its lru-cache (the ES module build) holds only requests the file keeps.
    expect(r.out).toContain(`✖ ${r.cwd}/suite.test.mjs`);
    expect(r.out).toMatch(/memoizee render {2}suite\.test\.mjs:8:\d+ {2}unbounded/);
    expect(r.out).toContain('3 × Request dead');
    expect(r.out).not.toMatch(/lru-cache \S+ {2}suite\.test\.mjs/);
    expect(r.out).not.toContain(`✖ ${r.cwd}/clean.test.cjs`);
    expect(r.out).not.toContain(`✖ ${r.cwd}/allowed.test.cjs`);
    expect(r.out).toMatch(/ℹ pass 5\b/);
    expect(r.out).toMatch(/ℹ fail 2\b/);
    expect(r.out).not.toContain('internal error');
  });

  it('passes when nothing leaks (exit status 0), and an empty allowlist fails the allowlisted file', () => {
    const clean = nodeTest(['clean.test.cjs', 'allowed.test.cjs']);
    expect(clean.out).toMatch(/ℹ fail 0\b/);
    expect(clean.status).toBe(0);
    const strict = nodeTest(['clean.test.cjs', 'allowed.test.cjs'], { LEAK_AGENT_ALLOW: '' });
    expect(strict.status).toBe(1);
    expect(strict.out).toContain(`✖ ${strict.cwd}/allowed.test.cjs`);
    expect(strict.out).toContain('lodash knownLeak');
  });
});

it('LEAK_AGENT_TEST_MODE=test fails the leaking test itself, also inside a suite', () => {
  const r = nodeTest(FILES, { LEAK_AGENT_TEST_MODE: 'test' });
  expect(r.status).toBe(1);
  expect(r.out).toContain('caches keep objects created by this test alive');
  expect(r.out).toMatch(/✖ prices orders/);
  expect(r.out).toMatch(/✖ renders each request once/);
  expect(r.out).toMatch(/✔ caches responses of requests it keeps/);
  expect(r.out).toMatch(/✔ prices orders \(keyed by id\)/);
  expect(r.out).toMatch(/ℹ fail 2\b/);
});

it.runIf(isolationNone !== null)('--test-isolation=none: one process for every file, judged as one run', () => {
  const r = nodeTest([isolationNone!, ...FILES]);
  expect(r.out).toContain('caches keep objects created by this test run alive');
  expect(r.out).toMatch(/lodash priceOf {2}leaky\.test\.cjs:7:\d+/);
  expect(r.out).toMatch(/memoizee render {2}suite\.test\.mjs:8:\d+/);
  expect(r.status).toBe(1); // node:test itself does not count a failing root `after` hook here
  expect(nodeTest([isolationNone!, 'clean.test.cjs', 'allowed.test.cjs']).status).toBe(0);
});
