// The leak-agent command: run (exit code and signal passed through, JSON file), report PID, --help everywhere.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, makeApp, placeScript, readReport, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const CLI = join(ROOT, 'agent', 'cli.cjs');
const app = makeApp('triggers', { 'lru-cache': 'lru10' });
placeScript(app, 'triggers.cjs');

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: app, env: cleanEnv(env), encoding: 'utf8', timeout: 60_000 });
}

describe('leak-agent --help', () => {
  it.each([[['--help']], [['run', '--help']], [['report', '--help']]])('%j prints usage and exits 0', (args) => {
    const r = cli(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: leak-agent/);
  });

  it('an unknown command or a bad option is a usage error (exit 2)', () => {
    expect(cli(['frobnicate']).status).toBe(2);
    const r = cli(['report', '--nope', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: leak-agent report');
  });
});

describe('leak-agent run', () => {
  it('preloads the agent, writes the JSON report and passes the exit code through', () => {
    const file = join(app, 'cli-run.json');
    const r = cli(['run', '--json', file, '--', process.execPath, 'triggers.cjs', 'exit3']);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('first 5\n');
    expect(r.stderr).toContain('leak-agent: 1 cache keeps 5 otherwise-dead objects alive');
    const report = readReport(file);
    assertValidReport(report);
    expect(report.summary.deadKeys).toBe(5);
  });

  it('--exit-code fails a clean run that leaks', () => {
    expect(cli(['run', '--exit-code', '9', '--', process.execPath, 'triggers.cjs', 'natural']).status).toBe(9);
  });

  it('passes a signal death through', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)'], {
      cwd: app,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal).toBe('SIGTERM');
  });
});

describe('leak-agent report PID', () => {
  it('triggers a report in a running process and shows it, as text and as JSON', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve']);
    await proc.waitFor(/tick 1/);
    const pid = String(proc.child.pid);
    const text = await new Promise<ReturnType<typeof spawnSync>>((done) => setImmediate(() => done(cli(['report', pid]))));
    expect(text.status).toBe(0);
    expect(String(text.stdout)).toContain('leak-agent: 1 cache keeps');
    const json = cli(['report', '--json', pid]);
    expect(json.status).toBe(0);
    const report = JSON.parse(String(json.stdout));
    assertValidReport(report);
    expect(report.trigger).toBe('signal');
    expect(report.pid).toBe(proc.child.pid);
    proc.child.kill('SIGTERM');
    expect((await proc.ended).signal).toBe('SIGTERM');
  });

  it('says so when the process does not answer', () => {
    const r = cli(['report', '--timeout', '1', '--signal', 'SIGWINCH', String(process.pid)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('did not answer');
  });
});
