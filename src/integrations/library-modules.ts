// The one seam between the runner integrations and the library patches: "this file of a package has just run in a
// test runner's own module registry, here is its module object". Everything library-specific stays in the
// dispatcher and the adapters (src/hooks/dispatch.ts, src/adapters/*): these two functions only find the package and
// hand the exports over, so when the library declarations move (src/libraries), only this file follows them.
import { type LibraryTarget, libraryFileAt, onLibraryLoaded, packageOf } from '../hooks/dispatch';
import { knownPackage } from '../libraries/index';
import { log, reportInternalError } from '../log';

/** A CommonJS module object as a runner's registry keeps it: what requirers get is `exports` after the body ran. */
export interface RegistryModule {
  exports: unknown;
  /** The runner's `require` for this module (resolves and loads through the same registry). */
  require?: (id: string) => unknown;
}

const NODE_MODULES = '/node_modules/';

/** Whether `filename` belongs to a supported package (cheap: most files a runner loads are not in one). */
export function isLibraryFile(filename: string): boolean {
  if (!filename.includes(NODE_MODULES) && !filename.includes('\\node_modules\\')) return false;
  const where = packageOf(filename);
  return where !== null && knownPackage(where.name) !== undefined;
}

function isEsModuleInterop(value: unknown): value is { default: unknown } {
  return typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true && 'default' in value;
}

/**
 * Patch a supported library's module after its body ran in a runner's registry: objects and classes in place, a
 * bare function export (lodash/memoize.js, lodash.memoize) replaced on the module object, so every later require
 * through that registry gets the instrumented one. Never throws.
 */
export function patchLibraryModule(filename: string, module: RegistryModule, via: string): void {
  try {
    const found = libraryFileAt(filename, via);
    if (found === null) return;
    // The registry's own `require`: memoizee/profile's patch takes plain.js from there (Node's would be another copy).
    const target: LibraryTarget = module.require ? { ...found, loaded: { ...found.loaded, require: module.require } } : found;
    const { pkg, inner } = target.loaded;
    const exportsValue = module.exports;
    const replacement = onLibraryLoaded(target, exportsValue, null);
    if (replacement !== undefined) {
      module.exports = replacement;
      return;
    }
    // An ES module compiled to CommonJS by the runner's transform (lodash-es through babel-jest): the function is
    // its `default`, which the compiled importers read on every call (`(0, _memoize.default)(…)`). lru-cache's and
    // memoizee's patches look at `default` themselves.
    if (pkg.startsWith('lodash') && isEsModuleInterop(exportsValue) && typeof exportsValue.default === 'function') {
      const desc = Object.getOwnPropertyDescriptor(exportsValue, 'default');
      if (desc && 'value' in desc && desc.writable) {
        const wrapped = onLibraryLoaded(target, exportsValue.default, null);
        if (wrapped !== undefined) Object.defineProperty(exportsValue, 'default', { ...desc, value: wrapped });
      } else {
        log.hooks('%s/%s: its default export is not a writable property; not instrumented (%s)', pkg, inner, via);
      }
    }
  } catch (err) {
    reportInternalError(`instrumenting ${filename} (${via})`, err);
  }
}
