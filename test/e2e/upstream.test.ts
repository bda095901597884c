// The libraries' own test suites, run as they come and again under the agent: the same results, test for test
// (issue #19). Their tests are not in the npm packages, so they are kept in test/upstream/ (see the README there)
// and put next to the same version of the package they test. lru-cache's suite (TypeScript under tap) is not here.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, makeApp, readReport } from '../helpers/apps';

const UPSTREAM = join(ROOT, 'test', 'upstream');
const AGENT = join(ROOT, 'agent', 'index.cjs');

const app = makeApp('upstream', { memoizee: 'memoizee', lodash: 'lodash-418' });
const memoizeeDir = join(app, 'node_modules', 'memoizee');
const lodashDir = join(app, 'node_modules', 'lodash');
if (!existsSync(join(memoizeeDir, 'test'))) cpSync(join(UPSTREAM, 'memoizee', 'test'), join(memoizeeDir, 'test'), { recursive: true });
if (!existsSync(join(lodashDir, 'test'))) cpSync(join(UPSTREAM, 'lodash', 'test.js'), join(lodashDir, 'test', 'test.js'));
// lodash's suite compares against a stable lodash of its own, at ../node_modules/lodash (the agent patches it too).
if (!existsSync(join(lodashDir, 'node_modules', 'lodash'))) {
  cpSync(join(ROOT, 'node_modules', 'lodash'), join(lodashDir, 'node_modules', 'lodash'), { recursive: true, dereference: true });
}

function run(cwd: string, args: string[], env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * tad prints a time per file and, while a test waits, a spinner it erases with backspaces; files finish in any
 * order. Keep each file's result and its count of checks, sorted.
 */
function tadResults(stdout: string): string[] {
  return stdout
    .replace(/[-\\|/]\x08/g, '')
    .split('\n')
    .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d+\s+/, '').trimEnd())
    .filter((line) => line !== '')
    .map((line) => {
      const file = /^(\S+)\s+(\S+\.js) ([-\\|/.]+)$/.exec(line);
      if (file) return `${file[1]} ${file[2]} ${file[3]!.replace(/[^.]/g, '').length}`;
      return line.replace(/^\s*[\d.]+\s+(?=\d+ Ok)/, '');
    })
    .sort();
}

/** lodash's runner prints "Please wait" while it works and how long it took. */
function qunitResults(stdout: string): string {
  return stdout.replace(/(?:Please wait\.*\s*)+/g, '').replace(/Finished in \d+ milliseconds/, 'Finished');
}

describe('the libraries’ own test suites pass identically under the agent', () => {
  it('memoizee 0.4.17: its 1,569 checks (tad)', () => {
    const tad = join(ROOT, 'node_modules', 'tad', 'bin', 'tad.js');
    const file = join(app, 'memoizee-report.json');
    rmSync(file, { force: true });
    const plain = run(memoizeeDir, [tad], {});
    const agent = run(memoizeeDir, ['-r', AGENT, tad], { LEAK_AGENT_REPORT_FILE: file });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/1569 Ok \[100\.00%\]/);
    expect(tadResults(agent.stdout)).toEqual(tadResults(plain.stdout));
    expect(agent.status).toBe(plain.status);
    expect(agent.stderr).not.toMatch(/internal error/);
    // The suite's caches were instrumented: the exit report judged what was left of them.
    expect(readReport(file).summary.caches + readReport(file).summary.garbageCaches).toBeGreaterThan(0);
  }, 600_000);

  it('lodash 4.18.1: its 6,831 assertions (QUnit), the stand-in built-ins test included', () => {
    const plain = run(lodashDir, ['test/test.js'], {});
    const agent = run(lodashDir, ['-r', AGENT, 'test/test.js'], { LEAK_AGENT_ON_EXIT: '0', DEBUG: 'leak-agent:hooks' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/PASS: 6831 {2}FAIL: 0 {2}TOTAL: 6831/);
    expect(qunitResults(agent.stdout)).toBe(qunitResults(plain.stdout));
    expect(agent.status).toBe(plain.status);
    expect(agent.stderr).not.toMatch(/internal error/);
    expect(agent.stderr).toMatch(/patched lodash@4\.18\.1/);
  }, 600_000);
});
