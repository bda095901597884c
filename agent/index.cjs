'use strict';
// node -r leak-agent app.js  ·  NODE_OPTIONS="-r leak-agent"  ·  require('leak-agent')
require('../dist/start.js').start('require');
module.exports = require('../dist/api.js');
