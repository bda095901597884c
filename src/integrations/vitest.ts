// leak-agent/vitest: add it to `test.setupFiles`. After each test file (or each test, with LEAK_AGENT_TEST_MODE=test;
// LEAK_AGENT_VITEST_MODE is the older name), keys inserted during it that only caches keep alive fail it, with the
// text report as the message. LEAK_AGENT_ALLOW lists caches that may leak.
import { type SuiteHooks, installWindowHooks, testMode } from './test-mode';

export type VitestHooks = SuiteHooks;

export function installVitestHooks(vitest: VitestHooks): void {
  installWindowHooks(vitest, testMode());
}
