// The leak-agent command, against real processes and real signals: run (exit code and signal passed through, every
// signal forwarded, options checked), report PID (only a process that catches the signal and runs the agent is
// signalled; the handoff is private, survives a squatted /tmp, sudo, a differing TMPDIR and another mount namespace;
// concurrent calls and interruptions), --help and --version everywhere.
// Tests that need a second user (setpriv with numeric uids, no account is created) or a mount namespace need root
// and are skipped otherwise.
import { type ChildProcess, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, makeApp, placeScript, readReport, startCommand, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const CLI = join(ROOT, 'agent', 'cli.cjs');
const app = makeApp('triggers', { 'lru-cache': 'lru10' });
placeScript(app, 'triggers.cjs');
placeScript(app, 'cli-targets.cjs');

const isRoot = process.getuid?.() === 0;
const linux = process.platform === 'linux';
const hasTool = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
// Two users for the tests that need them: numeric ids, so nothing is added to the system's accounts.
const USER_A = 4242;
const USER_B = 4243;
const asUser = (uid: number, command: string[]): string[] => ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...command];
const twoUsers = isRoot && linux && hasTool('setpriv');

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: app, env: cleanEnv(env), encoding: 'utf8', timeout: 60_000 });
}

/** Start any command in the test app (detached: its own session, so no terminal's foreground group). */
const start = (command: string[], env: Record<string, string | undefined> = {}, detached = false) => startCommand(app, command, env, { detached });

const cliAsync = (args: string[], env: Record<string, string | undefined> = {}) => start([process.execPath, CLI, ...args], env);

async function until(ready: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A private temporary base directory, sticky and world-writable like /tmp, so a second user can squat in it. */
function sharedTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leak-agent-cli-'));
  made.push(dir);
  chmodSync(dir, 0o1777);
  return dir;
}

const stderrLines = (r: { stderr: string }): string[] => r.stderr.split('\n').filter(Boolean);

describe('leak-agent --help, --version, usage errors', () => {
  it.each([[['--help']], [['run', '--help']], [['report', '--help']]])('%j prints usage and exits 0', (args) => {
    const r = cli(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: leak-agent/);
  });

  it.each([['--version'], ['-v']])('%s prints the version', (flag) => {
    const r = cli([flag]);
    expect(r.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`leak-agent ${version}\n`);
  });

  it.each([
    [['frobnicate'], /^leak-agent: unknown command "frobnicate": expected run or report/],
    [['report', '--nope', '1'], /^leak-agent report: unknown option --nope$/],
    [['report', '--timeout', 'soon', '123'], /^leak-agent report: --timeout "soon": expected a positive number of seconds$/],
    [['report', '--timeout', '0', '123'], /^leak-agent report: --timeout "0": expected a positive number of seconds$/],
    [['report', '--signal', 'SIGKILL', '123'], /^leak-agent report: --signal "SIGKILL": SIGKILL cannot be caught; expected SIGUSR2/],
    [['report', '--signal', 'SIGTERM', '123'], /^leak-agent report: --signal "SIGTERM": SIGTERM is sent to stop a process.*; expected SIGUSR2/],
    [['report', '--signal', 'SIGUSR1', '123'], /^leak-agent report: --signal "SIGUSR1": SIGUSR1 is reserved by Node\.js for the inspector/],
    [['report', '--signal', '12', '123'], /^leak-agent report: --signal "12": signal numbers differ between platforms/],
    [['report', '0'], /^leak-agent report: 0 means the whole process group of this command: refused/],
    [['report', '1'], /^leak-agent report: 1 is the init process: refused/],
    [['report', '-5'], /^leak-agent report: -5 means a process group: refused/],
    [['report', '--', '-5'], /^leak-agent report: -5 means a process group: refused/],
    [['report', 'abc'], /^leak-agent report: "abc" is not a process id: expected one number greater than 1$/],
    [['report'], /^leak-agent report: expected exactly one process id$/],
    [['run', '--exit-code', 'abc', '--', 'node', '-e', '0'], /^leak-agent run: --exit-code "abc": expected an integer from 1 to 125$/],
    [['run', '--exit-code', '126', '--', 'node', '-e', '0'], /^leak-agent run: --exit-code "126": expected an integer from 1 to 125$/],
    [['run', '--json', '', '--', 'node', '-e', '0'], /^leak-agent run: --json "": expected a file path/],
    [['run', '--json'], /^leak-agent run: --json needs a value$/],
    [['run', '--', ], /^leak-agent run: missing the command to run after --$/],
  ])('%j: one line naming the option and what is accepted, exit 2', async (args, line) => {
    // In a session of its own: were `report 0` ever to signal its process group again, only the CLI would die.
    const r = await start([process.execPath, CLI, ...args], {}, true).ended;
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(line);
    expect(r.stderr).not.toContain('LEAK_AGENT_');
  });
});

