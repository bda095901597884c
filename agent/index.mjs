// node --import leak-agent app.mjs  ·  import { report } from 'leak-agent'
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../dist/start.js').start('import');
const api = require('../dist/api.js');

export const report = api.report;
export const expectNoCacheLeaks = api.expectNoCacheLeaks;
export const CacheLeakError = api.CacheLeakError;
export default api;
