// LEAK_AGENT_* environment variables → one frozen Config.
// A bad value is never fatal: one clear line on stderr, and the default is kept.
import { resolve } from 'node:path';
import { warnOnce } from './log';
import { DEFAULT_REPORT_SIGNAL, acceptedReportSignalsText, parseReportSignal } from './signal-name';

export type VerifyMode = 'auto' | 'gc' | 'snapshot' | 'off';

export interface Config {
  /** Signal that triggers a report, or null when disabled. */
  readonly signal: NodeJS.Signals | null;
  readonly onExit: boolean;
  /** LEAK_AGENT_REPORT_FILE made absolute when the agent starts, so a later chdir of the app does not move it. */
  readonly reportFile: string | null;
  readonly verify: VerifyMode;
  /** Exit code to use when the exit report finds leaks and the process would have exited 0. */
  readonly exitCode: number | null;
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  signal: DEFAULT_REPORT_SIGNAL,
  onExit: true,
  reportFile: null,
  verify: 'auto',
  exitCode: null,
});

/** Where a bad value's one line goes: stderr once per variable (warnOnce), or a test's collector. */
export type Warn = (key: string, line: string) => void;

function invalid(warn: Warn, variable: string, value: string, accepted: string, reason?: string): void {
  const why = reason === undefined ? '' : ` (${reason})`;
  warn(`config:${variable}`, `leak-agent: ignoring ${variable}=${JSON.stringify(value)}${why}: expected ${accepted}; using the default`);
}

function parseSignal(value: string | undefined, warn: Warn): NodeJS.Signals | null {
  if (value === undefined || value === '') return DEFAULT_CONFIG.signal;
  if (value.trim().toLowerCase() === 'off') return null;
  const parsed = parseReportSignal(value);
  if (parsed.ok) return parsed.signal;
  invalid(warn, 'LEAK_AGENT_SIGNAL', value, `${acceptedReportSignalsText()}, or "off"`, parsed.reason);
  return DEFAULT_CONFIG.signal;
}

function parseOnExit(value: string | undefined, warn: Warn): boolean {
  if (value === undefined || value === '') return DEFAULT_CONFIG.onExit;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  invalid(warn, 'LEAK_AGENT_ON_EXIT', value, '1 or 0');
  return DEFAULT_CONFIG.onExit;
}

function parseReportFile(value: string | undefined, warn: Warn): string | null {
  if (value === undefined || value === '') return null;
  if (value.includes('\0')) {
    invalid(warn, 'LEAK_AGENT_REPORT_FILE', value, 'a file path (%p is replaced by the pid, %t by the thread id, %n by the report number)');
    return null;
  }
  try {
    return resolve(value);
  } catch {
    // The working directory is gone (process.cwd() throws): the path stays relative, as the app's own files would.
    return value;
  }
}

function parseVerify(value: string | undefined, warn: Warn): VerifyMode {
  if (value === undefined || value === '') return DEFAULT_CONFIG.verify;
  const v = value.toLowerCase();
  if (v === 'auto' || v === 'gc' || v === 'snapshot' || v === 'off') return v;
  invalid(warn, 'LEAK_AGENT_VERIFY', value, 'auto, gc, snapshot or off');
  return DEFAULT_CONFIG.verify;
}

export const EXIT_CODE_ACCEPTED = 'an integer from 1 to 125';

/** LEAK_AGENT_EXIT_CODE and `leak-agent run --exit-code`: 1–125 (126+ mean "cannot run" and signals to shells). */
export function exitCodeFrom(value: string): number | null {
  if (!/^[0-9]+$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= 125 ? n : null;
}

function parseExitCode(value: string | undefined, warn: Warn): number | null {
  if (value === undefined || value === '') return null;
  const n = exitCodeFrom(value);
  if (n === null) invalid(warn, 'LEAK_AGENT_EXIT_CODE', value, EXIT_CODE_ACCEPTED);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: Warn = warnOnce): Config {
  return Object.freeze({
    signal: parseSignal(env.LEAK_AGENT_SIGNAL, warn),
    onExit: parseOnExit(env.LEAK_AGENT_ON_EXIT, warn),
    reportFile: parseReportFile(env.LEAK_AGENT_REPORT_FILE, warn),
    verify: parseVerify(env.LEAK_AGENT_VERIFY, warn),
    exitCode: parseExitCode(env.LEAK_AGENT_EXIT_CODE, warn),
  });
}
