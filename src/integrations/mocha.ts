// leak-agent/mocha: `mocha --require leak-agent/mocha`, a root hook plugin. After each spec file's tests (or each test,
// with LEAK_AGENT_TEST_MODE=test), keys inserted during them that only caches keep alive fail them, with the report.
//
// Mocha has no per-file hook: it loads every spec file first, then runs one tree whose root holds every file's
// top-level tests and describe blocks, in file order (lib/runner.js runSuite: a suite's own tests, then its child
// suites). The plugin's root `beforeAll` runs before any of it and finds each file's part by `file`:
//   - a file's top-level describe blocks run one after another: a `before all` hook put first in its first block opens
//     the window, an `after all` hook put last in its last block judges it (a failing `after all` hook fails that
//     block and skips nothing else);
//   - its top-level tests (outside any describe) run before every describe block, next to the other files' ones: the
//     first one's function opens that part's window and the last one's judges it after the test itself, so a leak
//     fails that test. An `after each` hook would not do: Mocha skips the rest of a suite after a failing hook.
// LEAK_AGENT_TEST_MODE=test wraps every test's function the same way. With --parallel each worker runs one file under
// its own root, and the same plan applies. Code a spec file runs while Mocha loads it is never in a window.
import { log, reportInternalError } from '../log';
import { type TestWindow, VERDICT_TIMEOUT_MS, startWindow, testMode } from './test-mode';

/** The parts of Mocha's Runnable (lib/runnable.js) and Suite (lib/suite.js) the plan uses; stable since Mocha 4. */
interface MochaRunnable {
  title: string;
  file?: string;
  fn?: Function;
  /** Set from the function's length when the runnable is made: a callback (`done`) test when truthy. */
  async?: unknown;
  pending?: boolean;
  timeout?(ms: number): unknown;
}

interface MochaSuite {
  root?: boolean;
  file?: string;
  pending?: boolean;
  tests: MochaRunnable[];
  suites: MochaSuite[];
  _beforeAll: MochaRunnable[];
  _afterAll: MochaRunnable[];
  beforeAll(title: string, fn: Function): unknown;
  afterAll(title: string, fn: Function): unknown;
  isPending?(): boolean;
}

interface MochaContext {
  test?: { parent?: MochaSuite };
  timeout(ms: number): unknown;
}

const planned = new WeakSet<object>();

/**
 * Replace a test's function with one that opens a window before it (`open`) and judges one after it (`close`): a leak
 * fails the test itself. When the test fails, its own error stands and the window is dropped. Mocha tells callback
 * tests from the others by the original function's length, kept in `test.async`, so the wrapper takes the same form.
 */
function wrapTest(test: MochaRunnable, open: (() => TestWindow) | null, close: (() => TestWindow | null) | null): void {
  const original = test.fn;
  if (typeof original !== 'function') return; // a pending test
  const judge = async (ctx: MochaContext): Promise<void> => {
    const window = close?.();
    if (!window) return;
    ctx.timeout(VERDICT_TIMEOUT_MS);
    await window.close();
  };
  if (test.async) {
    test.fn = function (this: MochaContext, done: (err?: unknown) => void) {
      open?.();
      return Reflect.apply(original, this, [
        (err?: unknown) => {
          if (err) done(err);
          else judge(this).then(() => done(), done);
        },
      ]) as unknown;
    };
  } else {
    test.fn = async function (this: MochaContext) {
      open?.();
      const result: unknown = await Reflect.apply(original, this, []);
      await judge(this);
      return result;
    };
  }
}

/** Every test in a suite and its descendants, in order. */
function allTests(suite: MochaSuite, out: MochaRunnable[] = []): MochaRunnable[] {
  out.push(...suite.tests);
  for (const child of suite.suites) allTests(child, out);
  return out;
}

/** Put a `before all` hook first in the suite, so it runs before the app's own. */
function firstBeforeAll(suite: MochaSuite, fn: Function): void {
  suite.beforeAll('leak-agent', fn);
  const hook = suite._beforeAll.pop();
  if (hook) suite._beforeAll.unshift(hook);
}

function lastAfterAll(suite: MochaSuite, fn: Function): void {
  suite.afterAll('leak-agent', fn);
  suite._afterAll[suite._afterAll.length - 1]?.timeout?.(VERDICT_TIMEOUT_MS);
}

/** One window per file's top-level describe blocks, and one per run of its top-level tests. */
function planFiles(root: MochaSuite): void {
  const suitesByFile = new Map<string, MochaSuite[]>();
  for (const suite of root.suites) {
    if (suite.pending || suite.isPending?.()) continue;
    const key = suite.file ?? '';
    const list = suitesByFile.get(key) ?? [];
    list.push(suite);
    suitesByFile.set(key, list);
  }
  for (const suites of suitesByFile.values()) {
    let window: TestWindow | null = null;
    firstBeforeAll(suites[0]!, function leakAgentOpen() {
      window = startWindow('test file');
    });
    lastAfterAll(suites[suites.length - 1]!, async function leakAgentVerdict(this: MochaContext) {
      const current = window;
      window = null;
      if (current) await current.close();
    });
  }
  // Top-level tests: consecutive runs of one file's tests.
  const tests = root.tests.filter((t) => typeof t.fn === 'function' && !t.pending);
  for (let start = 0; start < tests.length; ) {
    let end = start;
    while (end + 1 < tests.length && tests[end + 1]!.file === tests[start]!.file) end++;
    let window: TestWindow | null = null;
    wrapTest(tests[start]!, () => (window = startWindow('test file')), end === start ? () => window : null);
    if (end !== start) wrapTest(tests[end]!, null, () => window);
    start = end + 1;
  }
}

function planTests(root: MochaSuite): void {
  for (const test of allTests(root)) {
    let window: TestWindow | null = null;
    wrapTest(test, () => (window = startWindow('test')), () => window);
  }
}

/** The plugin's root hooks (agent/mocha.cjs exports them as `mochaHooks`). */
export function mochaHooks(): { beforeAll(this: MochaContext): void } {
  const mode = testMode();
  return {
    beforeAll(this: MochaContext): void {
      try {
        const root = this.test?.parent;
        if (!root || planned.has(root)) return;
        planned.add(root);
        if (mode === 'test') planTests(root);
        else planFiles(root);
        log.hooks('mocha: planned %s windows for %d top-level suites and %d top-level tests', mode, root.suites.length, root.tests.length);
      } catch (err) {
        reportInternalError('setting up leak-agent/mocha', err);
      }
    },
  };
}
