// LEAK_AGENT_* environment variables → one frozen Config.
// A bad value is never fatal: one clear line on stderr, and the default is kept.
import { constants as osConstants } from 'node:os';
import { warnOnce } from './log';

export type VerifyMode = 'auto' | 'gc' | 'snapshot' | 'off';

export interface Config {
  /** Signal that triggers a report, or null when disabled. */
  readonly signal: NodeJS.Signals | null;
  readonly onExit: boolean;
  readonly reportFile: string | null;
  readonly verify: VerifyMode;
  /** Exit code to use when the exit report finds leaks and the process would have exited 0. */
  readonly exitCode: number | null;
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  signal: 'SIGUSR2',
  onExit: true,
  reportFile: null,
  verify: 'auto',
  exitCode: null,
});

// Signals Node reserves or that cannot be caught; asking for them would break the app or do nothing.
const UNUSABLE_SIGNALS = new Set(['SIGKILL', 'SIGSTOP', 'SIGUSR1', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGPROF', 'SIGVTALRM']);

function invalid(variable: string, value: string, accepted: string): void {
  warnOnce(`config:${variable}`, `leak-agent: ignoring ${variable}=${JSON.stringify(value)}: expected ${accepted}; using the default`);
}

function parseSignal(value: string | undefined): NodeJS.Signals | null {
  if (value === undefined || value === '') return DEFAULT_CONFIG.signal;
  if (value === 'off') return null;
  const name = (value.startsWith('SIG') ? value : `SIG${value}`).toUpperCase();
  if (Object.prototype.hasOwnProperty.call(osConstants.signals, name) && !UNUSABLE_SIGNALS.has(name)) {
    return name as NodeJS.Signals;
  }
  invalid('LEAK_AGENT_SIGNAL', value, 'a catchable signal name such as SIGUSR2 or SIGHUP, or "off"');
  return DEFAULT_CONFIG.signal;
}

function parseOnExit(value: string | undefined): boolean {
  if (value === undefined || value === '') return DEFAULT_CONFIG.onExit;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  invalid('LEAK_AGENT_ON_EXIT', value, '1 or 0');
  return DEFAULT_CONFIG.onExit;
}

function parseReportFile(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (value.includes('\0')) {
    invalid('LEAK_AGENT_REPORT_FILE', value, 'a file path (%p is replaced by the pid)');
    return null;
  }
  return value;
}

function parseVerify(value: string | undefined): VerifyMode {
  if (value === undefined || value === '') return DEFAULT_CONFIG.verify;
  const v = value.toLowerCase();
  if (v === 'auto' || v === 'gc' || v === 'snapshot' || v === 'off') return v;
  invalid('LEAK_AGENT_VERIFY', value, 'auto, gc, snapshot or off');
  return DEFAULT_CONFIG.verify;
}

function parseExitCode(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  if (/^[0-9]+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 125) return n;
  }
  invalid('LEAK_AGENT_EXIT_CODE', value, 'an integer from 1 to 125');
  return null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return Object.freeze({
    signal: parseSignal(env.LEAK_AGENT_SIGNAL),
    onExit: parseOnExit(env.LEAK_AGENT_ON_EXIT),
    reportFile: parseReportFile(env.LEAK_AGENT_REPORT_FILE),
    verify: parseVerify(env.LEAK_AGENT_VERIFY),
    exitCode: parseExitCode(env.LEAK_AGENT_EXIT_CODE),
  });
}
