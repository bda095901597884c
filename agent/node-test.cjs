'use strict';
// leak-agent/node-test — `node --test --import leak-agent/node-test` (or --require): starts the agent in each test
// file's process, like `--import leak-agent`, and fails a test file that leaves otherwise-dead objects in a cache.
if (!require('../dist/loader-thread.js').isLoaderHooksThread()) {
  require('../dist/start.js').start('node-test');
  require('../dist/integrations/node-test.js').installNodeTest();
}
