// What `leak-agent report PID` can learn about a process before it signals it, from Linux's /proc:
// - /proc/PID/status: its state, its user, and which signals it catches (SigCgt). A process that does not catch the
//   report signal would die of it.
// - /proc/PID/cmdline and NODE_OPTIONS in /proc/PID/environ: whether it preloads leak-agent (-r/--require/--import).
//   That is the agent's mark: it costs the agent nothing (the agent writes nothing at start-up), and the environment
//   is readable only by the process's own user and root, who are also the only ones who may signal it.
// - the environment also gives the agent's LEAK_AGENT_SIGNAL and the directories it will look in for requests.
// - /proc/PID/root: the process's own view of the file system (another container's, when the PID namespace is shared).
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procStat } from '../pid';

export interface Target {
  pid: number;
  /** R, S, D, T (stopped), Z (zombie), … */
  state: string;
  /** Effective user and group: the owner of the files the process creates. */
  uid: number;
  gid: number;
  /** Signals the process catches (bit n-1 for signal n). */
  caught: bigint;
  /** NUL-separated command line; null when unreadable. */
  argv: string[] | null;
  /** The environment the process started with; null when unreadable. */
  env: Record<string, string> | null;
  /** Prefix for paths as the process sees them: '' when it shares our mount namespace, else /proc/PID/root. */
  root: string;
}

function statusField(status: string, field: string): string | null {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Read what /proc says about `pid`; null when it has no such process (or /proc does not show it). */
export function inspectTarget(pid: number): Target | null {
  const status = readOrNull(`/proc/${pid}/status`);
  if (status === null) return null;
  const ids = (field: string): number => Number((statusField(status, field) ?? '').split(/\s+/)[1] ?? NaN);
  const cmdline = readOrNull(`/proc/${pid}/cmdline`);
  const environ = readOrNull(`/proc/${pid}/environ`);
  let env: Record<string, string> | null = null;
  if (environ !== null) {
    env = {};
    for (const entry of environ.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  }
  return {
    pid,
    state: (statusField(status, 'State') ?? '?').charAt(0),
    uid: ids('Uid'),
    gid: ids('Gid'),
    caught: BigInt(`0x${statusField(status, 'SigCgt') ?? '0'}`),
    argv: cmdline === null || cmdline === '' ? null : cmdline.replace(/\0$/, '').split('\0'),
    env,
    root: sameMountNamespace(pid) ? '' : `/proc/${pid}/root`,
  };
}

/** The process's state letter (Z: ended, waiting for its parent), or null when there is no such process. */
export function processState(pid: number): string | null {
  return procStat(pid)?.[0]?.charAt(0) ?? null;
}

function sameMountNamespace(pid: number): boolean {
  try {
    return readlinkSync('/proc/self/ns/mnt') === readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return true; // cannot tell: use the paths as they are
  }
}

export function catches(target: Target, signalNumber: number): boolean {
  return ((target.caught >> BigInt(signalNumber - 1)) & 1n) === 1n;
}

/** NODE_OPTIONS as Node splits it: spaces separate, double quotes group, a backslash escapes inside quotes. */
export function splitNodeOptions(value: string): string[] {
  const out: string[] = [];
  let token = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      token += value[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      started = true;
    } else if (ch === ' ' && !quoted) {
      if (started) out.push(token);
      token = '';
      started = false;
    } else {
      token += ch;
      started = true;
    }
  }
  if (started) out.push(token);
  return out;
}

const PRELOAD_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
// Node options that take the next argument as their value, so it is not mistaken for the script.
const VALUE_OPTIONS = new Set([
  ...PRELOAD_OPTIONS,
  '-e', '--eval', '-p', '--print', '-C', '--conditions', '--input-type', '--title', '--inspect-port', '--debug-port',
  '--env-file', '--redirect-warnings', '--diagnostic-dir', '--report-dir', '--report-directory', '--report-filename',
  '--report-signal', '--heapsnapshot-signal', '--icu-data-dir', '--openssl-config', '--tls-keylog', '--watch-path',
  '--test-name-pattern', '--test-reporter', '--test-reporter-destination', '--dns-result-order', '--unhandled-rejections',
  '--experimental-policy', '--policy-integrity', '--secure-heap', '--secure-heap-min', '--stack-trace-limit', '--cpu-prof-dir',
  '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-name', '--disable-warning', '--trace-event-categories',
  '--trace-event-file-pattern', '--max-http-header-size', '--use-largepages', '--experimental-sea-config',
]);

/** Modules `args` (Node options, then the script and its arguments) preload. */
export function preloadsIn(args: string[], onlyOptions: boolean): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (PRELOAD_OPTIONS.has(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value !== undefined) found.push(value);
    } else if (VALUE_OPTIONS.has(name) && eq === -1) {
      i++;
    } else if (!arg.startsWith('-') && !onlyOptions) {
      break; // the script: what follows is the app's
    }
  }
  return found;
}

/** Whether a preload specifier names leak-agent: the package by name, or a file inside a package named leak-agent. */
export function isLeakAgentSpecifier(specifier: string, target: Pick<Target, 'pid' | 'root'>): boolean {
  if (specifier === 'leak-agent' || specifier.startsWith('leak-agent/')) return true;
  let path: string;
  try {
    path = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
  } catch {
    return false;
  }
  if (!isAbsolute(path) && !path.startsWith('.')) return false; // another package
  // Relative to the process's own working directory, as it sees its files.
  let dir = isAbsolute(path) ? target.root + path : join(`/proc/${target.pid}/cwd`, path);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    return /(^|\/)leak-agent\/agent\/index\.(cjs|mjs)$/.test(path); // unreadable: judge by the installed layout
  }
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'leak-agent';
      } catch {
        return false;
      }
    }
  }
  return false;
}

/** Whether the process preloads leak-agent on its command line or in NODE_OPTIONS. */
export function preloadsLeakAgent(target: Target): boolean {
  const specifiers = [
    ...(target.argv === null ? [] : preloadsIn(target.argv.slice(1), false)),
    ...(target.env?.NODE_OPTIONS ? preloadsIn(splitNodeOptions(target.env.NODE_OPTIONS), true) : []),
  ];
  return specifiers.some((s) => isLeakAgentSpecifier(s, target));
}

/** When the process is `leak-agent run`, the pids of the command it runs; else null. */
export function wrappedChildren(target: Target): number[] | null {
  const argv = target.argv ?? [];
  const cli = argv.findIndex((a) => basename(a) === 'leak-agent' || /(^|\/)agent\/cli\.cjs$/.test(a));
  if (cli === -1 || argv[cli + 1] !== 'run') return null;
  const children = readOrNull(`/proc/${target.pid}/task/${target.pid}/children`) ?? '';
  return children.split(/\s+/).filter(Boolean).map(Number);
}
