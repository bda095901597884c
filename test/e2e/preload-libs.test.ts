// lodash (every packaging), memoizee and lru-cache copies nested in dependencies, from CommonJS and ESM apps.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApp, placeScript, readReport, runNode, versionOf } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const DEP = (name: string) => `// a dependency with its own lru-cache copy
const mod = require('lru-cache');
const LRU = typeof mod === 'function' ? mod : mod.LRUCache || mod.default;
const cache = new LRU({ max: 50 });
module.exports = function ${name.replace('-', '')}(k) { cache.set(k, 1); return cache.get(k); };
`;

const app = makeApp(
  'libs',
  { lodash: 'lodash', 'lodash-es': 'lodash-es', 'lodash.memoize': 'lodash.memoize', memoizee: 'memoizee', 'lru-cache': 'lru6' },
  { 'dep-a': { 'lru-cache': 'lru10' }, 'dep-b': { 'lru-cache': 'lru7' } },
);
placeScript(app, 'node_modules/dep-a/index.js', DEP('dep-a'));
placeScript(app, 'node_modules/dep-b/index.js', DEP('dep-b'));
placeScript(app, 'libs.cjs');
placeScript(app, 'libs.mjs');
const v = (p: string) => versionOf(join(app, 'node_modules', p));

function byClass(report: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const c of report.caches) {
    for (const k of c.classes) out[k.name] = c;
  }
  return out;
}

describe('CommonJS app', () => {
  it.each([['-r'], ['--import']])('under %s: every cache found with its library and version', (flag) => {
    const plain = runNode(app, ['libs.cjs']);
    const file = join(app, `libs-cjs${flag}.json`);
    const run = runNode(app, [flag, 'leak-agent', 'libs.cjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(0);
    const report = readReport(file);
    assertValidReport(report);
    const caches = byClass(report);
    const expected: Array<[string, string, string, string | null]> = [
      ['LodashMonolith', 'lodash', v('lodash'), 'lodashMonolith'],
      ['LodashModular', 'lodash', v('lodash'), 'lodashModular'],
      ['LodashContext', 'lodash', v('lodash'), 'lodashContext'],
      ['LodashFp', 'lodash', v('lodash'), 'lodashFp'],
      ['LodashStandalone', 'lodash.memoize', v('lodash.memoize'), 'lodashStandalone'],
      ['MemoizeePlain', 'memoizee', v('memoizee'), 'memoizeePlain'],
      // lru-cache has no function name: the receiver of the first write names it
      ['LruTop', 'lru-cache', v('lru-cache'), 'lru'],
      ['LruDepA', 'lru-cache', versionOf(join(app, 'node_modules/dep-a/node_modules/lru-cache')), 'cache'],
      ['LruDepB', 'lru-cache', versionOf(join(app, 'node_modules/dep-b/node_modules/lru-cache')), 'cache'],
    ];
    for (const [cls, library, libraryVersion, name] of expected) {
      expect(caches[cls], cls).toMatchObject({ library, libraryVersion, name, trackedKeys: 5, deadKeys: 3, verified: true });
      expect(caches[cls].classes).toEqual([{ name: cls, count: 3 }]);
    }
    expect(caches.LruDepA.libraryVersion).toMatch(/^10\./);
    expect(caches.LruDepB.libraryVersion).toMatch(/^7\./);
    // memoizee/weak with two arguments: one per-object memoizee cache holds the second arguments
    expect(caches.MemoizeeWeakSecond).toMatchObject({ library: 'memoizee', deadKeys: 3, trackedKeys: 5 });
    expect(run.stderr).not.toContain('internal error');
  });
});

describe('ES module app', () => {
  it.each([['--import'], ['-r']])('under %s: lodash-es, CommonJS packages imported from ESM, dynamic import()', (flag) => {
    const plain = runNode(app, ['libs.mjs']);
    const file = join(app, `libs-mjs${flag}.json`);
    const run = runNode(app, [flag, 'leak-agent', 'libs.mjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(0);
    const report = readReport(file);
    assertValidReport(report);
    const caches = byClass(report);
    const expected: Array<[string, string]> = [
      ['EsDefault', 'lodash-es'],
      ['EsNamed', 'lodash-es'],
      ['CjsMonolith', 'lodash'],
      ['CjsModular', 'lodash'],
      ['CjsStandalone', 'lodash.memoize'],
      ['CjsMemoizee', 'memoizee'],
      ['LruDynamic', 'lru-cache'],
    ];
    for (const [cls, library] of expected) {
      expect(caches[cls], cls).toMatchObject({ library, trackedKeys: 5, deadKeys: 3, verified: true });
    }
    expect(run.stderr).not.toContain('internal error');
  });
});
