// memoizee 0.4: every memoized function goes through memoizee/plain.js, which calls `plain.__profiler__(conf)`
// (medikoo/memoizee plain.js, 0.4.x). See src/adapters/memoizee.ts.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadOnce } from '../load-once';
import type { CacheAdapter } from '../track/registry';
import type { LibraryPlugin } from './types';

// Loaded with the first memoizee file, not at start-up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const adapter = loadOnce((): typeof import('../adapters/memoizee') => require('../adapters/memoizee') as typeof import('../adapters/memoizee'));

export const memoizee: LibraryPlugin<'memoizee'> = {
  packages: [
    {
      name: 'memoizee',
      // 0.3 (still inside tad's dependencies) has another plain.js; nothing else is released.
      library: 'memoizee',
      versions: '0.4.x',
      files: [
        {
          path: /^plain\.js$/,
          expose: 'exports',
          patch: (file, value): unknown => {
            adapter().patchMemoizeePlain(value, file.version, `${file.baseDir}/plain.js`);
            return undefined;
          },
        },
        {
          // ext/max.js and ext/max-age.js register themselves in memoizee's extension registry when first needed:
          // the agent wraps those entries to note each memoized function's bound (see noteBoundExtensions).
          path: /^ext\/max(-age)?\.js$/,
          expose: 'exports',
          patch: (file): unknown => {
            const registry = join(file.baseDir, 'lib', 'registered-extensions.js');
            adapter().noteBoundExtensions((file.require ?? createRequire(join(file.baseDir, 'package.json')))(registry));
            return undefined;
          },
        },
        {
          // Which normalizer a memoized function uses (a one-parameter function with `length: false` keeps every
          // argument, with length 1 only the first): see wrapVariadicNormalizerFactory and wrapResolveNormalize.
          path: /^normalizers\/get\.js$/,
          expose: 'replace',
          patch: (_file, value): unknown => adapter().wrapVariadicNormalizerFactory(value),
        },
        {
          path: /^lib\/resolve-normalize\.js$/,
          expose: 'replace',
          patch: (_file, value): unknown => adapter().wrapResolveNormalize(value),
        },
        {
          // memoizee/profile puts its own __profiler__ on plain's export: put the agent's back on top, chaining to it.
          path: /^profile\.js$/,
          expose: 'exports',
          patch: (file): unknown => {
            const plain = (file.require ?? createRequire(join(file.baseDir, 'package.json')))('./plain.js') as unknown;
            adapter().patchMemoizeePlain(plain, file.version, `${file.baseDir}/plain.js`, true);
            return undefined;
          },
        },
      ],
    },
  ],
  get adapter(): CacheAdapter {
    return adapter().memoizeeAdapter;
  },
  advice: () =>
    'use memoizee/weak so object arguments are held weakly, or pass a normalizer that returns a primitive id; max only bounds the leak',
  // memoizee calls through these on every memoized call (es5-ext's function helpers, its event emitter, d's
  // descriptors; timers-ext, next-tick and lru-queue for maxAge, async and max).
  helperPackages: ['es5-ext', 'event-emitter', 'd', 'timers-ext', 'next-tick', 'lru-queue'],
};
