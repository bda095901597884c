// The one seam between the runner integrations and the library patches: "this file of a package has just run in a
// test runner's own module registry, here is its module object". Everything library-specific stays in the
// dispatcher and the adapters (src/hooks/dispatch.ts, src/adapters/*): these two functions only find the package and
// hand the exports over, so when the library declarations move (src/libraries), only this file follows them.
import { patchMemoizeePlain } from '../adapters/memoizee';
import { PACKAGES, type PackageName, onLibraryLoaded, packageOf, packageVersion } from '../hooks/dispatch';
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
  return where !== null && (PACKAGES as readonly string[]).includes(where.name);
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
    const where = packageOf(filename);
    if (where === null || !(PACKAGES as readonly string[]).includes(where.name)) return;
    const pkg = where.name as PackageName;
    const version = packageVersion(where.baseDir);
    const loaded = { pkg, version, baseDir: where.baseDir, inner: where.inner, via };
    if (pkg === 'memoizee' && where.inner === 'profile.js') {
      // memoizee/profile puts its own __profiler__ on plain's export. The dispatcher finds that export with Node's
      // require, which in a runner's registry is another copy: take the registry's own, through the module's require.
      const plain = module.require?.('./plain.js');
      patchMemoizeePlain(plain, version, `${where.baseDir}/plain.js`, true);
      return;
    }
    const exportsValue = module.exports;
    const replacement = onLibraryLoaded(loaded, exportsValue, null);
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
        const inner = onLibraryLoaded(loaded, exportsValue.default, null);
        if (inner !== undefined) Object.defineProperty(exportsValue, 'default', { ...desc, value: inner });
      } else {
        log.hooks('%s/%s: its default export is not a writable property; not instrumented (%s)', pkg, where.inner, via);
      }
    }
  } catch (err) {
    reportInternalError(`instrumenting ${filename} (${via})`, err);
  }
}
