// lru-cache 4–11: every instance's class prototype gets wrapped insert methods (see src/adapters/lru-cache.ts).
import { loadOnce } from '../load-once';
import { log } from '../log';
import type { CacheAdapter } from '../track/registry';
import type { LibraryPlugin, LoadedFile } from './types';

// Loaded with the first lru-cache file, not at start-up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const adapter = loadOnce((): typeof import('../adapters/lru-cache') => require('../adapters/lru-cache') as typeof import('../adapters/lru-cache'));

function isBounded(options: Record<string, unknown>): boolean {
  return typeof options.max === 'number' || typeof options.maxSize === 'number';
}

/** Patch every lru-cache class a build exports (CJS builds and ESM builds are different classes). */
function patchBuild(file: LoadedFile<'lru-cache'>, value: unknown, namespace: Readonly<Record<string, unknown>> | null): unknown {
  const candidates: unknown[] = [value];
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    const e = value as Record<string, unknown>;
    candidates.push(e.LRUCache, e.default);
  }
  if (namespace) candidates.push(namespace.LRUCache, namespace.default);
  const { looksLikeLruClass, patchLruCacheClass } = adapter();
  const seen = new Set<unknown>();
  for (const c of candidates) {
    if (seen.has(c) || !looksLikeLruClass(c)) continue;
    seen.add(c);
    patchLruCacheClass(c, file.version, `${file.baseDir}/${file.inner}`);
  }
  if (seen.size === 0) log.hooks('lru-cache %s: no cache class in %s (%s)', file.version, file.inner || 'main', file.via);
  return undefined;
}

/**
 * The global the constructor hook calls (src/adapters/lru-cache.ts defines it, non-enumerable): a string name, so that
 * constructing a cache never depends on a global the app may have replaced (see LOAD_CALLBACK_KEY in hooks/rewrite.ts).
 */
export const CONSTRUCTED_KEY = '__leakAgentLruConstructed';
const CALL = `;globalThis[${JSON.stringify(CONSTRUCTED_KEY)}]?.(this);`;

/**
 * Report each new cache from lru-cache's own constructor, so a cache's creation site is the app's `new LRUCache(…)`
 * line (not its first write): one call added at the end of the constructor's first line — after the 4.x function's
 * "called without new" check, or after `constructor(…) {` in `class LRUCache` (5–11) — so nothing else moves. Only
 * where that line ends there: the minified builds (11.2+'s default entries, the /min entries) have everything on one
 * line and stay as they are (their caches' creation site is their first write).
 */
export function insertConstructorHook(source: string): string | null {
  let at: number;
  const v4 = /^function LRUCache \(options\) \{\n\s*if \(!\(this instanceof LRUCache\)\) \{\n\s*return new LRUCache\(options\)\n\s*\}[ \t]*$/m.exec(source);
  if (v4) {
    at = v4.index + v4[0].length;
  } else {
    const cls = source.indexOf('class LRUCache ');
    if (cls === -1) return null;
    const ctor = /^[ \t]*constructor[ \t]*\([^)\n]*\)[ \t]*\{[ \t]*$/m;
    const m = ctor.exec(source.slice(cls));
    if (!m) return null;
    at = cls + m.index + m[0].length;
  }
  return source.slice(0, at) + CALL + source.slice(at);
}

export const lruCache: LibraryPlugin<'lru-cache'> = {
  packages: [
    {
      name: 'lru-cache',
      library: 'lru-cache',
      versions: '>=4 <12',
      files: [
        // The builds' entry files (isaacs/node-lru-cache): 4–6 index.js; 7 index.js, index.mjs; 8 dist/cjs/index-cjs.js,
        // dist/{cjs,mjs}/index(.min).js; 10–11 dist/{commonjs,esm}/index(.min).js, 11.3+ also under node/,
        // browser/, react-native/ (`/raw` is the unminified index.js). Not diagnostics-channel.js or perf.js.
        { path: /^(?:|(?:[\w-]+\/)*index(?:-cjs)?(?:\.min)?\.(?:js|mjs|cjs))$/, expose: 'exports', patch: patchBuild, edit: insertConstructorHook },
      ],
    },
  ],
  get adapter(): CacheAdapter {
    return adapter().lruAdapter;
  },
  advice(input) {
    const major = Number.parseInt(input.libraryVersion, 10);
    const bound = isBounded(input.options)
      ? 'a smaller max only bounds the leak'
      : major >= 7 && typeof input.options.ttl === 'number'
        ? 'a ttl without max or ttlAutopurge never evicts on its own: at least set max'
        : 'at least set max';
    return `key the cache by a primitive id (for example obj.id) instead of the object, or keep per-object data in a WeakMap; ${bound}`;
  },
};
