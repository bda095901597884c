// import path: import-in-the-middle's loader (registered with module.register) wraps only the few files the agent
// patches, and its addHook callback runs in this thread with the module's namespace. It also sees CommonJS packages
// that an ES module imports (`import _ from 'lodash'`), which never pass through require-in-the-middle.
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { log, reportInternalError } from '../log';
import { PACKAGES, type PackageName, onLibraryLoaded, packageOf, packageVersion } from './dispatch';

// Narrow on purpose: wrapping every module has a history of breaking unusual exports (import-in-the-middle#157, #107).
const INCLUDE = [
  /\/node_modules\/lru-cache\/.+\.m?js$/,
  /\/node_modules\/lodash\/(lodash|lodash\.min|memoize|index)\.js$/,
  /\/node_modules\/lodash\.memoize\/index\.js$/,
  /\/node_modules\/lodash-es\/memoize\.js$/,
  /\/node_modules\/memoizee\/(index|plain|profile|weak|weak-plain|methods|methods-plain)\.js$/,
];

let installed = false;


export function installImportHook(agentFile: string): void {
  if (installed) return;
  installed = true;
  if (typeof register !== 'function') {
    log.hooks('module.register is not available: import of ES modules is not instrumented');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const iitm = require('import-in-the-middle') as typeof import('import-in-the-middle');
  // Not import-in-the-middle's in-thread module.registerHooks variant: with it, Node 24.21 fails to load builtins
  // that CommonJS code requires afterwards (ENOENT 'module'), which would take the app down.
  register('import-in-the-middle/hook.mjs', pathToFileURL(agentFile), { data: { include: INCLUDE } });
  iitm.addHook((url, namespace) => {
    try {
      if (!url.startsWith('file:')) return;
      const file = fileURLToPath(url);
      const where = packageOf(file);
      if (!where || !(PACKAGES as readonly string[]).includes(where.name)) return;
      const ns = namespace as Record<string, unknown>;
      const replacement = onLibraryLoaded(
        { pkg: where.name as PackageName, version: packageVersion(where.baseDir), baseDir: where.baseDir, inner: where.inner, via: 'import' },
        ns.default,
        ns,
      );
      if (replacement !== undefined && 'default' in ns) ns.default = replacement;
    } catch (err) {
      reportInternalError('instrumenting an imported module', err);
    }
  });
  log.hooks('ESM loader hook registered');
}
