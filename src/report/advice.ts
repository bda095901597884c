// One sentence per cache: how to stop it keeping dead objects alive, in that library's own terms.
import type { LibraryName } from '../track/registry';

export interface AdviceInput {
  library: LibraryName;
  libraryVersion: string;
  options: Record<string, number | boolean | string>;
  deadKeys: number;
  hints?: ReadonlySet<string>;
  /** When the snapshot engine found a cached value pointing back at its key: the path (".owner"). */
  valuePath?: string | null;
}

function isBounded(options: AdviceInput['options']): boolean {
  return typeof options.max === 'number' || typeof options.maxSize === 'number';
}

export function adviceFor(input: AdviceInput): string {
  const base = baseAdvice(input);
  const path = input.valuePath ?? null;
  // Keyed by an id, such an entry still pins the object through its value: the back-reference has to go too.
  return path ? `${base}; the cached value also points back at its key (${path}), so drop that reference as well` : base;
}

function baseAdvice(input: AdviceInput): string {
  switch (input.library) {
    case 'lodash':
    case 'lodash-es':
    case 'lodash.memoize':
      if (input.hints?.has('keyed-by-this')) {
        return 'the resolver returns `this`, so every instance stays a key: return a primitive id (this.id), cache on the instance (a #private field), or use a WeakMap cache (fn.cache = new WeakMap())';
      }
      return 'key the cache by a primitive id (a resolver such as (obj) => obj.id), cache on the instance, or use a WeakMap cache (fn.cache = new WeakMap(), or _.memoize.Cache = WeakMap before memoizing)';
    case 'memoizee':
      return 'use memoizee/weak so object arguments are held weakly, or pass a normalizer that returns a primitive id; max only bounds the leak';
    case 'lru-cache': {
      const major = Number.parseInt(input.libraryVersion, 10);
      const bound = isBounded(input.options)
        ? 'a smaller max only bounds the leak'
        : major >= 7 && typeof input.options.ttl === 'number'
          ? 'a ttl without max or ttlAutopurge never evicts on its own: at least set max'
          : 'at least set max';
      return `key the cache by a primitive id (for example obj.id) instead of the object, or keep per-object data in a WeakMap; ${bound}`;
    }
    default:
      return 'key the cache by a primitive id instead of the object';
  }
}
