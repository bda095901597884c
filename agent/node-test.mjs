// leak-agent/node-test as an ES module (`--import leak-agent/node-test`): the same as the CommonJS entry.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./node-test.cjs');
