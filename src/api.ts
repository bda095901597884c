// The public API: `import { report, expectNoCacheLeaks } from 'leak-agent'`.
import type { Report, CacheReport, Trigger } from './report/build';
import { agentApi } from './start';
import { loadOnce } from './load-once';
import type { WindowOptions } from './integrations/test-window';

// Every preload loads this file; the windows' code is loaded on first use, so start-up stays small.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const windows = loadOnce((): typeof import('./integrations/test-window') => require('./integrations/test-window') as typeof import('./integrations/test-window'));

export type { Report, CacheReport, Trigger };
export type { SourceLocation } from './source/location';
export type { WindowOptions };

/**
 * Verify every instrumented cache now and return the JSON report (schema leak-agent.report/v1).
 * Entries whose keys only the caches kept alive are removed by the gc engine (they could never be looked up again).
 */
export function report(): Promise<Report> {
  return agentApi().report('api', 0) as Promise<Report>;
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
