'use strict';
// node -r leak-agent app.js  ·  NODE_OPTIONS="-r leak-agent"  ·  require('leak-agent')
if (require('../dist/loader-thread.js').isLoaderHooksThread()) {
  // Node runs -r preloads again in its module-hooks thread: no agent there, and nothing else loaded.
  module.exports = {};
} else {
  require('../dist/start.js').start('require');
  module.exports = require('../dist/api.js');
}
