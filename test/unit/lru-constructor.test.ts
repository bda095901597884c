// lru-cache's constructor reports each new cache (so its creation site is the app's `new LRUCache(…)`): one call added
// at the end of the constructor's first line of each unminified build; nothing else in the file moves.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertConstructorHook, lruCache } from '../../src/libraries/lru-cache';

const ROOT = join(__dirname, '..', '..', 'node_modules');
const MAJORS = ['lru4', 'lru5', 'lru6', 'lru7', 'lru8', 'lru9', 'lru10', 'lru11-2', 'lru11'];

/** The package's files the agent patches (its declared build entries), minified or not. */
function declaredFiles(alias: string): string[] {
  const base = join(ROOT, alias);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (lruCache.packages[0]!.files.some((f) => f.path.test(relative(base, path).split('\\').join('/')))) out.push(path);
    }
  };
  walk(base);
  return out;
}

describe('insertConstructorHook', () => {
  it.each(MAJORS)('%s: every unminified build gets one call at the end of one line; no line or column moves', (alias) => {
    let edited = 0;
    for (const file of declaredFiles(alias)) {
      const source = readFileSync(file, 'utf8');
      const out = insertConstructorHook(source);
      if (!source.includes('class LRUCache ') && !source.includes('function LRUCache (')) {
        expect({ file, out }).toEqual({ file, out: null }); // a minified build, or an entry that only re-exports
        continue;
      }
      expect(out, file).not.toBeNull();
      edited++;
      const before = source.split('\n');
      const after = out!.split('\n');
      expect(after).toHaveLength(before.length);
      const changed = after.map((line, i) => [line, before[i]!] as const).filter(([a, b]) => a !== b);
      expect(changed).toHaveLength(1);
      const [line, original] = changed[0]!;
      expect(line.startsWith(original)).toBe(true);
      expect(line.slice(original.length)).toBe(';globalThis["__leakAgentLruConstructed"]?.(this);');
      expect(original).toMatch(/^\s*(constructor\s*\(.*\)\s*\{|\})\s*$/);
    }
    if (alias !== 'lru11') expect(edited).toBeGreaterThan(0);
  });
});
