import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, exitCodeFrom, loadConfig } from '../../src/config';
import { acceptedReportSignals, parseReportSignal } from '../../src/signal-name';

describe('loadConfig', () => {
  it('defaults', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads every variable; a relative report path is made absolute at start-up', () => {
    expect(
      loadConfig({
        LEAK_AGENT_SIGNAL: 'SIGSTKFLT',
        LEAK_AGENT_ON_EXIT: '0',
        LEAK_AGENT_REPORT_FILE: 'r-%p.json',
        LEAK_AGENT_VERIFY: 'gc',
        LEAK_AGENT_EXIT_CODE: '7',
      }),
    ).toEqual({ signal: 'SIGSTKFLT', onExit: false, reportFile: resolve('r-%p.json'), verify: 'gc', exitCode: 7 });
    expect(loadConfig({ LEAK_AGENT_SIGNAL: 'off' }).signal).toBeNull();
    expect(loadConfig({ LEAK_AGENT_SIGNAL: 'OFF' }).signal).toBeNull();
    expect(loadConfig({ LEAK_AGENT_SIGNAL: 'usr2' }).signal).toBe('SIGUSR2');
    expect(loadConfig({ LEAK_AGENT_REPORT_FILE: '/abs/r.json' }).reportFile).toBe('/abs/r.json');
  });

  it.each([
    ['LEAK_AGENT_SIGNAL', 'SIGKILL', 'signal'],
    ['LEAK_AGENT_SIGNAL', 'SIGUSR1', 'signal'],
    ['LEAK_AGENT_SIGNAL', 'SIGTERM', 'signal'],
    ['LEAK_AGENT_SIGNAL', 'SIGCHLD', 'signal'],
    ['LEAK_AGENT_SIGNAL', '12', 'signal'],
    ['LEAK_AGENT_ON_EXIT', 'yes', 'onExit'],
    ['LEAK_AGENT_VERIFY', 'heap', 'verify'],
    ['LEAK_AGENT_EXIT_CODE', '0', 'exitCode'],
    ['LEAK_AGENT_EXIT_CODE', '126', 'exitCode'],
    ['LEAK_AGENT_EXIT_CODE', '1.5', 'exitCode'],
  ] as const)('%s=%s: the default is kept, with one line naming the variable and the value', (variable, value, field) => {
    const lines: string[] = [];
    expect(loadConfig({ [variable]: `${value}` }, (_key, line) => lines.push(line))[field]).toEqual(DEFAULT_CONFIG[field]);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^leak-agent: ignoring ${variable}="${value}".*: expected .*; using the default$`))]);
  });

  it('exit codes: 1 to 125, digits only (shared with leak-agent run --exit-code)', () => {
    expect(exitCodeFrom('1')).toBe(1);
    expect(exitCodeFrom('125')).toBe(125);
    for (const bad of ['0', '126', 'abc', '', '-1', '1e2', ' 3']) expect(exitCodeFrom(bad)).toBeNull();
  });
});

describe('parseReportSignal (LEAK_AGENT_SIGNAL and leak-agent report --signal)', () => {
  it.each(['USR2', 'usr2', 'SIGUSR2', 'sigusr2', ' SIGUSR2 '])('%j is SIGUSR2', (value) => {
    expect(parseReportSignal(value)).toEqual({ ok: true, signal: 'SIGUSR2' });
  });

  it('numbers are refused (they differ between platforms)', () => {
    expect(parseReportSignal('12')).toEqual({ ok: false, reason: expect.stringMatching(/numbers/) });
  });

  it('names that are no signal are refused', () => {
    expect(parseReportSignal('SIGNOPE')).toEqual({ ok: false, reason: expect.stringMatching(/not a signal name/) });
    expect(parseReportSignal('')).toMatchObject({ ok: false });
  });

  it.each([
    ['SIGKILL', /cannot be caught/],
    ['SIGSTOP', /cannot be caught/],
    ['SIGUSR1', /reserved by Node\.js for the inspector/],
    ['SIGTERM', /sent to stop a process/],
    ['SIGINT', /sent to stop a process/],
    ['SIGHUP', /sent to stop a process/],
    ['SIGQUIT', /sent to stop a process/],
    ['SIGCHLD', /arrives on its own whenever a child process ends/],
    ['SIGWINCH', /arrives on its own whenever the terminal is resized/],
    ['SIGPIPE', /arrives on its own/],
    ['SIGALRM', /on its own/],
    ['SIGURG', /arrives on its own/],
    ['SIGCONT', /arrives on its own/],
    ['SIGTSTP', /job control/],
    ['SIGTTIN', /job control/],
    ['SIGTTOU', /job control/],
    ['SIGSEGV', /crashes/],
    ['SIGPROF', /profilers/],
  ])('%s is refused with its reason', (name, reason) => {
    const parsed = parseReportSignal(name);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason.startsWith(name)).toBe(true);
    }
  });

  it('what is accepted: SIGUSR2, and no signal that ends a process when sent to stop it or fires on its own', () => {
    const accepted = acceptedReportSignals();
    expect(accepted).toContain('SIGUSR2');
    if (process.platform === 'linux') expect(accepted).toEqual(['SIGUSR2', 'SIGSTKFLT']);
  });
});
