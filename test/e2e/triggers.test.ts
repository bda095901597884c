// Exit, signals and configuration, in real child processes: the report appears where CONTRACT.md says, and the
// app's stdout, exit status and signal death stay exactly what they are without the agent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApp, placeScript, readReport, runNode, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const app = makeApp('triggers', { 'lru-cache': 'lru10' });
placeScript(app, 'triggers.cjs');

const HEADER = /leak-agent: 1 cache keeps \d+ otherwise-dead objects? alive/;

describe('exit report', () => {
  it.each([
    ['natural', 0],
    ['exit3', 3],
    ['throw', 1],
  ])('%s: same stdout and status, report on stderr', (mode, status) => {
    const plain = runNode(app, ['triggers.cjs', mode]);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', mode]);
    expect(plain.status).toBe(status);
    expect(run.status).toBe(status);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr).toMatch(HEADER);
    expect(run.stderr).toContain('5 × Dead dead');
    if (mode === 'throw') expect(run.stderr).toContain('Error: app failure');
  });

  it('counts keys inserted in the very turn that calls process.exit()', () => {
    const file = join(app, 'same-turn.json');
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'same-turn'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.status).toBe(0);
    const report = readReport(file);
    assertValidReport(report);
    expect(report.caches[0]).toMatchObject({ deadKeys: 12, trackedKeys: 14, verified: true });
  });

  it('LEAK_AGENT_EXIT_CODE turns a clean exit with leaks into that code, and leaves other codes alone', () => {
    expect(runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_EXIT_CODE: '7' }).status).toBe(7);
    expect(runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'exit3'], { LEAK_AGENT_EXIT_CODE: '7' }).status).toBe(3);
  });

  it('LEAK_AGENT_ON_EXIT=0 prints nothing', () => {
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_ON_EXIT: '0' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('both -r and --import: one agent, one report', () => {
    const run = runNode(app, ['-r', 'leak-agent', '--import', 'leak-agent', 'triggers.cjs', 'natural']);
    expect(run.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(1);
  });
});

describe('configuration', () => {
  it.each([
    ['LEAK_AGENT_SIGNAL', 'SIGNOPE'],
    ['LEAK_AGENT_ON_EXIT', 'maybe'],
    ['LEAK_AGENT_VERIFY', 'fast'],
    ['LEAK_AGENT_EXIT_CODE', '300'],
  ])('%s=%s: one clear stderr line, default kept, app unaffected', (variable, value) => {
    const plain = runNode(app, ['triggers.cjs', 'natural']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { [variable]: value });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    const lines = run.stderr.split('\n').filter((l) => l.includes(variable));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(JSON.stringify(value));
    expect(lines[0]).toMatch(/expected .+; using the default/);
    expect(run.stderr).toMatch(HEADER); // the default (report at exit) still applies
  });

  it('DEBUG=leak-agent* explains what was patched', () => {
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { DEBUG: 'leak-agent*' });
    expect(run.stderr).toMatch(/leak-agent:hooks patched lru-cache 10\.\d+\.\d+ class/);
  });
});

