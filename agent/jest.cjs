'use strict';
// leak-agent/jest — a Jest setupFilesAfterEnv entry (Jest 29, 30). Jest evaluates this file in each test file's vm
// context, through the file's own module registry; everything else of the agent is loaded once per worker with Node's
// own require, in the worker's main context (see src/integrations/jest.ts for why).
function hostRequire() {
  // Jest hands modules its own `require`, `module` and a copy of `process` (Jest 30 routes even
  // process.getBuiltinModule through its registry). Core modules other than those are Node's own, and
  // vm.runInThisContext evaluates in the main context whichever context calls it: its `process` is the real one.
  const proc = require('node:vm').runInThisContext('process');
  const nodeModule =
    typeof proc.getBuiltinModule === 'function'
      ? proc.getBuiltinModule('node:module') // Node 20.16+
      : proc.mainModule && proc.mainModule.require('node:module');
  return nodeModule ? nodeModule.createRequire(__filename) : null;
}

function jestGlobals() {
  try {
    return require('@jest/globals'); // served by Jest itself, also with injectGlobals: false
  } catch {
    return null; // a setupFiles entry: the test framework is not there yet
  }
}

let host = null;
try {
  host = hostRequire();
} catch (err) {
  process.stderr.write(`leak-agent: leak-agent/jest cannot reach Node's module loader from Jest (${err && err.message}); no test file is judged\n`);
}
if (host) {
  host('../dist/integrations/jest.js').installJest({
    globals: jestGlobals(),
    requireCache: require.cache || null,
    context: globalThis,
  });
}
