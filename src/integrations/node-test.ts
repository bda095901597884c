// leak-agent/node-test: `node --test --import leak-agent/node-test`. After each test file (or each test, with
// LEAK_AGENT_TEST_MODE=test), keys inserted during it that only caches keep alive fail it, with the text report.
//
// `node --test` runs each file in a child process of its own (--test-isolation=process, the default and the only way on
// Node 20), and passes --import on to it: there the agent starts before the test file loads, like `--import leak-agent`,
// and the file's window opens. The verdict is an `after` hook of node:test's root test, which runs once the file's
// tests (suites included) have finished; node:test reports a failing root `after` hook as a failing test named after
// the hook's location (lib/internal/test_runner/test.js, TestHook#postRun on Node 20–26). The hook is registered from
// a one-line function compiled under the test file's name, so the failure carries the test file's name instead of
// leak-agent's own. With --test-isolation=none (Node 22.8+) every file runs in the one process and node:test has no
// per-file hook: the run is judged as a whole (per test with LEAK_AGENT_TEST_MODE=test).
import { after, afterEach, beforeEach } from 'node:test';
import { runInThisContext } from 'node:vm';
import { log, reportInternalError } from '../log';
import { type TestUnit, type TestWindow, startWindow, testMode } from './test-mode';

type Where = 'file' | 'run' | 'none';

function isolationNone(execArgv: readonly string[]): boolean {
  return execArgv.some(
    (arg, i) =>
      /^--(?:experimental-)?test-isolation=none$/.test(arg) ||
      (/^--(?:experimental-)?test-isolation$/.test(arg) && execArgv[i + 1] === 'none'),
  );
}

/**
 * What this process is: a child running one test file (`file`), the one process running every file (`run`), or
 * neither (`none`: the `node --test` parent that only starts children, or a process that is no test run at all —
 * registering node:test hooks there would make it print a test report of its own).
 */
function whereAmI(): Where {
  const context = process.env.NODE_TEST_CONTEXT;
  if (typeof context === 'string' && context.startsWith('child')) return 'file';
  if (process.execArgv.includes('--test')) return isolationNone(process.execArgv) ? 'run' : 'none';
  return 'none';
}

/** `after(fn)` called from a function compiled under `name`: node:test names a failure by that location. */
function afterNamed(name: string, fn: () => Promise<void>): void {
  try {
    const register = runInThisContext('(function leakAgentAfter(after, fn) { after(fn); })', { filename: name }) as (
      hook: typeof after,
      body: () => Promise<void>,
    ) => void;
    register(after, fn);
  } catch (err) {
    log.hooks('node-test: could not register the verdict under %s: %s', name, (err as Error).message);
    after(fn);
  }
}

/** Called by agent/node-test.cjs in every process that preloads it. Never throws. */
export function installNodeTest(): void {
  try {
    const where = whereAmI();
    if (where === 'none') {
      log.hooks('node-test: not a process that runs test files (NODE_TEST_CONTEXT unset, no --test); no verdicts here');
      return;
    }
    if (testMode() === 'test') {
      // One window per test context: a test's subtests open their own, inside their parent's.
      const windows = new WeakMap<object, TestWindow>();
      beforeEach((t: object) => {
        windows.set(t, startWindow('test'));
      });
      afterEach(async (t: object) => {
        const window = windows.get(t);
        windows.delete(t);
        if (window) await window.close();
      });
      return;
    }
    const unit: TestUnit = where === 'file' ? 'test file' : 'test run';
    const window = startWindow(unit);
    const file = process.argv[1];
    if (where === 'file' && file !== undefined) {
      afterNamed(file, () => window.close());
      return;
    }
    // One process for every file: node:test lists a failing root `after` hook but does not count it in the exit
    // status there (Node 22–26), so a failing verdict sets it, as a failing test would.
    afterNamed('leak-agent/node-test', async () => {
      try {
        await window.close();
      } catch (err) {
        if (!process.exitCode) process.exitCode = 1;
        throw err;
      }
    });
  } catch (err) {
    reportInternalError('setting up leak-agent/node-test', err);
  }
}
