// lodash's memoize in every packaging (lodash/lodash 4.17–4.18; see src/adapters/lodash.ts for what is wrapped).
import { loadOnce } from '../load-once';
import type { CacheAdapter } from '../track/registry';
import type { LibraryFile, LibraryPlugin } from './types';

// Loaded with the first lodash file, not at start-up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const adapter = loadOnce((): typeof import('../adapters/lodash') => require('../adapters/lodash') as typeof import('../adapters/lodash'));

type LodashLibrary = 'lodash' | 'lodash.memoize' | 'lodash-es';

/** `memoize` itself is the export (lodash/memoize.js, lodash.memoize, lodash-es/memoize.js): replace it. */
function memoizeExport(path: RegExp, leaf: boolean): LibraryFile<LodashLibrary> {
  return {
    path,
    expose: 'replace',
    leaf,
    patch: (file, value): unknown => (typeof value === 'function' ? adapter().wrapLodashMemoize(value, file.library, file.version) : undefined),
  };
}

export const lodash: LibraryPlugin<LodashLibrary> = {
  packages: [
    {
      name: 'lodash',
      library: 'lodash',
      versions: '4.x',
      files: [
        // The monolith (also what index.js re-exports, and lodash/fp's lodash.min + runInContext): `_.memoize` is
        // a writable property, mutated in place. '' is the package's main file as the require hook names it.
        {
          path: /^(?:|index\.js|lodash\.js|lodash\.min\.js)$/,
          expose: 'exports',
          // index.js is `module.exports = require('./lodash')`: that require is seen on its own.
          leaf: true,
          patch: (file, value): unknown => {
            adapter().patchLodashObject(value, 'lodash', file.version, `${file.baseDir}/${file.inner || 'lodash.js'}`);
            return undefined;
          },
        },
        // Modular lodash: lodash/fp/memoize.js converts this same export.
        memoizeExport(/^memoize\.js$/, false),
      ],
    },
    { name: 'lodash.memoize', library: 'lodash.memoize', versions: '4.x', files: [memoizeExport(/^(?:|index\.js)$/, true)] },
    // `export default memoize;` in memoize.js; lodash.js, function.js and _memoizeCapped.js import it from there.
    { name: 'lodash-es', library: 'lodash-es', versions: '4.x', files: [memoizeExport(/^memoize\.js$/, false)] },
  ],
  get adapter(): CacheAdapter {
    return adapter().lodashAdapter;
  },
  advice(input) {
    if (input.hints?.has('keyed-by-this')) {
      return 'the resolver returns `this`, so every instance stays a key: return a primitive id (this.id), cache on the instance (a #private field), or use a WeakMap cache (fn.cache = new WeakMap())';
    }
    return 'key the cache by a primitive id (a resolver such as (obj) => obj.id), cache on the instance, or use a WeakMap cache (fn.cache = new WeakMap(), or _.memoize.Cache = WeakMap before memoizing)';
  },
  // The wrapped resolver remembers its last key until the miss that follows: forget it before judging.
  beforeVerify: (record) => adapter().clearResolverSlot(record),
};
