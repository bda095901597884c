// leak-agent/vitest — a Vitest setupFiles entry: starts the agent in each test worker and fails a test file that
// leaves otherwise-dead objects in a cache.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../dist/start.js').start('vitest');
require('../dist/integrations/vitest.js').installVitestHooks({ afterAll, afterEach, beforeAll, beforeEach });
