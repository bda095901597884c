// leak-agent/jest in real Jest 29 and 30 projects (test/.apps/jest29, jest30: Jest and the libraries from the npm
// registry, leak-agent from `npm pack`): a file that leaks into a cache fails with a message naming the cache, the
// class and the lines; its clean twin and an allowlisted leak pass; every entry point is instrumented through Jest's
// own module registry, in workers and in band.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/apps';
import { packedProject } from '../helpers/packed';

function project(major: string): string {
  return packedProject(`jest${major}`, 'jest-app', {
    jest: `^${major}`,
    lodash: '4.17.21',
    'lodash.memoize': '4.1.2',
    'lodash-es': '4.17.21',
    memoizee: '0.4.17',
    d: '^1.0.2',
    'lru-cache': '^11',
    '@babel/plugin-transform-modules-commonjs': '^7',
  });
}

interface JestRun {
  status: number | null;
  pid: number;
  out: string;
  /** Each file's block of Jest's output (from its PASS/FAIL line to the next), by file name. */
  files: Map<string, { passed: boolean; text: string }>;
}

function jest(dir: string, args: string[], env: Record<string, string | undefined> = {}): JestRun {
  const r = spawnSync(process.execPath, [join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...args], {
    cwd: dir,
    env: cleanEnv({ LEAK_AGENT_ALLOW: 'knownLeak', ...env }),
    encoding: 'utf8',
    timeout: 300_000, // sanity guard on hanging
  });
  const out = `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  const files = new Map<string, { passed: boolean; text: string }>();
  const starts = [...out.matchAll(/^(PASS|FAIL) \.\/(\S+)/gm)];
  starts.forEach((m, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : out.indexOf('\nTest Suites:');
    files.set(m[2]!, { passed: m[1] === 'PASS', text: out.slice(m.index, end === -1 ? undefined : end) });
  });
  return { status: r.status, pid: r.pid ?? 0, out, files };
}

function file(run: JestRun, name: string): { passed: boolean; text: string } {
  const found = run.files.get(name);
  if (!found) throw new Error(`${name} is not in Jest's output:\n${run.out}`);
  return found;
}

const CJS_FILES = [
  'leaky.test.js',
  'clean.test.js',
  'allowed.test.js',
  'lodash-entries.test.js',
  'memoizee-entries.test.js',
  'memoizee-profile.test.js',
  'lru-majors.test.js',
];

function expectVerdicts(run: JestRun): void {
  const leaky = file(run, 'leaky.test.js');
  expect(leaky.passed).toBe(false);
  expect(leaky.text).toContain('CacheLeakError: caches keep objects created by this test file alive');
  expect(leaky.text).toMatch(/lodash priceOf {2}leaky\.test\.js:5:\d+ {2}unbounded/);
  expect(leaky.text).toContain('5 × Order dead, 5 tracked, first inserted at leaky.test.js:11:');
  expect(leaky.text).toMatch(/lru-cache \S+ {2}leaky\.test\.js:12:\d+ {2}max 100/);
  // The cache's own line, as Jest shows a failing line: the code frame of the first creation site.
  expect(leaky.text).toMatch(/> 5 \| const priceOf = _\.memoize/);
  expect(leaky.text).toMatch(/at lodash priceOf \(leaky\.test\.js:5:\d+\)/);

  expect(file(run, 'clean.test.js').passed).toBe(true);
  expect(file(run, 'allowed.test.js').passed).toBe(true);

  const lodash = file(run, 'lodash-entries.test.js');
  expect(lodash.passed).toBe(false);
  for (const [library, name] of [
    ['lodash', 'viaMonolith'],
    ['lodash', 'viaModular'],
    ['lodash', 'viaContext'],
    ['lodash', 'viaFp'],
    ['lodash.memoize', 'viaStandalone'],
    ['lodash-es', 'viaLodashEs'],
  ]) {
    expect(lodash.text).toMatch(new RegExp(`${library.replace('.', '\\.')} ${name} {2}lodash-entries\\.test\\.js:\\d+:\\d+`));
  }
  expect(lodash.text).toContain('leak-agent: 6 caches keep 18 otherwise-dead objects alive');

  const memoizee = file(run, 'memoizee-entries.test.js');
  expect(memoizee.passed).toBe(false);
  expect(memoizee.text).toContain('leak-agent: 4 caches keep 12 otherwise-dead objects alive');
  expect(memoizee.text).toMatch(/memoizee viaMain {2}memoizee-entries\.test\.js:10:/);
  expect(memoizee.text).toMatch(/memoizee viaPlain {2}memoizee-entries\.test\.js:11:/);
  // memoizee/weak keeps one memoizee cache per first argument, made inside it: its site is the first call's.
  expect(memoizee.text).toMatch(/memoizee \(anonymous\) {2}memoizee-entries\.test\.js:22:/);
  expect(memoizee.text).toMatch(/memoizee bound find {2}memoizee-entries\.test\.js:23:/);

  const profile = file(run, 'memoizee-profile.test.js');
  expect(profile.passed).toBe(false);
  expect(profile.text).toMatch(/memoizee viaProfile {2}memoizee-profile\.test\.js:6:\d+/);
  expect(profile.text).toContain('3 × Job dead');

  const lru = file(run, 'lru-majors.test.js');
  expect(lru.passed).toBe(false);
  expect(lru.text).toContain('leak-agent: 9 caches keep 9 otherwise-dead objects alive');
  for (let line = 14; line <= 22; line++) expect(lru.text).toMatch(new RegExp(`lru-cache \\S+ {2}lru-majors\\.test\\.js:${line}:\\d+ {2}max 10`));

  expect(run.out).toMatch(/Test Suites: 5 failed, 2 passed, 7 total/);
  expect(run.out).toMatch(/Tests: {7}8 passed, 8 total/); // every test passed: the files failed
  expect(run.out).not.toContain('internal error');
  expect(run.status).toBe(1);
}

