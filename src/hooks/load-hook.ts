// The module hook for Node lines with a usable module.registerHooks (see lines.ts): ONE synchronous, in-thread
// `load` hook sees every module this thread loads — require and import, CommonJS and ES modules, require(esm),
// createRequire, the entry point, CommonJS imported from ES modules — with no hooks thread, no module.register()
// (runtime-deprecated on Node 26, DEP0205) and no warning.
//
// It hands `nextLoad`'s result back untouched for every file that is not one of the supported libraries' own
// declared files (src/libraries). For those it appends a call back into the agent (rewrite.ts); the callback runs
// the library's patch with the file's exports once the file has run.
import { readFileSync } from 'node:fs';
// `import … = require`: no __importStar copying every export of node:module at start-up.
import nodeModule = require('node:module');
import { fileURLToPath } from 'node:url';
import { log, reportInternalError } from '../log';
import { loadOnce } from '../load-once';
import type { LibraryTarget } from './dispatch';
import { LOAD_CALLBACK_KEY, type LoadCallback, type RewriteKind, rewriteSource } from './rewrite';

// The library declarations and the dispatcher load with the first file from node_modules, not at start-up. Their
// require() runs this hook again for each of the agent's own files (in node_modules/leak-agent when installed):
// `loadingAgent` hands those back untouched instead of asking a half-loaded module.
let loadingAgent = false;
function agentModule<T>(load: () => T): T {
  const outer = loadingAgent;
  loadingAgent = true;
  try {
    return load();
  } finally {
    loadingAgent = outer;
  }
}
/* eslint-disable @typescript-eslint/no-require-imports */
const dispatch = loadOnce((): typeof import('./dispatch') => agentModule(() => require('./dispatch') as typeof import('./dispatch')));
const libraries = loadOnce((): typeof import('../libraries/index') =>
  agentModule(() => require('../libraries/index') as typeof import('../libraries/index')));
/* eslint-enable @typescript-eslint/no-require-imports */

// Library files the hook rewrote, by URL, for the callback (a file may go through `load` twice, for require and for
// import, and run once).
const rewritten = new Map<string, LibraryTarget>();
let installed = false;

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => LoadResult;

/**
 * The package a file: URL inside node_modules belongs to (after the last node_modules) and the path inside it, or
 * null. From the URL alone: most node_modules files belong to other packages or are not declared files.
 */
function packageInUrl(url: string): { name: string; inner: string } | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at === -1) return null;
  let rest = url.slice(at + 14);
  const query = rest.search(/[?#]/);
  if (query !== -1) rest = rest.slice(0, query);
  if (rest.includes('%')) {
    try {
      rest = decodeURIComponent(rest);
    } catch {
      return null; // a malformed escape: no supported package's file
    }
  }
  const first = rest.indexOf('/');
  const end = rest.startsWith('@') ? rest.indexOf('/', first + 1) : first;
  if (first === -1 || end === -1) return null;
  return { name: rest.slice(0, end), inner: rest.slice(end + 1) };
}

function decode(source: string | ArrayBuffer | ArrayBufferView): string {
  // Not String(source): a Uint8Array would become "105,109,…".
  return typeof source === 'string' ? source : new TextDecoder().decode(source as Uint8Array);
}

function kindOf(format: string | null | undefined, target: LibraryTarget): RewriteKind | null {
  const replace = target.file.expose === 'replace';
  if (format === 'module') return replace ? 'esm-default' : 'esm-namespace';
  // require() of a .js file in a package without "type" reports no format.
  if (format === 'commonjs' || format === undefined || format === null) return replace ? 'cjs-replace' : 'cjs-exports';
  return null;
}

function load(url: string, context: unknown, nextLoad: NextLoad): LoadResult {
  const result = nextLoad(url, context);
  if (loadingAgent) {
    log.hooks('ignoring %s: one of the agent’s own modules, loading from inside this hook', url);
    return result;
  }
  try {
    // The common case first, as cheaply as possible: app files and node: builtins.
    if (!url.startsWith('file:') || !url.includes('/node_modules/')) {
      log.hooks('ignoring %s: not a file in node_modules', url);
      return result;
    }
    const conditions = (context as { conditions?: readonly string[] } | null)?.conditions;
    const via = conditions?.includes('require') ? 'require' : 'import';
    // Most node_modules files belong to other packages: tell from the URL before turning it into a path.
    const where = packageInUrl(url);
    const known = where && libraries().knownPackage(where.name);
    if (!known) {
      log.hooks('ignoring %s (%s): not a supported package', where?.name ?? url, via);
      return result;
    }
    if (!known.pkg.files.some((f) => f.path.test(where!.inner))) {
      log.hooks('ignoring %s/%s (%s): not a file the agent patches', where!.name, where!.inner, via);
      return result;
    }
    const target = dispatch().libraryFileAt(fileURLToPath(url), via);
    if (!target) return result;
    const { loaded } = target;
    let { source: original, format } = result;
    if (original == null) {
      // `import` of CommonJS while another tool's module.register() hooks are loaded: Node hands no source and runs
      // the file through the CommonJS loader, which does not call this hook for it again (its own requires do).
      if (!target.file.leaf || (format !== 'commonjs' && format != null)) {
        log.hooks('not instrumenting %s/%s (%s): Node gives no source while another tool’s module.register() hooks are loaded', loaded.pkg, loaded.inner, via);
        return result;
      }
      original = readFileSync(fileURLToPath(url));
      format = 'commonjs';
    }
    const kind = kindOf(format, target);
    if (!kind) {
      log.hooks('ignoring %s/%s (%s): format %s', loaded.pkg, loaded.inner, via, String(format));
      return result;
    }
    let text = decode(original);
    try {
      text = target.file.edit?.(text) ?? text;
    } catch (err) {
      reportInternalError('editing a library file as it loads', err);
    }
    const source = rewriteSource(text, kind, url);
    if (source === null) {
      log.hooks('ignoring %s@%s %s (%s): its `export default <name>;` line was not found', loaded.pkg, loaded.version, loaded.inner, via);
      return result;
    }
    rewritten.set(url, target);
    log.hooks('instrumenting %s@%s %s (%s, %s)', loaded.pkg, loaded.version, loaded.inner, via, kind);
    return { ...result, format, source };
  } catch (err) {
    reportInternalError('instrumenting a module as it loads', err);
    return result;
  }
}

/** What the code appended to a library file calls once the file has run. Never throws into module loading. */
const callback: LoadCallback = Object.freeze({
  loaded(url: string, value: unknown, namespace: Readonly<Record<string, unknown>> | null): unknown {
    try {
      const target = rewritten.get(url) ?? dispatch().libraryFileAt(fileURLToPath(url), 'load hook');
      if (!target) return undefined;
      const exported = namespace !== null && value === undefined ? namespace.default : value;
      return dispatch().onLibraryLoaded(target, exported, namespace);
    } catch (err) {
      reportInternalError('instrumenting a loaded module', err);
      return undefined;
    }
  },
});

export function installLoadHook(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(globalThis, LOAD_CALLBACK_KEY, {
    value: callback,
    enumerable: false,
    configurable: true,
    writable: false,
  });
  // Typed here: @types/node 20 (the oldest line) does not know registerHooks.
  const { registerHooks } = nodeModule as unknown as { registerHooks: (hooks: { load: typeof load }) => unknown };
  registerHooks({ load });
  log.hooks('load hook registered (module.registerHooks, in this thread)');
}
