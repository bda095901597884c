import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('defaults', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        LEAK_AGENT_SIGNAL: 'SIGHUP',
        LEAK_AGENT_ON_EXIT: '0',
        LEAK_AGENT_REPORT_FILE: 'r-%p.json',
        LEAK_AGENT_VERIFY: 'gc',
        LEAK_AGENT_EXIT_CODE: '7',
      }),
    ).toEqual({ signal: 'SIGHUP', onExit: false, reportFile: 'r-%p.json', verify: 'gc', exitCode: 7 });
    expect(loadConfig({ LEAK_AGENT_SIGNAL: 'off' }).signal).toBeNull();
    expect(loadConfig({ LEAK_AGENT_SIGNAL: 'usr2' }).signal).toBe('SIGUSR2');
  });

  it.each([
    ['LEAK_AGENT_SIGNAL', 'SIGKILL', 'signal'],
    ['LEAK_AGENT_SIGNAL', 'SIGUSR1', 'signal'],
    ['LEAK_AGENT_ON_EXIT', 'yes', 'onExit'],
    ['LEAK_AGENT_VERIFY', 'heap', 'verify'],
    ['LEAK_AGENT_EXIT_CODE', '0', 'exitCode'],
    ['LEAK_AGENT_EXIT_CODE', '126', 'exitCode'],
    ['LEAK_AGENT_EXIT_CODE', '1.5', 'exitCode'],
  ] as const)('%s=%s: the default is kept (the stderr line is checked in test/e2e/triggers.test.ts)', (variable, value, field) => {
    expect(loadConfig({ [variable]: `${value}` })[field]).toEqual(DEFAULT_CONFIG[field]);
  });
});
