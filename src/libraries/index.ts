// The supported libraries: one declaration each (see types.ts). Everything the hooks, the report and the location
// code need to know about a library is derived from this list.
import { lodash } from './lodash';
import { lruCache } from './lru-cache';
import { memoizee } from './memoizee';
import type { LibraryPackage, LibraryPlugin } from './types';

export const LIBRARIES = [lodash, memoizee, lruCache] as const;

type NameOf<P> = P extends LibraryPlugin<infer L> ? L : never;

/** The report's `library` values ('lodash', 'lodash.memoize', 'lodash-es', 'memoizee', 'lru-cache'). */
export type LibraryName = NameOf<(typeof LIBRARIES)[number]>;

export interface KnownPackage {
  readonly plugin: LibraryPlugin<LibraryName>;
  readonly pkg: LibraryPackage<LibraryName>;
}

const byPackage = new Map<string, KnownPackage>();
const byLibrary = new Map<string, LibraryPlugin<LibraryName>>();
for (const plugin of LIBRARIES as readonly LibraryPlugin<LibraryName>[]) {
  for (const pkg of plugin.packages) {
    byPackage.set(pkg.name, { plugin, pkg });
    byLibrary.set(pkg.library, plugin);
  }
}

/** npm names of every package the hooks watch. */
export const PACKAGE_NAMES: readonly string[] = [...byPackage.keys()];

/** Every `library` value a report can carry (the schema's enum must be this set). */
export const LIBRARY_NAMES: readonly LibraryName[] = [...byLibrary.keys()] as LibraryName[];

export function knownPackage(name: string): KnownPackage | undefined {
  return byPackage.get(name);
}

export function pluginFor(library: string): LibraryPlugin<LibraryName> | undefined {
  return byLibrary.get(library);
}

/** Packages whose stack frames are never the app's: the libraries and the helpers they call through. */
export const LIBRARY_PACKAGES: readonly string[] = [
  ...PACKAGE_NAMES,
  ...LIBRARIES.flatMap((p: LibraryPlugin<LibraryName>) => p.helperPackages ?? []),
];

export type { AdviceInput, LibraryFile, LibraryPackage, LibraryPlugin, LoadedFile } from './types';