function ranIn(run: JestRun): 'band' | 'worker' {
  const m = /clean\.test\.js ran in pid (\d+)/.exec(run.out);
  if (!m) throw new Error(`no pid line in:\n${run.out}`);
  return Number(m[1]) === run.pid ? 'band' : 'worker';
}

describe.each(['29', '30'])('Jest %s', (major) => {
  it('in workers: fails only the leaking files, naming cache, class and line, for every entry point', () => {
    const dir = project(major);
    const run = jest(dir, CJS_FILES, { WORKERS: '1' });
    expect(JSON.parse(readFileSync(join(dir, 'node_modules', 'jest', 'package.json'), 'utf8')).version).toMatch(new RegExp(`^${major}\\.`));
    expect(ranIn(run)).toBe('worker');
    expectVerdicts(run);
  }, 900_000);

  it('--runInBand: the same verdicts', () => {
    const run = jest(project(major), ['--runInBand', ...CJS_FILES]);
    expect(ranIn(run)).toBe('band');
    expectVerdicts(run);
  }, 900_000);

  it('LEAK_AGENT_TEST_MODE=test fails the leaking test itself; an empty allowlist fails the allowlisted file', () => {
    const run = jest(project(major), ['leaky.test.js', 'clean.test.js', 'allowed.test.js'], { LEAK_AGENT_TEST_MODE: 'test', LEAK_AGENT_ALLOW: '' });
    const leaky = file(run, 'leaky.test.js');
    expect(leaky.passed).toBe(false);
    expect(leaky.text).toContain('● prices orders');
    expect(leaky.text).toContain('CacheLeakError: caches keep objects created by this test alive');
    expect(file(run, 'allowed.test.js').text).toContain('lodash knownLeak');
    expect(file(run, 'clean.test.js').passed).toBe(true);
    expect(run.out).toMatch(/Tests: {7}2 failed, 2 passed, 4 total/);
  }, 900_000);

  it('keeps no finished test file alive: each context goes when Jest is done with it, as without the agent', () => {
    const dir = project(major);
    const files = ['contexts-1.test.js', 'contexts-2.test.js', 'contexts-3.test.js', 'contexts-4.test.js'];
    const counts = (run: JestRun) => [...run.out.matchAll(/contexts alive: (\d+) of (\d+) earlier/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const bare = counts(jest(dir, ['--runInBand', '--config', 'jest.bare.config.js', ...files]));
    const withAgent = jest(dir, ['--runInBand', ...files]);
    expect(withAgent.out).toContain('CacheLeakError'); // every file leaked, and was judged
    expect(bare.map(([, n]) => n).sort()).toEqual([0, 1, 2, 3]);
    expect(counts(withAgent).map(([, n]) => n).sort()).toEqual([0, 1, 2, 3]);
    expect(counts(withAgent).every(([alive]) => alive === 0)).toBe(true);
    expect(bare.every(([alive]) => alive === 0)).toBe(true);
  }, 900_000);

  it("require('leak-agent') in a test file is the worker's agent: its expectNoCacheLeaks judges the file's caches", () => {
    const run = jest(project(major), ['api.test.js'], { LEAK_AGENT_ALLOW: '' });
    const api = file(run, 'api.test.js');
    expect(api.passed, run.out).toBe(true);
    expect(run.out).not.toMatch(/internal error/);
  }, 900_000);

  it('an ES module test file (--experimental-vm-modules): the CommonJS libraries it imports are judged', () => {
    const run = jest(project(major), ['esm.test.mjs'], { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' });
    const esm = file(run, 'esm.test.mjs');
    expect(esm.passed).toBe(false);
    expect(esm.text).toMatch(/lodash priceOf {2}esm\.test\.mjs:\d+:\d+/);
    expect(esm.text).toContain('5 × Order dead');
  }, 900_000);
});

it('Jest 30 baseline file: records the known leaks once, then passes them while a new leak still fails', () => {
  const dir = project('30');
  const baseline = join(dir, 'leak-baseline.json');
  rmSync(baseline, { force: true });
  const files = ['leaky.test.js', 'clean.test.js', 'allowed.test.js'];
  const update = jest(dir, files, { LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_BASELINE_UPDATE: '1', LEAK_AGENT_ALLOW: '' });
  expect(update.out).toMatch(/Test Suites: 3 passed, 3 total/);
  const written = JSON.parse(readFileSync(baseline, 'utf8'));
  expect(written.leaks).toEqual(
    expect.arrayContaining([
      { library: 'lodash', name: 'priceOf', file: 'leaky.test.js', classes: ['Order'] },
      expect.objectContaining({ library: 'lru-cache', file: 'leaky.test.js', classes: ['Order'] }),
      expect.objectContaining({ library: 'lodash', name: 'knownLeak', file: 'allowed.test.js' }),
    ]),
  );
  expect(jest(dir, files, { LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_ALLOW: '' }).out).toMatch(/Test Suites: 3 passed, 3 total/);
  writeFileSync(baseline, JSON.stringify({ ...written, leaks: written.leaks.filter((e: { library: string }) => e.library !== 'lru-cache') }));
  const partial = jest(dir, files, { LEAK_AGENT_BASELINE: baseline, LEAK_AGENT_ALLOW: '' });
  expect(partial.out).toMatch(/Test Suites: 1 failed, 2 passed, 3 total/);
  expect(file(partial, 'leaky.test.js').text).toMatch(/lru-cache \S+ {2}leaky\.test\.js:12/);
  expect(file(partial, 'leaky.test.js').text).not.toContain('lodash priceOf');
  rmSync(baseline, { force: true });
}, 900_000);
