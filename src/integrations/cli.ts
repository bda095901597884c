// The `leak-agent` command.
//   leak-agent run [--json FILE] [--exit-code N] -- node app.js …   run a command with the agent preloaded
//   leak-agent report [--json] [--signal SIG] [--timeout S] [--force] PID   ask a running process for its report
// Every refusal and every bad option is one line on stderr; usage errors exit 2, refusals and failures 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODE_ACCEPTED, exitCodeFrom } from '../config';
import { isRunning, procStat } from '../pid';
import type { Report } from '../report/build';
import { formatText, nothingToJudgeLine, printable, shouldColor } from '../report/text';
import { removeQuietly } from '../report/write-file';
import { DEFAULT_REPORT_SIGNAL, acceptedReportSignalsText, parseReportSignal, signalNumber } from '../signal-name';
import { type HandoffEnv, type PlacedRequest, handoffEnv, placeRequest } from './handoff';
import { type Target, catches, inspectTarget, preloadsLeakAgent, processState, wrappedChildren } from './target';

const PACKAGE_ROOT = resolve(__dirname, '..', '..');
const AGENT_ENTRY = resolve(PACKAGE_ROOT, 'agent', 'index.cjs');

const HELP = `Usage: leak-agent <command> [options]

Finds caches (lodash memoize, memoizee, lru-cache) that keep otherwise-dead objects alive.

Commands:
  run [options] -- <command> [args...]   run a command with the agent preloaded (through NODE_OPTIONS)
  report [options] <pid>                 ask a running process that runs the agent for its report, and show it

Options:
  -h, --help       show this help ("leak-agent <command> --help" for a command's options)
  -v, --version    show the version
`;

const RUN_HELP = `Usage: leak-agent run [--json FILE] [--exit-code N] -- <command> [args...]

Runs <command> with NODE_OPTIONS="-r leak-agent" (child processes and worker threads inherit it). The report is
printed on stderr when the process exits; leak-agent run ends as the command ends (same exit code, or same signal).

Signals sent to leak-agent run (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, the report signal SIGUSR2) are passed on
to the command. In the foreground of a terminal, the terminal itself sends Ctrl-C (SIGINT), Ctrl-\\ (SIGQUIT) and
hang-ups (SIGHUP) to both, so leak-agent run does not send those a second time.

Options:
  --json FILE      also write the JSON report to FILE (%p: pid, %t: thread id, %n: report number; a second report of
                   one process goes to FILE.2.json and so on, and a file that is not a leak-agent report is never
                   replaced)
  --exit-code N    exit with N (1-125) when leaks are found and the command would have exited 0
  -h, --help       show this help

Example:
  leak-agent run --json report-%p.json -- node server.js
`;

const REPORT_HELP = `Usage: leak-agent report [--json] [--signal SIG] [--timeout SECONDS] [--force] <pid>

Sends the report signal to <pid> and prints the report the process produces. Before signalling, on Linux, it checks
in /proc that the process catches that signal (so it cannot die of it) and that it preloads leak-agent (-r or
--import leak-agent on its command line or in NODE_OPTIONS); it reads the signal and the place to leave its request
from the process's own environment, so a different TMPDIR, sudo and containers sharing the PID namespace work.
Process groups (0, negative ids), pid 1, and signals other than a report signal are refused.

Options:
  --json             print the JSON report instead of the text report
  --signal SIG       the process's report signal (default: its LEAK_AGENT_SIGNAL, else SIGUSR2);
                     accepted: ${acceptedReportSignalsText()}
  --timeout SECONDS  how long to wait for the report (default 120)
  --force            signal a process that starts the agent from its own code (no preload to see), or, where there is
                     no /proc, a process that cannot be checked; a process that does not catch the signal is never
                     signalled on Linux
  -h, --help         show this help
`;

/** A usage error: one line on stderr, exit 2. */
class UsageError extends Error {}
/** A refusal or failure: one line on stderr, exit 1. */
class Refusal extends Error {}

function out(text: string): void {
  process.stdout.write(text);
}

function err(text: string): void {
  process.stderr.write(text);
}

