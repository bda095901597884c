// leak-agent/vitest: add it to `test.setupFiles`. After each test file (or each test, with LEAK_AGENT_TEST_MODE=test;
// LEAK_AGENT_VITEST_MODE is the older name), keys inserted during it that only caches keep alive fail it, with the
// text report as the message. LEAK_AGENT_ALLOW lists caches that may leak.
import { reportInternalError } from '../log';
import { start } from '../start';
import { type SuiteHooks, VERDICT_TIMEOUT_MS, installWindowHooks, testMode } from './test-mode';
import { installVmModuleHook } from './vm-modules';

export type VitestHooks = SuiteHooks;

export function installVitestHooks(vitest: VitestHooks): void {
  installWindowHooks(vitest, testMode(), VERDICT_TIMEOUT_MS);
}

/**
 * The vmThreads/vmForks pools: agent/vitest.mjs runs in the test file's vm context and hands its hooks to this copy,
 * loaded in the worker's main context. CommonJS libraries the file's context evaluates are patched as they load
 * (vm-modules.ts); ES module builds are not (lru-cache's `import` build, lodash-es).
 */
export function installVitestVm(vitest: VitestHooks): void {
  try {
    start('vitest');
    installVmModuleHook();
    installWindowHooks(vitest, testMode(), VERDICT_TIMEOUT_MS);
  } catch (err) {
    reportInternalError('setting up leak-agent/vitest in a vm pool', err);
  }
}
