// leak-agent/vitest — a Vitest setupFiles entry: starts the agent in each test worker and fails a test file that
// leaves otherwise-dead objects in a cache.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';

const hooks = { afterAll, afterEach, beforeAll, beforeEach };
// The vmThreads/vmForks pools evaluate this file, and each test file's modules, in a vm context of their own, with a
// `require` of their own. vm.runInThisContext evaluates in the worker's main context whichever context calls it: the
// agent is loaded there once per worker, with Node's own require (see src/integrations/vm-modules.ts).
if (runInThisContext('globalThis') !== globalThis) {
  const proc = runInThisContext('process');
  const host = proc.getBuiltinModule('node:module').createRequire(fileURLToPath(import.meta.url));
  host('../dist/integrations/vitest.js').installVitestVm(hooks);
} else {
  const require = createRequire(import.meta.url);
  require('../dist/start.js').start('vitest');
  require('../dist/integrations/vitest.js').installVitestHooks(hooks);
}