function version(): string {
  return (JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** node:util parseArgs errors, as one line naming the option. */
function parse<R>(command: string, run: () => R): R {
  try {
    return run();
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const option = /'(-[^' ]*)/.exec((e as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`leak-agent ${command}: unknown option ${printable(option ?? '')}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`leak-agent ${command}: ${printable(option ?? 'an option')} needs a value`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`leak-agent ${command}: unexpected argument ${printable(String(/'([^']*)'/.exec((e as Error).message)?.[1]))}`);
    throw e;
  }
}

// -----------------------------------------------------------------------------------------------------------------
// run

// Signals leak-agent run passes on; the report signal is added from LEAK_AGENT_SIGNAL.
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
// Signals a terminal sends to its whole foreground process group, the command included.
const FROM_TERMINAL = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT', 'SIGHUP']);

/**
 * Whether this process is in the foreground process group of its controlling terminal: then Ctrl-C and friends
 * reach the command directly (it shares our process group) and must not be sent twice.
 */
function inTerminalForeground(): boolean {
  // state ppid pgrp session tty_nr tpgid: a terminal (tty_nr), and its foreground group (tpgid) is ours (pgrp).
  const fields = process.platform === 'linux' ? procStat('self') : null;
  if (fields !== null) return Number(fields[4]) !== 0 && fields[5] === fields[2];
  return process.stdin.isTTY === true || process.stderr.isTTY === true;
}

async function runCommand(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const own = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const command = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  const { values } = parse('run', () =>
    parseArgs({
      args: own,
      options: { json: { type: 'string' }, 'exit-code': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }),
  );
  if (values.help) {
    out(RUN_HELP);
    return 0;
  }
  if (values.json !== undefined && values.json === '') {
    throw new UsageError('leak-agent run: --json "": expected a file path (%p: pid, %t: thread id, %n: report number)');
  }
  const exitCode = values['exit-code'];
  if (exitCode !== undefined && exitCodeFrom(exitCode) === null) {
    throw new UsageError(`leak-agent run: --exit-code ${JSON.stringify(exitCode)}: expected ${EXIT_CODE_ACCEPTED}`);
  }
  if (command.length === 0) throw new UsageError('leak-agent run: missing the command to run after --');
  const env = { ...process.env };
  const preload = `-r ${JSON.stringify(AGENT_ENTRY)}`;
  env.NODE_OPTIONS = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload;
  if (values.json !== undefined) env.LEAK_AGENT_REPORT_FILE = resolve(values.json);
  if (exitCode !== undefined) env.LEAK_AGENT_EXIT_CODE = exitCode;
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  const forwarders = forwardSignals(child);
  return new Promise((resolveExit) => {
    child.on('error', (e) => {
      forwarders.remove();
      err(`leak-agent run: cannot start ${printable(command[0]!)}: ${e.message}\n`);
      resolveExit(127);
    });
    child.on('exit', (code, signal) => {
      forwarders.remove();
      if (signal === null) {
        resolveExit(code ?? 1);
        return;
      }
      // End by the same signal. Should it not end this process (a signal Node handles itself, like SIGUSR1),
      // the shell's convention for a signal death is the next best thing.
      process.kill(process.pid, signal);
      setTimeout(() => resolveExit(128 + (osConstants.signals[signal] ?? 0)), 500);
    });
  });
}

function forwardSignals(child: ChildProcess): { remove(): void } {
  const signals = new Set(FORWARDED);
  const configured = process.env.LEAK_AGENT_SIGNAL ? parseReportSignal(process.env.LEAK_AGENT_SIGNAL) : null;
  if (configured?.ok) signals.add(configured.signal);
  const listeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const forward = (): void => {
      if (FROM_TERMINAL.has(signal) && inTerminalForeground()) return; // the terminal sent it to the command too
      try {
        child.kill(signal);
      } catch {
        // the command has just ended: its exit decides
      }
    };
    listeners.set(signal, forward);
    process.on(signal, forward);
  }
  return {
    remove() {
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
    },
  };
}

// -----------------------------------------------------------------------------------------------------------------
// report

function parsePid(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`leak-agent report: ${JSON.stringify(printable(text))} is not a process id: expected one number greater than 1`);
  const pid = Number(text);
  if (pid === 0) throw new UsageError('leak-agent report: 0 means the whole process group of this command: refused (give one process id)');
  if (pid === 1) throw new UsageError('leak-agent report: 1 is the init process: refused');
  if (!Number.isSafeInteger(pid) || pid > 0x3fffffff) throw new UsageError(`leak-agent report: ${text} is not a process id`);
  return pid;
}

/** Still running: on Linux an ended process waiting for its parent (a zombie) counts as gone, as it is. */
function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const state = processState(pid);
    return state !== null && state !== 'Z';
  }
  return isRunning(pid);
}

