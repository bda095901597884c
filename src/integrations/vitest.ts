// leak-agent/vitest: add it to `test.setupFiles`. After each test file (or each test, with
// LEAK_AGENT_VITEST_MODE=test), keys inserted during it that only caches keep alive fail it, with the text report
// as the message. LEAK_AGENT_ALLOW lists caches that may leak.
import { closeWindow, openWindow } from './test-window';

export interface VitestHooks {
  beforeAll(fn: () => unknown): void;
  afterAll(fn: () => unknown): void;
  beforeEach(fn: () => unknown): void;
  afterEach(fn: () => unknown): void;
}

export function installVitestHooks(vitest: VitestHooks): void {
  const perTest = (process.env.LEAK_AGENT_VITEST_MODE ?? 'file') === 'test';
  let since = 0;
  const open = (): void => {
    since = openWindow();
  };
  const close = async (): Promise<void> => {
    const { failure } = await closeWindow(since);
    if (failure !== null) {
      const error = new Error(`caches keep objects created by this ${perTest ? 'test' : 'test file'} alive\n${failure}`);
      error.name = 'CacheLeakError';
      error.stack = `${error.name}: ${error.message}`; // the report is the useful part, not the agent's frames
      throw error;
    }
  };
  if (perTest) {
    vitest.beforeEach(open);
    vitest.afterEach(close);
  } else {
    vitest.beforeAll(open);
    vitest.afterAll(close);
  }
}
