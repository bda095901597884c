// The public API: `import { report, expectNoCacheLeaks } from 'leak-agent'`.
import { loadConfig } from './config';
import type { Report, CacheReport, Trigger } from './report/build';
import { agentState, start } from './start';
import type { WindowOptions } from './integrations/test-window';

// Every preload loads this file; what it calls is loaded on first use, so start-up stays small.
/* eslint-disable @typescript-eslint/no-require-imports */
const reports = (): typeof import('./trigger/run') => require('./trigger/run') as typeof import('./trigger/run');
const windows = (): typeof import('./integrations/test-window') =>
  require('./integrations/test-window') as typeof import('./integrations/test-window');
/* eslint-enable @typescript-eslint/no-require-imports */

export type { Report, CacheReport, Trigger };
export type { SourceLocation } from './source/location';
export type { WindowOptions };

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function config() {
  return (agentState() ?? start('api'))?.config ?? loadConfig();
}

async function produce(trigger: Trigger, sinceSeq: number): Promise<Report> {
  // Verify in a fresh macrotask: the caller's job has ended, so its stack and WeakRef bookkeeping hold nothing.
  // Another report in flight (a snapshot being analysed) is waited for, for up to ten minutes.
  for (let attempt = 0; attempt < 24_000; attempt++) {
    await (attempt === 0 ? nextMacrotask() : new Promise((r) => setTimeout(r, 25)));
    const report = await reports().runReportAsync(config(), { trigger, print: false, writeFile: false, sinceSeq });
    if (report) return report;
  }
  throw new Error('leak-agent: could not produce a report (another report kept running)');
}

/**
 * Verify every instrumented cache now and return the JSON report (schema leak-agent.report/v1).
 * Entries whose keys only the caches kept alive are removed by the gc engine (they could never be looked up again).
 */
export function report(): Promise<Report> {
  return produce('api', 0);
}

/** Error thrown by expectNoCacheLeaks: the message is the text report, `report` the JSON report. */
export class CacheLeakError extends Error {
  readonly report: Report;
  constructor(text: string, report: Report) {
    super(text);
    this.name = 'CacheLeakError';
    this.report = report;
  }
}

/**
 * Run `fn`, then fail when keys inserted while it ran are held alive by caches alone.
 * Works with any runner (node:test, Jest, Mocha, Vitest). `allow` (and LEAK_AGENT_ALLOW) lists caches that may
 * leak: a library name, a memoized function name, or a fragment of the creation site ("src/cache.ts:12").
 */
export async function expectNoCacheLeaks(fn: () => unknown, options: WindowOptions = {}): Promise<void> {
  const since = windows().openWindow();
  await fn();
  const { report: result, failure } = await windows().closeWindow(since, options);
  if (failure !== null) throw new CacheLeakError(failure, result);
}