interface Aim {
  signal: NodeJS.Signals;
  env: HandoffEnv;
  user: { uid: number; gid: number };
  root: string;
}

/** Decide whether and how `pid` may be asked; a Refusal says why not. */
function aim(pid: number, requested: NodeJS.Signals | undefined, force: boolean): Aim {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw new Refusal(`leak-agent report: no process ${pid}`);
    throw new Refusal(`leak-agent report: process ${pid} belongs to another user: run leak-agent report as that user, or as root`);
  }
  const ownUser = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
  const target = process.platform === 'linux' ? inspectTarget(pid) : null;
  if (target === null) {
    if (process.platform === 'linux') throw new Refusal(`leak-agent report: no process ${pid} in /proc`);
    if (!force) {
      throw new Refusal(`leak-agent report: cannot check process ${pid} on ${process.platform} (no /proc), so it was not signalled: add --force to signal it anyway`);
    }
    const own = process.env.LEAK_AGENT_SIGNAL ? parseReportSignal(process.env.LEAK_AGENT_SIGNAL) : null;
    const signal = requested ?? (own?.ok ? own.signal : DEFAULT_REPORT_SIGNAL);
    return { signal, env: handoffEnv(process.env), user: ownUser, root: '' };
  }
  return aimLinux(target, requested, force);
}

function aimLinux(target: Target, requested: NodeJS.Signals | undefined, force: boolean): Aim {
  const { pid } = target;
  if (target.state === 'Z') throw new Refusal(`leak-agent report: process ${pid} has exited`);
  const children = wrappedChildren(target);
  if (children !== null) {
    const ask = children.length > 0 ? `: ask the command it runs (leak-agent report ${children.join(', ')})` : '';
    throw new Refusal(`leak-agent report: process ${pid} is leak-agent run, not the app${ask}`);
  }
  // The agent's own signal, as it read it at start-up.
  let agentSignal: NodeJS.Signals | null = null;
  let why = 'the default';
  if (target.env !== null) {
    const configured = target.env.LEAK_AGENT_SIGNAL;
    if (configured !== undefined && configured.trim().toLowerCase() === 'off') {
      throw new Refusal(`leak-agent report: process ${pid} runs with LEAK_AGENT_SIGNAL=off: it takes no report signal`);
    }
    const parsed = configured ? parseReportSignal(configured) : null;
    // A refused value makes the agent use the default, as here.
    agentSignal = parsed?.ok ? parsed.signal : DEFAULT_REPORT_SIGNAL;
    if (parsed?.ok) why = 'its LEAK_AGENT_SIGNAL';
  }
  if (requested !== undefined && agentSignal !== null && requested !== agentSignal && !force) {
    throw new Refusal(`leak-agent report: process ${pid} takes its report on ${agentSignal} (${why}), not ${requested}: not signalled`);
  }
  const signal = requested ?? agentSignal ?? DEFAULT_REPORT_SIGNAL;
  if (!catches(target, signalNumber(signal))) {
    throw new Refusal(`leak-agent report: process ${pid} does not catch ${signal} and would die of it: not signalled (is it running with leak-agent?)`);
  }
  if (!force && !preloadsLeakAgent(target)) {
    const unreadable = target.env === null ? ' (its environment is not readable)' : '';
    throw new Refusal(
      `leak-agent report: process ${pid} catches ${signal} but does not preload leak-agent (no -r or --import leak-agent on its command line or in NODE_OPTIONS${unreadable}): not signalled; add --force if it starts the agent from its own code`,
    );
  }
  return {
    signal,
    env: target.env === null ? handoffEnv(process.env) : handoffEnv(target.env),
    user: { uid: target.uid, gid: target.gid },
    root: target.root,
  };
}

