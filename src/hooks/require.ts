// require() path for Node lines without a usable module.registerHooks (see lines.ts): require-in-the-middle sees
// every copy of the packages loaded through `require`, including their internal files (`internals: true`:
// lodash/memoize.js, memoizee/plain.js, lru-cache's dist builds). Where the in-thread load hook runs it sees all of
// this too, and this hook is not installed.
import { sep } from 'node:path';
import { Hook } from 'require-in-the-middle';
import { PACKAGE_NAMES } from '../libraries/index';
import { log } from '../log';
import { libraryFile, onLibraryLoaded } from './dispatch';

let hook: Hook | null = null;

export function installRequireHook(): void {
  if (hook) return;
  hook = new Hook([...PACKAGE_NAMES], { internals: true }, (exports: any, name: string, baseDir?: string): any => {
    if (!baseDir) {
      log.hooks('ignoring %s (require): no package directory', name);
      return exports;
    }
    const pkg = PACKAGE_NAMES.find((p) => name === p || name.startsWith(p + sep));
    if (!pkg) {
      log.hooks('ignoring %s (require): not a supported package', name);
      return exports;
    }
    // '' is the package's main file (require-in-the-middle names it by the package alone).
    const inner = name === pkg ? '' : name.slice(pkg.length + 1).split(sep).join('/');
    const target = libraryFile(pkg, baseDir, inner, 'require');
    if (!target) return exports;
    const replacement = onLibraryLoaded(target, exports, null);
    return replacement === undefined ? exports : replacement;
  });
  log.hooks('require hook installed (require-in-the-middle)');
}
