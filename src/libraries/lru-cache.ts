// lru-cache 4–11: every instance's class prototype gets wrapped insert methods (see src/adapters/lru-cache.ts).
import { log } from '../log';
import type { CacheAdapter } from '../track/registry';
import type { LibraryPlugin, LoadedFile } from './types';

// Loaded with the first lru-cache file, not at start-up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const adapter = (): typeof import('../adapters/lru-cache') => require('../adapters/lru-cache') as typeof import('../adapters/lru-cache');

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
        { path: /^(?:|(?:[\w-]+\/)*index(?:-cjs)?(?:\.min)?\.(?:js|mjs|cjs))$/, expose: 'exports', patch: patchBuild },
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
