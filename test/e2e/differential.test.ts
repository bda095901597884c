// Behaviour preserved: the same scripted operations, with and without the agent, print byte-identical transcripts
// (every return value, thrown error, iteration order, size, TTL expiry, dispose/onInsert call, `this`, name, length
// and property descriptor; hostile keys included) and exit the same way. A third run reports mid-way through the API
// (gc engine): it may drop entries only the cache holds, and the fixtures look only at keys they still hold.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { FIXTURES, LRU_VERSIONS, allLibsApp, cleanEnv, lruApp, makeApp, type RunResult } from '../helpers/apps';

function placeFixtures(app: string): void {
  cpSync(join(FIXTURES, 'differential'), join(app, 'differential'), { recursive: true });
}

function run(app: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: app, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** stderr without pids, the fixtures' own `diff:` lines and the agent's exit report (which comes last). */
function appStderr(stderr: string): string {
  const lines = stderr.replace(/\(node:\d+\)/g, '(node:PID)').split('\n').filter((l) => !l.startsWith('diff: '));
  const report = lines.findIndex((l) => l.startsWith('leak-agent: '));
  return (report < 0 ? lines : lines.slice(0, report)).join('\n').trimEnd();
}

interface Case {
  label: string;
  app: () => string;
  script: string;
  env?: Record<string, string>;
  preload: '-r' | '--import';
  /** Node flags for all three runs. */
  flags?: string[];
}

const cases: Case[] = [
  ...LRU_VERSIONS.map((alias): Case => ({ label: `lru-cache (${alias})`, app: () => lruApp(alias), script: 'lru.cjs', preload: '-r' })),
  ...LRU_VERSIONS.map((alias): Case => ({ label: `lru-cache (${alias}, import)`, app: () => lruApp(alias), script: 'lru.mjs', preload: '--import' })),
  { label: 'lru-cache 11 (require, --import)', app: () => lruApp('lru11'), script: 'lru.cjs', preload: '--import' },
  { label: 'lodash', app: allLibsApp, script: 'lodash.cjs', env: { LIB: 'lodash' }, preload: '-r' },
  // lodash's memoize is a sloppy-mode function, so its wrapper is too: compiled without eval or new Function.
  { label: 'lodash (--disallow-code-generation-from-strings)', app: allLibsApp, script: 'lodash.cjs', env: { LIB: 'lodash' }, preload: '-r', flags: ['--disallow-code-generation-from-strings'] },
  { label: 'lodash 4.18', app: () => makeApp('lodash418', { lodash: 'lodash-418' }), script: 'lodash.cjs', env: { LIB: 'lodash' }, preload: '-r' },
  { label: 'lodash/memoize', app: allLibsApp, script: 'lodash.cjs', env: { LIB: 'lodash/memoize' }, preload: '-r' },
  { label: 'lodash.memoize', app: allLibsApp, script: 'lodash.cjs', env: { LIB: 'lodash.memoize' }, preload: '-r' },
  { label: 'lodash-es', app: allLibsApp, script: 'lodash-es.mjs', preload: '--import' },
  { label: 'memoizee', app: allLibsApp, script: 'memoizee.cjs', preload: '-r' },
  { label: 'memoizee 0.4.14', app: () => makeApp('memoizee0414', { memoizee: 'memoizee-0414' }), script: 'memoizee.cjs', preload: '-r' },
];

describe('the agent changes no observable behaviour', () => {
  it.each(cases)('$label', async ({ app: appOf, script, env = {}, preload, flags = [] }) => {
    const app = appOf();
    placeFixtures(app);
    const file = join('differential', script);
    const [plain, agent, reporting] = await Promise.all([
      run(app, [...flags, file], env),
      run(app, [...flags, preload, 'leak-agent', file], env),
      run(app, [...flags, preload, 'leak-agent', file], { ...env, DIFF_REPORT: '1', LEAK_AGENT_VERIFY: 'gc' }),
    ]);
    // The libraries' own warnings (lru-cache's UnboundedCacheWarning) are part of the behaviour too.
    expect(plain.stderr).not.toMatch(/Error|unexpected/);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('["end"]');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(plain.status);
    expect(reporting.stdout).toBe(plain.stdout);
    expect(reporting.status).toBe(plain.status);
    for (const r of [agent, reporting]) {
      expect(r.stderr).not.toMatch(/internal error/i);
      expect(appStderr(r.stderr)).toBe(appStderr(plain.stderr));
    }
  });
});

it('the fixtures can see a difference (a changed result is caught)', async () => {
  const app = lruApp('lru11');
  placeFixtures(app);
  const file = join('differential', 'lru.cjs');
  // The same script, told to misbehave in one run only: the comparison above would fail on it.
  const [plain, changed] = await Promise.all([run(app, [file]), run(app, ['-r', 'leak-agent', file], { DIFF_EXTRA: '1' })]);
  expect(changed.stdout).not.toBe(plain.stdout);
});
