// Names for caches whose function has none, read from the app's source line at the creation site — also what
// compilers make of `const priceOf = memoize(…)`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureStack, parseStack } from '../../src/source/callsite';
import { nameFromSite } from '../../src/source/names';

const dir = mkdtempSync(join(tmpdir(), 'leak-agent-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The site of the call's argument list on `line` (V8 points there for `(0, f)(…)`, at the callee name otherwise). */
function site(file: string, line: string, at: string) {
  const path = join(dir, file);
  writeFileSync(path, `// generated\n${line}\n`);
  return { file: path, line: 2, column: line.indexOf(at) + 1, function: '<module>' };
}

describe('nameFromSite', () => {
  it.each([
    ['plain', 'const priceOf = memoize((o) => o.price);', 'memoize'],
    ['namespace', 'const priceOf = _.memoize((o) => o.price);', 'memoize'],
    ['tsc', 'exports.priceOf = (0, lodash_1.memoize)((o) => o.price);', '((o)'],
    ['esbuild / tsx', 'const priceOf = (0, import_lodash.memoize)((o) => o.price);', '((o)'],
    ['Babel', 'var priceOf = (0, _lodash.default)((o) => o.price);', '((o)'],
    ['property', 'x.byId = (0, lodash_1.memoize)((o) => o.id);', '((o)'],
    ['object literal', '  priceOf: memoize((o) => o.price),', 'memoize'],
    ['TypeScript source, through tsc\'s source map (the argument list)', 'export const priceOf = memoize((o: Order) => o.price);', '((o'],
    ['TypeScript source, namespace callee', 'export const priceOf = _.memoize((o: Order) => o.price);', '((o'],
  ])('%s', (_label, line, at) => {
    expect(nameFromSite(site(`${_label.replace(/\W/g, '')}.js`, line, at), 'assignment')).toBe(line.includes('byId') ? 'byId' : 'priceOf');
  });

  it("an lru-cache's first write names its receiver", () => {
    expect(nameFromSite(site('receiver.js', '  summaries.set(this, summary);', 'set'), 'receiver')).toBe('summaries');
  });

  it('nothing to read: null', () => {
    expect(nameFromSite(site('none.js', 'doWork(memoize(f));', 'memoize'), 'assignment')).toBeNull();
    expect(nameFromSite(null, 'assignment')).toBeNull();
  });
});

describe('captureStack', () => {
  it("names a timer's anonymous callback <anonymous>, not Node's internal _onTimeout, and keeps a named one", async () => {
    const inTimer = (fn: () => string | null) => new Promise<string | null>((resolve) => setTimeout(() => resolve(fn()), 1));
    const anonymous = await inTimer(function probe() {
      return captureStack(probe);
    });
    expect(parseStack(anonymous!)[0]!.function).toBe('<anonymous>');
    const named = await new Promise<string | null>((resolve) =>
      setTimeout(function tick() {
        resolve(captureStack(tick as Function));
      }, 1),
    );
    expect(parseStack(named!)[0]?.function).not.toBe('_onTimeout');
  });
});
