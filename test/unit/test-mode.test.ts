import { describe, expect, it } from 'vitest';
import type { mochaHooks } from 'leak-agent/mocha';
import { cacheLeakError, testMode } from '../../src/integrations/test-mode';
import type { Report } from '../../src/report/build';

describe('testMode', () => {
  it('LEAK_AGENT_TEST_MODE for every runner, LEAK_AGENT_VITEST_MODE as the older name, file by default', () => {
    expect(testMode({})).toBe('file');
    expect(testMode({ LEAK_AGENT_TEST_MODE: 'test' })).toBe('test');
    expect(testMode({ LEAK_AGENT_TEST_MODE: ' Test ' })).toBe('test');
    expect(testMode({ LEAK_AGENT_VITEST_MODE: 'test' })).toBe('test');
    expect(testMode({ LEAK_AGENT_TEST_MODE: 'file', LEAK_AGENT_VITEST_MODE: 'test' })).toBe('file');
    expect(testMode({ LEAK_AGENT_TEST_MODE: '', LEAK_AGENT_VITEST_MODE: 'test' })).toBe('test');
  });
});

describe('cacheLeakError', () => {
  const cache = (name: string, file: string, line: number, deadKeys: number) =>
    ({ library: 'lodash', name, deadKeys, createdAt: { file, line, column: 9, function: '<module>' } }) as unknown as Report['caches'][number];

  it("has the report as its message and the failing caches' creation sites as its only frames", () => {
    const report = { caches: [cache('priceOf', 'src/a.js', 4, 3), cache('knownLeak', 'src/b.js', 7, 2), cache('live', 'src/c.js', 1, 0)] } as Report;
    // The failure text names what failed: knownLeak was allowed (not in the text), live did not leak.
    const failure = 'leak-agent: 1 cache keeps 3 otherwise-dead objects alive\n  lodash priceOf  src/a.js:4:9  unbounded';
    const error = cacheLeakError('test file', failure, report);
    expect(error.name).toBe('CacheLeakError');
    expect(error.message).toBe(`caches keep objects created by this test file alive\n${failure}`);
    expect(error.stack).toBe(`CacheLeakError: ${error.message}\n    at lodash priceOf (${process.cwd()}/src/a.js:4:9)`);
  });
});

// The plugin's type: what a project composing its own root hooks imports.
const hooks: typeof mochaHooks | null = null;
void hooks;
