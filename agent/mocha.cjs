'use strict';
// leak-agent/mocha — a Mocha root hook plugin: `mocha --require leak-agent/mocha` (or `require: ['leak-agent/mocha']`
// in .mocharc). Starts the agent like `-r leak-agent` and fails the spec file that leaves otherwise-dead objects in a
// cache.
if (require('../dist/loader-thread.js').isLoaderHooksThread()) {
  module.exports = {}; // Node runs -r preloads again in its module-hooks thread: no agent there
} else {
  require('../dist/start.js').start('mocha');
  module.exports = { mochaHooks: require('../dist/integrations/mocha.js').mochaHooks() };
}
