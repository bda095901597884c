// The library declarations (src/libraries) and what is derived from them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { includePatterns } from '../../src/hooks/esm';
import { otherLoaderFlags } from '../../src/hooks/flags';
import { registerHooksUsable } from '../../src/hooks/lines';
import { rewriteSource } from '../../src/hooks/rewrite';
import { LIBRARIES, LIBRARY_NAMES, LIBRARY_PACKAGES, PACKAGE_NAMES, knownPackage } from '../../src/libraries/index';
import { satisfies } from '../../src/libraries/versions';
import { ROOT } from '../helpers/apps';

describe('declarations', () => {
  it("the schema's library enum is exactly the declared library names", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report-v1.schema.json'), 'utf8'));
    const libraryEnum = schema.$defs.cache.properties.library.enum as string[];
    expect([...libraryEnum].sort()).toEqual([...LIBRARY_NAMES].sort());
  });

  it('packages, their libraries and supported versions', () => {
    expect([...PACKAGE_NAMES].sort()).toEqual(['lodash', 'lodash-es', 'lodash.memoize', 'lru-cache', 'memoizee']);
    const ranges = Object.fromEntries(PACKAGE_NAMES.map((n) => [n, knownPackage(n)!.pkg.versions]));
    expect(ranges).toEqual({ lodash: '4.x', 'lodash.memoize': '4.x', 'lodash-es': '4.x', memoizee: '0.4.x', 'lru-cache': '>=4 <12' });
    // memoizee's helpers are skipped in locations, as the libraries themselves are.
    expect(LIBRARY_PACKAGES).toEqual(expect.arrayContaining(['memoizee', 'es5-ext', 'event-emitter', 'd']));
  });

  it("every file pattern is anchored (matched whole), and each library has an adapter and advice", () => {
    for (const plugin of LIBRARIES) {
      expect(typeof plugin.advice).toBe('function');
      for (const pkg of plugin.packages) {
        for (const file of pkg.files) expect(file.path.source).toMatch(/^\^.*\$$/);
      }
    }
  });

  it.each([
    ['lru-cache', 'index.js', true],
    ['lru-cache', 'index.mjs', true],
    ['lru-cache', 'dist/cjs/index-cjs.js', true],
    ['lru-cache', 'dist/esm/node/index.min.js', true],
    ['lru-cache', 'dist/commonjs/index.js', true],
    ['lru-cache', 'dist/esm/diagnostics-channel.js', false],
    ['lru-cache', 'dist/esm/perf.js', false],
    ['lodash', 'lodash.js', true],
    ['lodash', 'memoize.js', true],
    ['lodash', 'fp/memoize.js', false],
    ['lodash', '_MapCache.js', false],
    ['lodash-es', 'memoize.js', true],
    ['lodash-es', 'lodash.js', false],
    ['memoizee', 'plain.js', true],
    ['memoizee', 'index.js', false],
  ])('%s/%s is a declared file: %s', (name, inner, declared) => {
    expect(knownPackage(name)!.pkg.files.some((f) => f.path.test(inner))).toBe(declared);
  });
});

describe('version ranges', () => {
  it.each([
    ['4.1.5', '>=4 <12', true],
    ['11.5.3', '>=4 <12', true],
    ['12.0.0', '>=4 <12', false],
    ['3.2.0', '>=4 <12', false],
    ['11.0.0-rc.1', '>=4 <12', true],
    ['0.4.17', '0.4.x', true],
    ['0.3.10', '0.4.x', false],
    ['0.5.0', '0.4.x', false],
    ['4.17.21', '4.x', true],
    ['3.10.1', '4.x', false],
    ['unknown', '4.x', false],
    ['5.0.0', '4.x || 5', true],
    ['2.0.0', '>1 <=2', true],
    ['1.9.9', '>1 <=2', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});

describe('import-in-the-middle include patterns (module.register lines)', () => {
  const patterns = includePatterns();
  const included = (url: string): boolean => patterns.some((re) => re.test(url));
  it.each([
    ['file:///app/node_modules/lru-cache/dist/esm/index.js', true],
    ['file:///app/node_modules/lru-cache/index.mjs', true],
    ['file:///app/node_modules/dep/node_modules/lru-cache/dist/esm/index.min.js', true],
    ['file:///app/node_modules/lodash-es/memoize.js', true],
    ['file:///app/node_modules/lodash-es/lodash.js', false],
    // a package nested in a library's own node_modules is another package
    ['file:///app/node_modules/lru-cache/node_modules/signal-exit/dist/mjs/index.js', false],
    ['file:///app/node_modules/lru-cache/node_modules/x/index.js', false],
    ['file:///app/node_modules/lru-cache/dist/esm/perf.js', false],
    ['file:///app/node_modules/lru-cache-extra/index.js', false],
  ])('%s: %s', (url, expected) => {
    expect(included(url)).toBe(expected);
  });
});

describe('source rewriting (registerHooks lines)', () => {
  const url = 'file:///app/node_modules/x/index.js';
  it('only appends: every original line and column stays where it was', () => {
    const source = 'module.exports = 1;\n//# sourceMappingURL=index.js.map';
    for (const kind of ['cjs-exports', 'cjs-replace', 'esm-namespace'] as const) {
      const out = rewriteSource(source, kind, url)!;
      expect(out.startsWith(`${source}\n`)).toBe(true);
    }
  });

  it("rewrites lodash-es's `export default memoize;` in place, and nothing when the line is not there", () => {
    const out = rewriteSource('function memoize() {}\nmemoize.Cache = 1;\n\nexport default memoize;\n', 'esm-default', url)!;
    expect(out.split('\n').slice(0, 3)).toEqual(['function memoize() {}', 'memoize.Cache = 1;', '']);
    expect(out.split('\n')[3]).toMatch(/^export default \(globalThis\["__leakAgentLoad"\]\?\.loaded\(".*", memoize, null\) \?\? memoize\);$/);
    expect(rewriteSource('export { memoize as default };\n', 'esm-default', url)).toBeNull();
  });
});

describe('Node lines', () => {
  it.each([
    ['20.20.2', false, false],
    ['22.15.0', true, false],
    ['22.22.2', true, false],
    ['22.22.3', true, true],
    ['22.23.5', true, true],
    ['23.11.0', true, false],
    ['24.11.0', true, false],
    ['24.11.1', true, true],
    ['25.1.0', true, true],
    ['26.0.0', true, true],
  ])('%s (registerHooks present: %s) uses registerHooks: %s', (version, available, expected) => {
    expect(registerHooksUsable(version, available)).toBe(expected);
  });

  it('other tools’ loaders in the flags, not the agent’s own --import', () => {
    expect(otherLoaderFlags(['--import', 'leak-agent', '-r', 'x', '--import=tsx', '--loader', 'ts-node/esm', '--experimental-loader=./l.mjs'])).toEqual([
      '--import tsx',
      '--loader ts-node/esm',
      '--experimental-loader ./l.mjs',
    ]);
  });
});
