// What every test-runner integration shares: which unit it judges (LEAK_AGENT_TEST_MODE), the error a leaking unit
// fails with, and the window hooks themselves, given the runner's own beforeAll/afterAll/beforeEach/afterEach.
import { isAbsolute, resolve } from 'node:path';
import { warnOnce } from '../log';
import type { Report } from '../report/build';
import { printable } from '../report/text';
import { closeWindow, openWindow } from './test-window';

/** `file`: each test file is judged once, after its tests. `test`: each test, after it ran. */
export type TestMode = 'file' | 'test';

/** What a failure names: the unit judged (a whole run when a runner gives no file boundaries). */
export type TestUnit = 'test file' | 'test' | 'test run';

/**
 * LEAK_AGENT_TEST_MODE (every runner), else the older LEAK_AGENT_VITEST_MODE (kept working), else `file`.
 * An invalid value is one line on stderr, and `file`.
 */
export function testMode(env: NodeJS.ProcessEnv = process.env): TestMode {
  for (const variable of ['LEAK_AGENT_TEST_MODE', 'LEAK_AGENT_VITEST_MODE']) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = raw.trim().toLowerCase();
    if (value === 'file' || value === 'test') return value;
    warnOnce(`config:${variable}`, `leak-agent: ignoring ${variable}=${JSON.stringify(raw)}: expected file or test; using file`);
    return 'file';
  }
  return 'file';
}

/**
 * How long a runner may give one verdict before it calls the hook timed out. A runner's default hook timeout (Jest
 * 5 s, Mocha 2 s) is meant for the app's hooks; a verdict's full collections on a large worker heap can take longer,
 * and a timeout would fail the file with a message that says nothing about caches. produce() itself gives up after
 * ten minutes of waiting for another report.
 */
export const VERDICT_TIMEOUT_MS = 600_000;

/**
 * The creation sites of the caches the failure names, as stack frames ("    at lodash priceOf (/abs/file.js:4:19)").
 * Runners split a message from its stack at the first frame (Jest treats every line after the first as stack when
 * there is none) and show the source around the first frame in a test file: there, that is the cache's own line.
 */
function creationFrames(report: Report | null, failure: string): string {
  if (report === null) return '';
  let frames = '';
  for (const cache of report.caches) {
    const at = cache.createdAt;
    if (cache.deadKeys === 0 || at === null) continue;
    if (!failure.includes(`${printable(at.file)}:${at.line}:${at.column}`)) continue; // allowed or in the baseline
    const file = isAbsolute(at.file) ? at.file : resolve(at.file);
    const name = `${cache.library} ${cache.name === null ? '(anonymous)' : cache.name}`;
    frames += `\n    at ${printable(name)} (${printable(file)}:${at.line}:${at.column})`;
  }
  return frames;
}

/**
 * The error a leaking unit fails with: the message is the text report; the stack is the message followed by the
 * creation site of each failing cache (never the agent's own frames).
 */
export function cacheLeakError(unit: TestUnit, failure: string, report: Report | null = null): Error {
  const error = new Error(`caches keep objects created by this ${unit} alive\n${failure}`);
  error.name = 'CacheLeakError';
  error.stack = `${error.name}: ${error.message}${creationFrames(report, failure)}`;
  return error;
}

export interface TestWindow {
  /** Verify now; throws the CacheLeakError when keys first seen since the window opened are held by caches alone. */
  close(): Promise<void>;
}

/** A window opened now, for one unit. */
export function startWindow(unit: TestUnit): TestWindow {
  const since = openWindow();
  return {
    async close(): Promise<void> {
      const { report, failure } = await closeWindow(since);
      if (failure !== null) throw cacheLeakError(unit, failure, report);
    },
  };
}

export interface SuiteHooks {
  beforeAll(fn: () => unknown, timeout?: number): void;
  afterAll(fn: () => unknown, timeout?: number): void;
  beforeEach(fn: () => unknown, timeout?: number): void;
  afterEach(fn: () => unknown, timeout?: number): void;
}

/**
 * Judge each test (beforeEach/afterEach) or the whole file. In `file` mode the window opens now, when the setup file
 * runs (before the test file's own top-level code, which is part of the file), and closes in afterAll.
 */
export function installWindowHooks(hooks: SuiteHooks, mode: TestMode, timeout?: number): void {
  if (mode === 'test') {
    let window: TestWindow | null = null;
    hooks.beforeEach(() => {
      window = startWindow('test');
    }, timeout);
    hooks.afterEach(async () => {
      const current = window;
      window = null;
      if (current) await current.close();
    }, timeout);
    return;
  }
  const window = startWindow('test file');
  hooks.afterAll(() => window.close(), timeout);
}