describe('leak-agent run', () => {
  it('preloads the agent, writes the JSON report and passes the exit code through', () => {
    const dir = mkdtempSync(join(app, 'cli-run-'));
    made.push(dir);
    const file = join(dir, 'cli-run.json');
    const r = cli(['run', '--json', file, '--', process.execPath, 'triggers.cjs', 'exit3']);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('first 5\n');
    expect(r.stderr).toContain('leak-agent: 1 cache keeps 5 otherwise-dead objects alive');
    expect(r.stderr).toContain(`leak-agent: JSON report written to ${file}`);
    const report = readReport(file);
    assertValidReport(report);
    expect(report.summary.deadKeys).toBe(5);
  });

  it('--exit-code fails a clean run that leaks', () => {
    expect(cli(['run', '--exit-code', '9', '--', process.execPath, 'triggers.cjs', 'natural']).status).toBe(9);
  });

  it('passes a signal death through', () => {
    const r = cli(['run', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)']);
    expect(r.signal).toBe('SIGTERM');
  });

  // In a session of its own: no terminal's foreground group, like a service manager's child.
  const wrapped = (mode: string) => start([process.execPath, CLI, 'run', '--', process.execPath, 'triggers.cjs', mode], {}, true);

  it('SIGUSR2 sent to the wrapper reaches the app as the report signal; both keep running; SIGTERM then ends both alike', async () => {
    const proc = wrapped('serve');
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr');
    const ticks = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${ticks + 2} `));
    expect(alive(proc.child)).toBe(true);
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGTERM');
    expect(end.stderr.match(/leak-agent: 1 cache keeps/g)).toHaveLength(2); // SIGUSR2's report, then SIGTERM's
  });

  it('SIGHUP sent to the wrapper reaches the app, and the wrapper ends as the app did', async () => {
    const proc = wrapped('serve');
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGHUP');
    const end = await proc.ended;
    expect(end.signal).toBe('SIGHUP');
  });

  it("SIGINT sent to the wrapper reaches the app's own handler, and the wrapper exits with the app's code", async () => {
    const proc = wrapped('serve-own-sigint');
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGINT');
    const end = await proc.ended;
    expect(end.stdout).toContain('app handled SIGINT');
    expect(end.status).toBe(42);
  });

  it.skipIf(!linux || !hasTool('script'))('Ctrl-C in a terminal reaches the app once (the terminal sends it to both), not twice', async () => {
    const command = [process.execPath, CLI, 'run', '--', process.execPath, 'cli-targets.cjs', 'count-sigint'].map((a) => JSON.stringify(a)).join(' ');
    // script runs the command through $SHELL -c; `exec`, because a shell left in between (dash) dies of the
    // terminal's SIGINT itself, where a user's interactive shell would just put the command in the foreground.
    const proc = startCommand(app, ['script', '-qefc', `exec ${command}`, '/dev/null'], { SHELL: '/bin/sh' }, { stdin: 'pipe' });
    await proc.waitFor(/ready/);
    proc.child.stdin!.write('\u0003'); // Ctrl-C, typed into the pseudo-terminal
    const end = await proc.ended;
    expect(end.stdout).toContain('SIGINT 1');
    expect(end.stdout).not.toContain('SIGINT 2');
    expect(end.status).toBe(1);
  });
});

describe('leak-agent report PID', () => {
  it('triggers a report in a running process and shows it, as text and as JSON', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve']);
    await proc.waitFor(/tick 1/);
    const pid = String(proc.child.pid);
    const text = await cliAsync(['report', pid]).ended;
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('leak-agent: 1 cache keeps');
    const json = await cliAsync(['report', '--json', '--signal', 'usr2', pid]).ended;
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    assertValidReport(report);
    expect(report.trigger).toBe('signal');
    expect(report.pid).toBe(proc.child.pid);
    proc.child.kill('SIGTERM');
    expect((await proc.ended).signal).toBe('SIGTERM');
  });

  describe.skipIf(!linux)('refuses, in one line, to signal what would die of it or does not run the agent (Linux)', () => {
    it.each([
      ['a plain node server', [process.execPath, '-e', 'setInterval(() => {}, 1000); console.log("ready")'], /does not catch SIGUSR2 and would die of it: not signalled/],
      ['sleep', ['sh', '-c', 'echo ready; exec sleep 100'], /does not catch SIGUSR2 and would die of it: not signalled/],
      ['a node app with its own SIGUSR2 handler', [process.execPath, 'cli-targets.cjs', 'own-usr2'], /catches SIGUSR2 but does not preload leak-agent .*add --force if it starts the agent from its own code/],
    ])('%s: not signalled, still running', async (_label, command, line) => {
      const target = start(command);
      await target.waitFor(/ready/);
      const r = await cliAsync(['report', '--timeout', '5', String(target.child.pid)]).ended;
      expect(r.status).toBe(1);
      expect(stderrLines(r)).toHaveLength(1);
      expect(r.stderr).toMatch(line);
      await new Promise((done) => setTimeout(done, 200));
      expect(alive(target.child)).toBe(true);
      expect(target.output().stdout).not.toContain('app got SIGUSR2');
      target.child.kill('SIGTERM');
      expect((await target.ended).signal).toBe('SIGTERM');
    });

    it('a process that starts the agent from its own code: refused, then answered with --force', async () => {
      const target = start([process.execPath, 'cli-targets.cjs', 'agent-in-code']);
      await target.waitFor(/ready/);
      const refused = await cliAsync(['report', String(target.child.pid)]).ended;
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/does not preload leak-agent/);
      const forced = await cliAsync(['report', '--force', String(target.child.pid)]).ended;
      expect(forced.status).toBe(0);
      expect(forced.stdout).toContain('leak-agent: 1 cache keeps 3 otherwise-dead objects alive');
      target.child.kill('SIGTERM');
      await target.ended;
    });

    it('leak-agent run itself: refused, naming the app it runs', async () => {
      const proc = start([process.execPath, CLI, 'run', '--', process.execPath, 'triggers.cjs', 'serve'], {}, true);
      await proc.waitFor(/tick 1/);
      const children = readFileSync(`/proc/${proc.child.pid}/task/${proc.child.pid}/children`, 'utf8').trim();
      const r = await cliAsync(['report', String(proc.child.pid)]).ended;
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`leak-agent report: process ${proc.child.pid} is leak-agent run, not the app: ask the command it runs (leak-agent report ${children})\n`);
      const app = await cliAsync(['report', children]).ended;
      expect(app.status).toBe(0);
      expect(app.stdout).toContain('leak-agent: 1 cache keeps');
      proc.child.kill('SIGTERM');
      expect((await proc.ended).signal).toBe('SIGTERM');
    });

    it("the agent's signal comes from the process: LEAK_AGENT_SIGNAL=stkflt is used, another --signal is refused, off is refused", async () => {
      const moved = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'stkflt' });
      const off = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'off' });
      await moved.waitFor(/tick 1/);
      await off.waitFor(/tick 1/);
      // The CLI's own environment says something else: the target's wins.
      const r = await cliAsync(['report', '--json', String(moved.child.pid)], { LEAK_AGENT_SIGNAL: 'SIGUSR2' }).ended;
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).pid).toBe(moved.child.pid);
      const other = await cliAsync(['report', '--signal', 'SIGUSR2', String(moved.child.pid)]).ended;
      expect(other.status).toBe(1);
      expect(other.stderr).toBe(`leak-agent report: process ${moved.child.pid} takes its report on SIGSTKFLT (its LEAK_AGENT_SIGNAL), not SIGUSR2: not signalled\n`);
      const none = await cliAsync(['report', String(off.child.pid)]).ended;
      expect(none.status).toBe(1);
      expect(none.stderr).toMatch(/runs with LEAK_AGENT_SIGNAL=off: it takes no report signal/);
      for (const p of [moved, off]) {
        expect(alive(p.child)).toBe(true);
        p.child.kill('SIGTERM');
        expect((await p.ended).signal).toBe('SIGTERM');
      }
    });

    it('an agent started with a refused LEAK_AGENT_SIGNAL=SIGHUP listens on SIGUSR2, and the CLI knows it', async () => {
      const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { LEAK_AGENT_SIGNAL: 'SIGHUP' });
      await proc.waitFor(/tick 1/);
      const r = await cliAsync(['report', String(proc.child.pid)]).ended;
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('leak-agent: 1 cache keeps');
      proc.child.kill('SIGTERM');
      expect((await proc.ended).signal).toBe('SIGTERM');
    });
  });

  it('the handoff place comes from the process: a different TMPDIR, with %p in it, still gets the answer; nothing is left', async () => {
    const base = sharedTmp();
    const targetTmp = join(base, 'target-%p');
    const cliTmp = join(base, 'cli');
    mkdirSync(targetTmp);
    mkdirSync(cliTmp);
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { TMPDIR: targetTmp });
    await proc.waitFor(/tick 1/);
    const r = await cliAsync(['report', '--json', String(proc.child.pid)], { TMPDIR: cliTmp }).ended;
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).pid).toBe(proc.child.pid);
    const dir = join(targetTmp, `leak-agent-${process.getuid?.()}`);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(cliTmp)).toEqual([]);
    proc.child.kill('SIGTERM');
    await proc.ended;
  });

  it('an app busy with its own API reports still answers: the signal is reported after the report in flight, not lost', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'cli-targets.cjs', 'api-loop'], { TMPDIR: sharedTmp(), LEAK_AGENT_VERIFY: 'snapshot' });
    await proc.waitFor(/api reports running/);
    const r = await cliAsync(['report', '--json', '--timeout', '60', String(proc.child.pid)]).ended;
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ trigger: 'signal', pid: proc.child.pid });
    proc.child.kill('SIGKILL');
    await proc.ended;
  });

  it("with a runtime directory ($XDG_RUNTIME_DIR), the handoff happens in it, not in the shared temporary directory", async () => {
    const base = sharedTmp();
    const runtime = mkdtempSync(join(base, 'runtime-')); // 0700, like /run/user/<uid>
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { TMPDIR: base, XDG_RUNTIME_DIR: runtime });
    await proc.waitFor(/tick 1/);
    const r = await cliAsync(['report', '--json', String(proc.child.pid)], { XDG_RUNTIME_DIR: undefined }).ended;
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).pid).toBe(proc.child.pid);
    expect(lstatSync(join(runtime, 'leak-agent')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(runtime, 'leak-agent'))).toEqual([]);
    expect(readdirSync(base).filter((n) => n.startsWith('leak-agent-'))).toEqual([]);
    proc.child.kill('SIGTERM');
    await proc.ended;
  });

  it('a process with no cache holding object keys: the same one line as its own signal report', async () => {
    placeScript(app, 'strings-only.cjs', "const c = new (require('lru-cache').LRUCache)({ max: 9 });\nlet n = 0;\nsetInterval(() => { c.set('k' + n, n); console.log('tick ' + ++n); }, 50);\n");
    const proc = startNode(app, ['-r', 'leak-agent', 'strings-only.cjs'], { TMPDIR: sharedTmp() });
    await proc.waitFor(/tick 1/);
    const r = await cliAsync(['report', '--timeout', '60', String(proc.child.pid)]).ended;
    expect(r.status).toBe(0);
    const line = `leak-agent: process ${proc.child.pid} has no cache holding object keys: nothing to judge\n`;
    expect(r.stdout).toBe(line);
    await proc.waitFor(/nothing to judge/, 'stderr');
    expect(proc.output().stderr).toBe(line);
    proc.child.kill('SIGTERM');
    await proc.ended;
  });

  it('four report calls at once on one process: each gets the answer', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { TMPDIR: sharedTmp() });
    await proc.waitFor(/tick 1/);
    const calls = await Promise.all([1, 2, 3, 4].map(() => cliAsync(['report', '--json', '--timeout', '60', String(proc.child.pid)]).ended));
    for (const r of calls) {
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).pid).toBe(proc.child.pid);
    }
    proc.child.kill('SIGTERM');
    await proc.ended;
  });

  it('interrupted (Ctrl-C) while waiting: the request is taken back, so nobody answers it later', async () => {
    const tmp = sharedTmp();
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { TMPDIR: tmp });
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGSTOP'); // the signal stays pending: the CLI waits
    const dir = join(tmp, `leak-agent-${process.getuid?.()}`);
    const waiting = cliAsync(['report', String(proc.child.pid)]);
    await until(() => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.request')), 'the request');
    waiting.child.kill('SIGINT');
    const end = await waiting.ended;
    expect(end.signal).toBe('SIGINT');
    expect(readdirSync(dir)).toEqual([]);
    proc.child.kill('SIGCONT');
    await proc.waitFor(/leak-agent: 1 cache keeps/, 'stderr'); // the signal did arrive: the app reported
    const ticks = (proc.output().stdout.match(/tick/g) ?? []).length;
    await proc.waitFor(new RegExp(`tick ${ticks + 2} `));
    expect(readdirSync(dir)).toEqual([]); // and wrote no answer: nobody asked any more
    proc.child.kill('SIGTERM');
    await proc.ended;
  });

  it('the process ends while the CLI waits: one line, at once', async () => {
    const tmp = sharedTmp();
    const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], { TMPDIR: tmp });
    await proc.waitFor(/tick 1/);
    proc.child.kill('SIGSTOP');
    const dir = join(tmp, `leak-agent-${process.getuid?.()}`);
    const waiting = cliAsync(['report', String(proc.child.pid)]);
    await until(() => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.request')), 'the request');
    proc.child.kill('SIGKILL');
    const end = await waiting.ended;
    expect(end.status).toBe(1);
    expect(end.stderr).toBe(`leak-agent report: process ${proc.child.pid} ended before it answered\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  describe.skipIf(!linux)('the agent answers only genuine requests, in private directories, never through a symlink', () => {
    const uid = process.getuid?.() ?? 0;

    /** Start a target, leave `place` requests, signal it, wait for the control answer; returns what is left. */
    async function judge(env: Record<string, string>, place: (pid: number) => { control: string; decoys: string[] }) {
      const proc = startNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'serve'], env);
      await proc.waitFor(/tick 1/);
      const { control, decoys } = place(proc.child.pid!);
      proc.child.kill('SIGUSR2');
      await until(() => existsSync(control.replace(/\.request$/, '.json')), 'the control answer');
      proc.child.kill('SIGTERM');
      await proc.ended;
      return decoys.map((request) => ({ request, answered: existsSync(request.replace(/\.request$/, '.json')), left: existsSync(request) }));
    }

    const request = (dir: string, pid: number, token: string, caller = process.pid): string => {
      const path = join(dir, `${pid}.${token}.request`);
      writeFileSync(path, `${caller}\n`, { mode: 0o600 });
      return path;
    };

    it('not in a directory open to others, not left before the process started, not for a caller that is gone, not by another user', async () => {
      const base = sharedTmp();
      const runtime = mkdtempSync(join(base, 'runtime-')); // 0700: an XDG_RUNTIME_DIR
      const results = await judge({ TMPDIR: base, XDG_RUNTIME_DIR: runtime }, (pid) => {
        const good = join(runtime, 'leak-agent');
        mkdirSync(good, { mode: 0o700 });
        const loose = join(base, `leak-agent-${uid}`);
        mkdirSync(loose);
        chmodSync(loose, 0o755);
        const stale = request(good, pid, 'bad2');
        const hourAgo = new Date(Date.now() - 3600_000);
        utimesSync(stale, hourAgo, hourAgo);
        const decoys = [request(loose, pid, 'bad1'), stale, request(good, pid, 'bad3', spawnSync(process.execPath, ['-e', '0']).pid!)];
        if (isRoot) {
          const foreign = request(good, pid, 'bad4');
          chownSync(foreign, USER_B, USER_B);
          decoys.push(foreign);
        }
        return { control: request(good, pid, 'c0'), decoys };
      });
      for (const r of results) expect(r, r.request).toMatchObject({ answered: false });
      // The stale one and the one whose caller is gone were taken out of the way; the others never looked at.
      expect(results.map((r) => r.left)).toEqual([true, false, false, ...(isRoot ? [true] : [])]);
    });

    it("the previous CLI's form (<pid>.request in $TMPDIR/leak-agent-<uid>, answered in <pid>.json) still works", async () => {
      const base = sharedTmp();
      const dir = join(base, `leak-agent-${uid}`);
      mkdirSync(dir, { mode: 0o700 });
      const results = await judge({ TMPDIR: base }, (pid) => {
        const legacy = join(dir, `${pid}.request`);
        writeFileSync(legacy, `${process.pid}\n`, { mode: 0o600 });
        return { control: legacy, decoys: [] };
      });
      expect(results).toEqual([]);
    });

    it('a symlink in place of the directory is never followed: the user’s own fallback directory is used', async () => {
      const base = sharedTmp();
      const elsewhere = mkdtempSync(join(base, 'elsewhere-'));
      symlinkSync(elsewhere, join(base, `leak-agent-${uid}`));
      const fallback = join(base, `leak-agent-${uid}-ctl`);
      mkdirSync(fallback, { mode: 0o700 });
      const [result] = await judge({ TMPDIR: base }, (pid) => ({ control: request(fallback, pid, 'c1'), decoys: [request(elsewhere, pid, 'bad5')] }));
      expect(result).toMatchObject({ answered: false, left: true });
    });
  });

  describe.skipIf(!twoUsers)('two users (root; setpriv)', () => {
    const startAs = (uid: number, env: Record<string, string>) =>
      start(asUser(uid, [process.execPath, '-r', 'leak-agent', 'triggers.cjs', 'serve']), { HOME: '/', ...env });

    it('sudo: root asks a user’s process; the directory is the user’s (0700), nothing is left in it', async () => {
      const base = sharedTmp();
      const proc = startAs(USER_A, { TMPDIR: base });
      await proc.waitFor(/tick 1/);
      const r = await cliAsync(['report', '--json', String(proc.child.pid)]).ended;
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).pid).toBe(proc.child.pid);
      const dir = join(base, `leak-agent-${USER_A}`);
      expect(lstatSync(dir)).toMatchObject({ uid: USER_A, mode: expect.any(Number) });
      expect(lstatSync(dir).mode & 0o777).toBe(0o700);
      expect(readdirSync(dir)).toEqual([]);
      proc.child.kill('SIGTERM');
      await proc.ended;
    });

    it.each(['a directory open to all (0777)', 'a symlink to their own directory'])(
      'another user squats the name first with %s: the user and root still get answers, nothing lands in theirs',
      async (how) => {
        const base = sharedTmp();
        const squatted = join(base, `leak-agent-${USER_A}`);
        const theirs = join(base, 'theirs');
        expect(spawnSync(asUser(USER_B, ['mkdir', '-m', '0777', theirs])[0]!, asUser(USER_B, ['mkdir', '-m', '0777', theirs]).slice(1)).status).toBe(0);
        const squat = how.startsWith('a symlink') ? ['ln', '-s', theirs, squatted] : ['mkdir', '-m', '0777', squatted];
        expect(spawnSync('setpriv', asUser(USER_B, squat).slice(1)).status).toBe(0);
        const proc = startAs(USER_A, { TMPDIR: base });
        await proc.waitFor(/tick 1/);
        const asA = await start(asUser(USER_A, [process.execPath, CLI, 'report', '--json', String(proc.child.pid)]), { HOME: '/' }).ended;
        expect(asA.stderr).toBe('');
        expect(JSON.parse(asA.stdout).pid).toBe(proc.child.pid);
        const asRoot = await cliAsync(['report', '--json', String(proc.child.pid)]).ended;
        expect(asRoot.stderr).toBe('');
        expect(JSON.parse(asRoot.stdout).pid).toBe(proc.child.pid);
        expect(readdirSync(theirs)).toEqual([]);
        if (!how.startsWith('a symlink')) expect(readdirSync(squatted)).toEqual([]);
        const fallbacks = readdirSync(base).filter((n) => n.startsWith(`leak-agent-${USER_A}-`));
        expect(fallbacks).toHaveLength(1);
        expect(lstatSync(join(base, fallbacks[0]!))).toMatchObject({ uid: USER_A });
        proc.child.kill('SIGTERM');
        await proc.ended;
      },
    );

    it('another user (not root) is told whose process it is, and nothing is signalled', async () => {
      const proc = startAs(USER_A, { TMPDIR: sharedTmp() });
      await proc.waitFor(/tick 1/);
      const r = await start(asUser(USER_B, [process.execPath, CLI, 'report', String(proc.child.pid)]), { HOME: '/' }).ended;
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`leak-agent report: process ${proc.child.pid} belongs to another user: run leak-agent report as that user, or as root\n`);
      expect(proc.output().stderr).not.toContain('leak-agent:'); // no report: it was not signalled
      expect(alive(proc.child)).toBe(true);
      proc.child.kill('SIGTERM');
      await proc.ended;
    });
  });

  it.skipIf(!isRoot || !linux || !hasTool('unshare'))('a process in another mount namespace (a container sharing the PID namespace) is reached through /proc/PID/root', async () => {
    const privateTmp = mkdtempSync(join(tmpdir(), 'leak-agent-ns-'));
    made.push(privateTmp);
    const proc = start(
      ['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs "$1" && shift && exec "$@"', 'sh', privateTmp, process.execPath, '-r', 'leak-agent', 'triggers.cjs', 'serve'],
      { TMPDIR: privateTmp },
    );
    await proc.waitFor(/tick 1/);
    const r = await cliAsync(['report', '--json', String(proc.child.pid)]).ended;
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).pid).toBe(proc.child.pid);
    expect(readdirSync(privateTmp)).toEqual([]); // our view of that path: the process's tmpfs is not here
    proc.child.kill('SIGTERM');
    await proc.ended;
  });
});
