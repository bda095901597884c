// require() path: require-in-the-middle sees every copy of the packages loaded through `require`, including their
// internal files (`internals: true`: lodash/memoize.js, memoizee/plain.js, lru-cache's dist builds).
import { sep } from 'node:path';
import { Hook } from 'require-in-the-middle';
import { log } from '../log';
import { PACKAGES, type PackageName, onLibraryLoaded, packageVersion } from './dispatch';

let hook: Hook | null = null;

export function installRequireHook(): void {
  if (hook) return;
  hook = new Hook([...PACKAGES], { internals: true }, (exports: any, name: string, baseDir?: string): any => {
    if (!baseDir) return exports;
    const pkg = PACKAGES.find((p) => name === p || name.startsWith(p + sep)) as PackageName | undefined;
    if (!pkg) {
      log.hooks('ignoring %s: not a supported package', name);
      return exports;
    }
    const inner = name === pkg ? '' : name.slice(pkg.length + 1).split(sep).join('/');
    const replacement = onLibraryLoaded(
      { pkg, version: packageVersion(baseDir), baseDir, inner, via: 'require' },
      exports,
      null,
    );
    return replacement === undefined ? exports : replacement;
  });
}
