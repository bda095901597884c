// leak-agent/jest: `setupFilesAfterEnv: ['leak-agent/jest']`. After each test file (or each test, with
// LEAK_AGENT_TEST_MODE=test), keys inserted during it that only caches keep alive fail it, with the text report.
//
// Jest evaluates every test file, and everything it requires, in a vm context of its own through its own module
// registry; a fresh registry per file, so lodash, memoizee and lru-cache are evaluated again for each file and never
// pass through Node's require. agent/jest.cjs is the only file Jest evaluates: it hands this module (loaded with
// Node's own require, in the worker's main context) the file's Jest hooks and registry, and everything else lives
// here, once per worker thread:
//
// - The agent's state is the thread's (shared.ts, on the main context's globalThis), not the test file's context:
//   the caches of every file are instrumented and verified by one agent, the one a `-r leak-agent` preload already
//   started when there is one. An agent per context would be evaluated again for every file, and its process
//   listeners (exit, signals) would keep every file's context alive after Jest dropped it — the very leak Jest warns
//   about. The registry holds caches only through WeakRefs, so a finished file's caches and context go as before, and
//   a verdict judges only live caches (the current file's).
// - The verdict runs where the caches are: a vm context shares the isolate's heap, so the gc engine's collection in
//   the main context proves what the file's caches alone keep alive.
// - Libraries are instrumented as the file's registry evaluates them (vm-modules.ts); modules the registry already
//   holds when this runs (loaded by setupFiles, an earlier setup file or the environment) are patched in place now.
import { start } from '../start';
import { log, reportInternalError, warnOnce } from '../log';
import { type RegistryModule, isLibraryFile, patchLibraryModule } from './library-modules';
import { type SuiteHooks, VERDICT_TIMEOUT_MS, installWindowHooks, testMode } from './test-mode';
import { installVmModuleHook } from './vm-modules';

/** What agent/jest.cjs hands over from inside the test file's context. */
export interface JestSetup {
  /** `require('@jest/globals')` as the setup file got it, or null when Jest gave none (a `setupFiles` entry). */
  globals: Partial<SuiteHooks> | null;
  /** The setup file's `require.cache`: Jest's view of the file's module registry (path → module object). */
  requireCache: Record<string, RegistryModule> | null;
  /** The context's globalThis: one set of hooks per test file, however often the setup file is evaluated in it. */
  context: object;
}

const installedIn = new WeakSet<object>();

function hasHooks(globals: Partial<SuiteHooks> | null): globals is SuiteHooks {
  return (
    globals !== null &&
    typeof globals.afterAll === 'function' &&
    typeof globals.beforeAll === 'function' &&
    typeof globals.afterEach === 'function' &&
    typeof globals.beforeEach === 'function'
  );
}

/** Patch the supported libraries the file's registry already evaluated before the hook saw them. */
function patchRegistry(cache: Record<string, RegistryModule> | null): void {
  if (cache === null) return;
  let keys: string[];
  try {
    keys = Object.keys(cache);
  } catch (err) {
    log.hooks('jest: the module registry cannot be listed (%s); libraries loaded before leak-agent/jest are not instrumented', (err as Error).message);
    return;
  }
  for (const key of keys) {
    if (!isLibraryFile(key)) continue;
    const module = cache[key];
    if (module && typeof module === 'object' && 'exports' in module) patchLibraryModule(key, module, 'jest registry');
  }
}

/** Called by agent/jest.cjs once per evaluation of the setup file (once per test file). Never throws. */
export function installJest(setup: JestSetup): void {
  try {
    start('jest');
    installVmModuleHook();
    patchRegistry(setup.requireCache);
    if (!hasHooks(setup.globals)) {
      warnOnce(
        'jest-hooks',
        "leak-agent: leak-agent/jest found no Jest hooks here: list it in setupFilesAfterEnv (not setupFiles); caches are instrumented, but no test file is judged",
      );
      return;
    }
    if (installedIn.has(setup.context)) return; // listed twice, or evaluated again in the same file
    installedIn.add(setup.context);
    installWindowHooks(setup.globals, testMode(), VERDICT_TIMEOUT_MS);
  } catch (err) {
    reportInternalError('setting up leak-agent/jest', err);
  }
}
