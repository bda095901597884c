// One place that knows which file of which package gets which patch. Both loaders (require and import) feed it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { patchLodashObject, wrapLodashMemoize } from '../adapters/lodash';
import { looksLikeLruClass, patchLruCacheClass } from '../adapters/lru-cache';
import { patchMemoizeePlain } from '../adapters/memoizee';
import { faultPoint } from '../fault';
import { log, reportInternalError } from '../log';

export const PACKAGES = ['lru-cache', 'lodash', 'lodash.memoize', 'lodash-es', 'memoizee'] as const;
export type PackageName = (typeof PACKAGES)[number];

const versions = new Map<string, string>();

export function packageVersion(baseDir: string): string {
  let v = versions.get(baseDir);
  if (v !== undefined) return v;
  try {
    const pkg = JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8')) as { version?: unknown };
    v = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    v = 'unknown';
  }
  versions.set(baseDir, v);
  return v;
}

/** Split an absolute file path into (package name, package dir, path inside the package), or null. */
export function packageOf(file: string): { name: string; baseDir: string; inner: string } | null {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at === -1) return null;
  const rest = file.slice(at + marker.length).split(sep);
  const scoped = rest[0]?.startsWith('@');
  const nameParts = scoped ? rest.slice(0, 2) : rest.slice(0, 1);
  const name = nameParts.join('/');
  const baseDir = file.slice(0, at + marker.length) + nameParts.join(sep);
  const inner = rest.slice(nameParts.length).join('/');
  return { name, baseDir, inner };
}

export interface Loaded {
  pkg: PackageName;
  version: string;
  baseDir: string;
  /** Path inside the package with '/' separators ('' when only the main entry is known). */
  inner: string;
  /** 'require' or 'import', for diagnostics. */
  via: string;
}

/**
 * Patch what `exports` (or a module namespace's `default`/named exports) offers. Returns a replacement for the
 * module's main value when the export itself must be replaced (a bare `memoize` function), or undefined.
 */
export function onLibraryLoaded(mod: Loaded, exportsValue: unknown, named: Record<string, unknown> | null): unknown {
  try {
    faultPoint('patch');
    switch (mod.pkg) {
      case 'lru-cache':
        patchLruExports(mod, exportsValue, named);
        return undefined;
      case 'lodash':
        if (mod.inner === 'memoize.js' || mod.inner === 'memoize') {
          return typeof exportsValue === 'function' ? wrapLodashMemoize(exportsValue, 'lodash', mod.version) : undefined;
        }
        if (mod.inner === '' || mod.inner === 'lodash.js' || mod.inner === 'lodash.min.js' || mod.inner === 'index.js') {
          patchLodashObject(exportsValue, 'lodash', mod.version, `${mod.baseDir}/${mod.inner}`);
        }
        return undefined;
      case 'lodash.memoize':
        if (mod.inner === '' || mod.inner === 'index.js') {
          return typeof exportsValue === 'function' ? wrapLodashMemoize(exportsValue, 'lodash.memoize', mod.version) : undefined;
        }
        return undefined;
      case 'lodash-es':
        if (mod.inner === 'memoize.js') {
          return typeof exportsValue === 'function' ? wrapLodashMemoize(exportsValue, 'lodash-es', mod.version) : undefined;
        }
        return undefined;
      case 'memoizee':
        if (mod.inner === 'plain.js') {
          patchMemoizeePlain(exportsValue, mod.version, `${mod.baseDir}/plain.js`);
        } else if (mod.inner === 'profile.js') {
          // memoizee/profile replaced plain's __profiler__ with its own: put ours back on top, chaining to it.
          const plain = createRequire(join(mod.baseDir, 'package.json'))('./plain.js') as unknown;
          patchMemoizeePlain(plain, mod.version, `${mod.baseDir}/plain.js`, true);
        }
        return undefined;
      default:
        return undefined;
    }
  } catch (err) {
    reportInternalError(`patching ${mod.pkg}@${mod.version}`, err);
    return undefined;
  }
}

function patchLruExports(mod: Loaded, exportsValue: unknown, named: Record<string, unknown> | null): void {
  const seen = new Set<unknown>();
  const candidates: unknown[] = [exportsValue];
  if (exportsValue !== null && (typeof exportsValue === 'object' || typeof exportsValue === 'function')) {
    const e = exportsValue as Record<string, unknown>;
    candidates.push(e.LRUCache, e.default);
  }
  if (named) candidates.push(named.LRUCache, named.default);
  let patched = 0;
  for (const c of candidates) {
    if (seen.has(c) || !looksLikeLruClass(c)) continue;
    seen.add(c);
    if (patchLruCacheClass(c, mod.version, `${mod.baseDir}/${mod.inner}`)) patched++;
  }
  if (patched === 0 && seen.size === 0) log.hooks('lru-cache %s: no cache class in %s (%s)', mod.version, mod.inner || 'main', mod.via);
}