describe('signals', () => {
  it('SIGUSR2 reports while the app keeps running; SIGTERM then ends it exactly as without the agent', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve']);
    await proc.waitFor(/ready/);
    await proc.waitFor(/tick 2/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    const ticksAtReport = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${ticksAtReport + 2} `));
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    // one report for SIGUSR2, one for SIGTERM
    expect(end.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(2);
    // live keys still hit after the verdict: every tick printed the first held key's value
    expect(end.stdout).not.toMatch(/tick \d+ undefined/);
  });

  it('repeated SIGUSR2 during a report are coalesced and the app keeps serving', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve']);
    await proc.waitFor(/tick 1/);
    for (let i = 0; i < 5; i++) proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    const before = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${before + 2} `));
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    const reports = end.stderr.match(/leak-agent: 1 cache keeps/g) ?? [];
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.length).toBeLessThanOrEqual(6);
  });

  describe('a process with no cache holding object keys', () => {
    placeScript(
      app,
      'no-object-keys.cjs',
      `// No object key anywhere: no cache at all, or (with an argument) an lru-cache of strings, as glob keeps them.
const strings = process.argv[2] === 'strings' ? new (require('lru-cache').LRUCache)({ max: 10 }) : null;
let ticks = 0;
setInterval(() => {
  ticks++;
  if (strings) strings.set('k' + ticks, ticks);
  console.log('tick ' + ticks);
}, 50);
`,
    );

    it.each([[[]], [['strings']]])('SIGUSR2 says so in one line; SIGTERM and exit stay silent (%j)', async (args) => {
      const proc = startNode(app, ['-r', 'leak-agent', 'no-object-keys.cjs', ...args]);
      await proc.waitFor(/tick 2/);
      proc.child.kill('SIGUSR2');
      await proc.waitFor(/nothing to judge/, 'stderr');
      proc.child.kill('SIGTERM');
      const end = await proc.ended;
      expect(end.signal).toBe('SIGTERM');
      expect(end.stderr).toBe(`leak-agent: process ${proc.child.pid} has no cache holding object keys: nothing to judge\n`);
    });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s without an app handler: report, then the same signal death', async (sig) => {
    const plain = startNode(app, ['triggers.cjs', 'serve']);
    await plain.waitFor(/tick 1/);
    plain.child.kill(sig);
    const plainEnd = await plain.ended;
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve']);
    await proc.waitFor(/tick 1/);
    proc.child.kill(sig);
    const end = await proc.ended;
    expect(end.signal).toBe(plainEnd.signal);
    expect(end.status).toBe(plainEnd.status);
    expect(end.stderr).toMatch(HEADER);
  });

  it('SIGINT with the app’s own handler: the app decides, the exit report follows', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve-own-sigint']);
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGINT');
    const end = await proc.ended;
    expect(end.status).toBe(42);
    expect(end.stdout).toContain('app handled SIGINT');
    expect(end.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(1);
  });

  it.skipIf(process.platform !== 'linux')('LEAK_AGENT_SIGNAL=stkflt moves the report to another signal (Linux)', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'stkflt' });
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGSTKFLT');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(end.stderr).not.toContain('LEAK_AGENT_SIGNAL');
  });
});

describe('refused report signals: one line, and the process ends exactly as without the agent', () => {
  async function endBy(sig: NodeJS.Signals, env: Record<string, string>) {
    const proc = startNode(app, [...(env.LEAK_AGENT_SIGNAL === undefined ? [] : ['-r', 'leak-agent']), 'triggers.cjs', 'serve'], env);
    await proc.waitFor(/tick 1/);
    proc.child.kill(sig);
    return proc.ended;
  }

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('LEAK_AGENT_SIGNAL=%s', async (sig) => {
    const plain = await endBy(sig, {});
    const run = await endBy(sig, { LEAK_AGENT_SIGNAL: sig });
    expect(run.signal).toBe(plain.signal);
    expect(run.status).toBe(plain.status);
    expect(run.signal).toBe(sig);
    const lines = run.stderr.split('\n').filter((l) => l.includes('LEAK_AGENT_SIGNAL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`LEAK_AGENT_SIGNAL="${sig}"`);
    expect(lines[0]).toMatch(/sent to stop a process/);
    expect(lines[0]).toMatch(/expected SIGUSR2.*; using the default$/);
  });

  it('the default SIGUSR2 still reports when the value was refused', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'SIGTERM' });
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    // New dead keys for SIGTERM's own report: every tick leaves one.
    const ticks = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${ticks + 2} `));
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(end.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(2); // SIGUSR2, then SIGTERM's own report
  });

  it('SIGUSR1 is refused with the true reason: the inspector', () => {
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_SIGNAL: 'SIGUSR1' });
    expect(run.status).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l.includes('LEAK_AGENT_SIGNAL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SIGUSR1 is reserved by Node\.js for the inspector/);
  });

  it('numbers are refused: LEAK_AGENT_SIGNAL=12', () => {
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_SIGNAL: '12' });
    expect(run.stderr.split('\n').filter((l) => l.includes('LEAK_AGENT_SIGNAL="12"'))).toHaveLength(1);
  });

  it('SIGCHLD with the snapshot engine: refused, so the analysis child ending never triggers another report', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'SIGCHLD', LEAK_AGENT_VERIFY: 'snapshot' });
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    // Long enough for a second snapshot report, had the analysis child's SIGCHLD started one.
    const ticks = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${ticks + 20} `));
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(end.stderr.split('\n').filter((l) => l.includes('LEAK_AGENT_SIGNAL="SIGCHLD"'))).toHaveLength(1);
    expect(end.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(2); // SIGUSR2, then SIGTERM
  });
});
