'use strict';
// node -r leak-agent app.js  ·  NODE_OPTIONS="-r leak-agent"  ·  require('leak-agent')

/**
 * Node's own require for the main context, when this file runs in a vm context (a Jest test file, Vitest's vm pools):
 * there `globalThis` is the context's, and an agent started here would be a second one, blind to the thread's caches.
 * vm.runInThisContext evaluates in the main context whichever context calls it. Null in the main context.
 */
function mainContextRequire() {
  const vm = require('node:vm');
  if (vm.runInThisContext('globalThis') === globalThis) return null;
  const proc = vm.runInThisContext('process');
  // process.getBuiltinModule: Node 20.16+ and every later line (process.mainModule would warn under --pending-deprecation).
  if (typeof proc.getBuiltinModule !== 'function') return null;
  return proc.getBuiltinModule('node:module').createRequire(__filename);
}

const load = mainContextRequire() || require;
if (load('../dist/loader-thread.js').isLoaderHooksThread()) {
  // Node runs -r preloads again in its module-hooks thread: no agent there, and nothing else loaded.
  module.exports = {};
} else {
  load('../dist/start.js').start('require');
  module.exports = load('../dist/api.js');
}