async function reportCommand(argv: string[]): Promise<number> {
  const group = argv.find((a) => /^-[0-9]+$/.test(a));
  if (group !== undefined) throw new UsageError(`leak-agent report: ${group} means a process group: refused (give one process id)`);
  const { values, positionals } = parse('report', () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        signal: { type: 'string' },
        timeout: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }),
  );
  if (values.help) {
    out(REPORT_HELP);
    return 0;
  }
  let requested: NodeJS.Signals | undefined;
  if (values.signal !== undefined) {
    const parsed = parseReportSignal(values.signal);
    if (!parsed.ok) {
      throw new UsageError(`leak-agent report: --signal ${JSON.stringify(printable(values.signal))}: ${parsed.reason}; expected ${acceptedReportSignalsText()}`);
    }
    requested = parsed.signal;
  }
  const timeoutText = values.timeout ?? '120';
  const timeoutMs = /^[0-9]+(\.[0-9]+)?$/.test(timeoutText) ? Number(timeoutText) * 1000 : NaN;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new UsageError(`leak-agent report: --timeout ${JSON.stringify(printable(timeoutText))}: expected a positive number of seconds`);
  }
  if (positionals.length !== 1) throw new UsageError('leak-agent report: expected exactly one process id');
  const pid = parsePid(positionals[0]!);

  const { signal, env, user, root } = aim(pid, requested, values.force === true);
  // Interrupted while waiting: take the request back, so no later process with this pid answers it, then end as
  // the interruption asks. Listening before the request is placed: a Ctrl-C that arrives right after it (the
  // handlers run once this synchronous stretch ends) still finds it and takes it back.
  let placed: PlacedRequest | null = null;
  const cleanup = (): void => {
    if (placed === null) return;
    removeQuietly(placed.request);
    removeQuietly(placed.answer);
  };
  const interrupts = new Map<NodeJS.Signals, () => void>();
  const stopListening = (): void => {
    for (const [s, l] of interrupts) process.removeListener(s, l);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onInterrupt = (): void => {
      cleanup();
      stopListening();
      process.kill(process.pid, sig);
    };
    interrupts.set(sig, onInterrupt);
    process.on(sig, onInterrupt);
  }
  try {
    placed = placeRequest(pid, env, user, root);
  } catch (e) {
    stopListening();
    throw new Refusal(`leak-agent report: cannot leave a request for process ${pid}: ${(e as Error).message}`);
  }
  try {
    try {
      process.kill(pid, signal);
    } catch (e) {
      throw new Refusal(`leak-agent report: cannot signal process ${pid}: ${(e as Error).message}`);
    }
    const json = await waitForAnswer(pid, placed, signal, timeoutMs);
    if (values.json) {
      out(json);
    } else {
      const text = formatText(JSON.parse(json) as Report, { color: shouldColor(process.stdout) });
      out(text || nothingToJudgeLine(pid));
    }
    return 0;
  } finally {
    cleanup();
    stopListening();
  }
}

async function waitForAnswer(pid: number, placed: PlacedRequest, signal: NodeJS.Signals, timeoutMs: number): Promise<string> {
  const started = Date.now();
  let announced = false;
  let takenAt: number | null = null;
  for (;;) {
    if (existsSync(placed.answer)) {
      // Renamed into place complete: read it whole.
      return readFileSync(placed.answer, 'utf8');
    }
    const now = Date.now();
    if (!existsSync(placed.request)) takenAt ??= now;
    if (takenAt !== null && now - takenAt > 5000) {
      throw new Refusal(`leak-agent report: process ${pid} took the request but no answer appeared in ${printable(placed.dir)}`);
    }
    if (now - started > timeoutMs) {
      throw new Refusal(`leak-agent report: process ${pid} did not answer within ${timeoutMs / 1000} s (is it running with leak-agent, listening on ${signal}?)`);
    }
    if (!isAlive(pid)) throw new Refusal(`leak-agent report: process ${pid} ended before it answered`);
    if (!announced && now - started > 1000 && process.stderr.isTTY) {
      err(`leak-agent report: waiting for process ${pid}…\n`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case '-v':
      case '--version':
        out(`leak-agent ${version()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`leak-agent: unknown command ${JSON.stringify(printable(command))}: expected run or report (leak-agent --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return 2;
    }
    err(e instanceof Refusal ? `${e.message}\n` : `leak-agent: ${(e as Error).message}\n`);
    return 1;
  }
}
