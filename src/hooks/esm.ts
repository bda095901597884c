// import path for Node lines without a usable module.registerHooks (lines.ts): import-in-the-middle's loader,
// registered with module.register, wraps only the libraries' declared files, and its addHook callback runs in this
// thread with the module's namespace. It also sees CommonJS packages that an ES module imports
// (`import _ from 'lodash'`) before they run; compile-hook.ts patches them too (patches are idempotent).
// `import … = require`: no __importStar copying every export of node:module at start-up.
import nodeModule = require('node:module');
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LIBRARIES, type LibraryPlugin } from '../libraries/index';
import { log, reportInternalError } from '../log';
import { libraryFileAt, onLibraryLoaded } from './dispatch';
import { otherLoaderFlags } from './flags';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * import-in-the-middle's `include` list, from the declarations: a declared file of a supported package, never a file
 * of a package nested in that package's own node_modules (that is another package). Narrow on purpose: wrapping a
 * module changes how it links (a wrapper reads every export once), which broke unusual exports and import cycles
 * (import-in-the-middle#157, #107; tap's own dependencies when they sat in lru-cache/node_modules).
 */
export function includePatterns(): RegExp[] {
  const out: RegExp[] = [];
  for (const plugin of LIBRARIES as readonly LibraryPlugin[]) {
    for (const pkg of plugin.packages) {
      for (const file of pkg.files) {
        const inner = file.path.source.replace(/^\^/, '').replace(/\$$/, '');
        out.push(new RegExp(`/node_modules/${escape(pkg.name)}/(?!(?:[^?#]*/)?node_modules/)(?:${inner})(?:[?#].*)?$`));
      }
    }
  }
  return out;
}

let installed = false;

/** Register the loader now (module.register starts Node's module-hooks thread: about 100 ms, see import-trigger.ts). */
export function installImportHook(agentFile: string, why: string): void {
  if (installed) return;
  installed = true;
  const register = (nodeModule as { register?: (specifier: string, parent: URL, options: object) => void }).register;
  if (typeof register !== 'function') {
    log.hooks('module.register is not available: import of ES modules is not instrumented');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const iitm = require('import-in-the-middle') as typeof import('import-in-the-middle');
  // Not import-in-the-middle's module.registerHooks variant: it makes `node -r … -e` fail with ENOENT 'module'
  // (it gives `node:module`, required by the -e evaluator with no parent, the format 'commonjs').
  register('import-in-the-middle/hook.mjs', pathToFileURL(agentFile), { data: { include: includePatterns() } });
  iitm.addHook((url, namespace) => {
    try {
      if (!url.startsWith('file:')) {
        log.hooks('ignoring %s (import): not a file', url);
        return;
      }
      const target = libraryFileAt(fileURLToPath(url), 'import');
      if (!target) return;
      const ns = namespace as Record<string, unknown>;
      const replacement = onLibraryLoaded(target, ns.default, ns);
      if (replacement !== undefined && 'default' in ns) ns.default = replacement;
    } catch (err) {
      reportInternalError('instrumenting an imported module', err);
    }
  });
  log.hooks('import hook registered (module.register, import-in-the-middle): %s', why);
  // Hooks registered after the agent's run first: a loader that resolves or loads a module itself, without passing
  // the request on (ts-node's ESM loader, as tap 18+ uses it), keeps that import from reaching this one.
  const others = otherLoaderFlags();
  if (others.length > 0) {
    log.hooks('other module hooks are registered (%s): imports they resolve or load themselves are not instrumented on this Node line', others.join(', '));
  }
}
