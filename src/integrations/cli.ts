// The `leak-agent` command.
//   leak-agent run [--json FILE] [--exit-code N] -- node app.js …   run a command with the agent preloaded
//   leak-agent report [--json] [--signal SIG] [--timeout S] PID       ask a running process for its report
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../report/build';
import { formatText, shouldColor } from '../report/text';
import { ensureHandoffDir, requestPath, resultPath } from './handoff';

const AGENT_ENTRY = resolve(__dirname, '..', '..', 'agent', 'index.cjs');

const HELP = `Usage: leak-agent <command> [options]

Finds caches (lodash memoize, memoizee, lru-cache) that keep otherwise-dead objects alive.

Commands:
  run [options] -- <command> [args...]   run a command with the agent preloaded (through NODE_OPTIONS)
  report [options] <pid>                 trigger a report in a running process and show it

Run "leak-agent <command> --help" for a command's options.
`;

const RUN_HELP = `Usage: leak-agent run [--json FILE] [--exit-code N] -- <command> [args...]

Runs <command> with NODE_OPTIONS="-r leak-agent" (child processes and worker threads inherit it). The report is
printed on stderr when the process exits; the command's exit code (or signal) is passed through.

Options:
  --json FILE      also write the JSON report to FILE (%p is replaced by the pid)
  --exit-code N    exit with N (1-125) when leaks are found and the command would have exited 0
  -h, --help       show this help

Example:
  leak-agent run --json report-%p.json -- node server.js
`;

const REPORT_HELP = `Usage: leak-agent report [--json] [--signal SIG] [--timeout SECONDS] <pid>

Sends the report signal to <pid> (a process running with the agent) and prints the report it produces.

Options:
  --json             print the JSON report instead of the text report
  --signal SIG       the signal the process listens on (default: $LEAK_AGENT_SIGNAL or SIGUSR2)
  --timeout SECONDS  how long to wait for the report (default 120)
  -h, --help         show this help
`;

class UsageError extends Error {}

function out(text: string): void {
  process.stdout.write(text);
}

function err(text: string): void {
  process.stderr.write(text);
}

async function runCommand(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const own = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const command = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  const { values } = parseArgs({
    args: own,
    options: { json: { type: 'string' }, 'exit-code': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    out(RUN_HELP);
    return 0;
  }
  if (command.length === 0) throw new UsageError('leak-agent run: missing the command to run after --');
  const env = { ...process.env };
  const preload = `-r ${JSON.stringify(AGENT_ENTRY)}`;
  env.NODE_OPTIONS = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload;
  if (values.json) env.LEAK_AGENT_REPORT_FILE = resolve(values.json);
  if (values['exit-code'] !== undefined) env.LEAK_AGENT_EXIT_CODE = values['exit-code'];
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  // The terminal's Ctrl-C reaches the child directly; the wrapper waits for it to decide.
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolveExit) => {
    child.on('error', (e) => {
      err(`leak-agent run: cannot start ${command[0]}: ${e.message}\n`);
      resolveExit(127);
    });
    child.on('exit', (code, signal) => {
      process.removeListener('SIGINT', ignore);
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
        return;
      }
      resolveExit(code ?? 1);
    });
  });
}

async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      signal: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !/^[0-9]+$/.test(positionals[0]!)) {
    throw new UsageError('leak-agent report: expected exactly one process id');
  }
  const pid = Number(positionals[0]);
  const signal = (values.signal ?? process.env.LEAK_AGENT_SIGNAL ?? 'SIGUSR2').toUpperCase();
  const timeoutMs = Number(values.timeout ?? 120) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('leak-agent report: --timeout must be a positive number of seconds');
  ensureHandoffDir();
  const result = resultPath(pid);
  if (existsSync(result)) unlinkSync(result);
  writeFileSync(requestPath(pid), `${process.pid}\n`, { mode: 0o600 });
  try {
    process.kill(pid, signal as NodeJS.Signals);
  } catch (e) {
    unlinkSync(requestPath(pid));
    err(`leak-agent report: cannot signal process ${pid}: ${(e as Error).message}\n`);
    return 1;
  }
  const started = Date.now();
  let announced = false;
  while (!existsSync(result)) {
    if (Date.now() - started > timeoutMs) {
      try {
        unlinkSync(requestPath(pid));
      } catch {
        // already taken
      }
      err(`leak-agent report: process ${pid} did not answer within ${timeoutMs / 1000} s (is it running with the agent, listening on ${signal}?)\n`);
      return 1;
    }
    if (!announced && Date.now() - started > 1000 && process.stderr.isTTY) {
      err(`leak-agent report: waiting for process ${pid}…\n`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const json = readFileSync(result, 'utf8');
  unlinkSync(result);
  if (values.json) {
    out(json);
  } else {
    const text = formatText(JSON.parse(json) as Report, { color: shouldColor(process.stdout) });
    out(text || `leak-agent: process ${pid} has no cache holding object keys\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`leak-agent: unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(e as Error).message}\n\n${command === 'run' ? RUN_HELP : command === 'report' ? REPORT_HELP : HELP}`);
      return 2;
    }
    err(`leak-agent: ${(e as Error).message}\n`);
    return 1;
  }
}


