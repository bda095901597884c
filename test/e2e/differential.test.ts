// Behaviour preserved: the same scripted operations, with and without the agent, print byte-identical transcripts
// (every return value, thrown error, iteration order, size, TTL expiry, dispose/onInsert call, `this`, name, length
// and property descriptor; hostile keys included) and exit the same way. A third run reports mid-way through the API
// (gc engine): it may drop entries only the cache holds, and the fixtures look only at keys they still hold.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { registerHooksUsable } from '../../src/hooks/lines';
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

// Node's warning flags: the agent must not add a warning of its own (module.register() is deprecated on Node 26,
// DEP0205), and the libraries' own warnings must look the same, stack traces included.
const WARNING_FLAGS = ['--throw-deprecation', '--pending-deprecation', '--trace-warnings'];
const flagged: Case[] = WARNING_FLAGS.flatMap((flag): Case[] => [
  { label: `lru-cache 11 ${flag}`, app: () => lruApp('lru11'), script: 'lru.cjs', preload: '-r', flags: [flag] },
  { label: `lru-cache 11 (import) ${flag}`, app: () => lruApp('lru11'), script: 'lru.mjs', preload: '--import', flags: [flag] },
  { label: `lru-cache 7 (import, under -r) ${flag}`, app: () => lruApp('lru7'), script: 'lru.mjs', preload: '-r', flags: [flag] },
  { label: `lru-cache 5 ${flag}`, app: () => lruApp('lru5'), script: 'lru.cjs', preload: '-r', flags: [flag] },
  { label: `lodash ${flag}`, app: allLibsApp, script: 'lodash.cjs', env: { LIB: 'lodash' }, preload: '-r', flags: [flag] },
  { label: `lodash-es (under -r) ${flag}`, app: allLibsApp, script: 'lodash-es.mjs', preload: '-r', flags: [flag] },
  { label: `memoizee ${flag}`, app: allLibsApp, script: 'memoizee.cjs', preload: '-r', flags: [flag] },
]);

describe(`the agent changes no observable behaviour (Node ${process.versions.node})`, () => {
  it.each([...cases, ...flagged])('$label', async ({ app: appOf, script, env = {}, preload, flags = [] }) => {
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

const SYNC_HOOKS = registerHooksUsable();

describe(`NODE_OPTIONS across a parent and its children (Node ${process.versions.node})`, () => {
  // A parent that forks a child, spawns `node -e`, and starts a CommonJS and an ES module worker; each uses the
  // libraries. With the agent in NODE_OPTIONS every one of them runs it; with the exit report off, stdout, stderr
  // and exit codes must be byte-identical to the same family without the agent.
  const FAMILY = `'use strict';
const { fork, spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const { join } = require('node:path');
const { LRUCache } = require('lru-cache');
const memoize = require('lodash/memoize');
const role = process.argv[2] ?? 'parent';
const c = new LRUCache({ max: 10 });
const m = memoize((o) => typeof o);
class Key {}
for (let i = 0; i < 3; i++) { const k = new Key(); c.set(k, i); m(k); }
process.emitWarning('the app warns once', 'AppWarning');
if (role === 'parent') {
  const child = spawnSync(process.execPath, ['-e', "import('lodash-es/memoize.js').then((x) => console.log('node -e', typeof x.default(String)))"], { encoding: 'utf8' });
  process.stdout.write(child.stdout);
  process.stderr.write(child.stderr.replace(/\\(node:\\d+\\)/g, '(node:PID)'));
  console.log('node -e exit', child.status);
  new Worker(__filename, { argv: ['cjs worker'] }).on('exit', (code) => {
    console.log('cjs worker exit', code);
    new Worker(join(__dirname, 'family-worker.mjs')).on('exit', (code2) => {
      console.log('esm worker exit', code2);
      fork(__filename, ['child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }).on('exit', (code3) => console.log('child exit', code3));
    });
  });
}
console.log(role, c.size, m.cache.size);
`;
  const FAMILY_WORKER = `import { LRUCache } from 'lru-cache';
import memoize from 'lodash-es/memoize.js';
const c = new LRUCache({ max: 10 });
const m = memoize((o) => typeof o);
for (let i = 0; i < 3; i++) { const k = {}; c.set(k, i); m(k); }
console.log('esm worker', c.size, m.cache.size);
`;
  const app = allLibsApp();
  writeFileSync(join(app, 'family.cjs'), FAMILY);
  writeFileSync(join(app, 'family-worker.mjs'), FAMILY_WORKER);
  const flags = WARNING_FLAGS.join(' ');

  // Any --import preload makes Node run a CommonJS entry through its ES module loader (other frames in stacks), so
  // --import leak-agent is compared with --import of an empty module.
  writeFileSync(join(app, 'noop.mjs'), '');
  it.each([
    ['-r leak-agent', ''],
    ['--import leak-agent', '--import ./noop.mjs'],
  ])(`NODE_OPTIONS="%s ${flags}": every process unchanged`, async (preload, baseline) => {
    const quiet = { LEAK_AGENT_ON_EXIT: '0' };
    const [plain, agent] = await Promise.all([
      run(app, ['family.cjs'], { ...quiet, NODE_OPTIONS: `${baseline} ${flags}`.trim() }),
      run(app, ['family.cjs'], { ...quiet, NODE_OPTIONS: `${preload} ${flags}` }),
    ]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('child exit 0');
    expect(plain.stdout).toContain('node -e function');
    // The parent, the CommonJS worker and the forked child print the app's own warning (with its --trace-warnings
    // stack), nothing else.
    expect(plain.stderr.match(/AppWarning: the app warns once/g)).toHaveLength(3);
    // Where Node has no usable registerHooks (Node 20), the agent's Module._compile wrapper (and a worker's
    // Module.runMain watch) are frames under module code, so --trace-warnings stacks differ there (README, Node
    // lines): compare the warnings themselves, not their frames.
    const normalise = (s: string): string =>
      s
        .replace(/\(node:\d+\)/g, '(node:PID)')
        .split('\n')
        .filter((l) => SYNC_HOOKS || !l.startsWith('    at '))
        .join('\n');
    expect(agent.status).toBe(plain.status);
    // Output of concurrent processes interleaves by line at most: compare each stream's lines as sets of lines too.
    expect(normalise(agent.stderr).split('\n').sort()).toEqual(normalise(plain.stderr).split('\n').sort());
    expect(agent.stdout.split('\n').sort()).toEqual(plain.stdout.split('\n').sort());
  });
});
