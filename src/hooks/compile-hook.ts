// The module hook for Node lines without a usable module.registerHooks (Node 20, early 22/24 patch releases; see
// lines.ts): one wrapper of Module.prototype._compile, which Node's CommonJS loader calls for every CommonJS file
// it runs — through require(), createRequire, the entry point, and `import` of CommonJS (whose translator loads the
// file with the CommonJS loader on these lines) — with the file's source, before the file runs.
//   - After a declared library file has run, its exports are patched, or replaced on `module.exports` before the
//     require() that loaded it returns (require-in-the-middle did this before; it cost about 16 ms of start-up on
//     Node 20 — it loads `debug` — and saw neither the top-level CommonJS file of an `import` nor the entry).
//   - Before a file that can load an ES module runs, the import hook is registered (import-trigger.ts, esm.ts).
// The wrapper is one frame under every CommonJS module's top-level code, as require-in-the-middle's was under every
// require(). Worker threads' entries are judged in Module.runMain, put back at its first call.
// `import … = require`: no __importStar copying every export of node:module at start-up.
import nodeModule = require('node:module');
import { sep } from 'node:path';
import { log, reportInternalError } from '../log';
import { loadOnce } from '../load-once';
import { isMainThread } from '../loader-thread';
import { type FindPath, entryReason, reasonToRegisterAtStart, reasonToRegisterFor } from './import-trigger';

type CompileFn = (this: unknown, content: string, filename: string, format?: string) => unknown;
type RunMainFn = (this: unknown, main?: string) => unknown;
interface ModuleStatics {
  runMain?: RunMainFn;
  prototype: { _compile?: CompileFn };
  _findPath?: FindPath;
}
interface CjsModule {
  exports: unknown;
}

const NODE_MODULES = `${sep}node_modules${sep}`;
// The library declarations and the dispatcher load with the first file from node_modules, not at start-up. Their
// require() runs the wrapper again for each of the agent's own files (in node_modules/leak-agent when installed):
// `loadingAgent` lets those pass instead of asking a half-loaded module.
let loadingAgent = false;
const dispatch = loadOnce((): typeof import('./dispatch') => {
  const outer = loadingAgent;
  loadingAgent = true;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./dispatch') as typeof import('./dispatch');
  } finally {
    loadingAgent = outer;
  }
});
let installed = false;
let importHookRegistered = false;

/** Register the import hook (esm.ts, loaded only then: most CommonJS apps never need it). */
function installImportHook(agentFile: string, why: string): void {
  importHookRegistered = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./esm') as typeof import('./esm')).installImportHook(agentFile, why);
}

export function installCompileHook(agentFile: string, startedBy: string): void {
  if (installed) return;
  installed = true;
  const Module = nodeModule.Module as unknown as ModuleStatics;
  const originalCompile = Module.prototype._compile;
  if (typeof originalCompile !== 'function') {
    log.hooks('Module.prototype._compile not found: require() is not instrumented; registering the import hook now');
    installImportHook(agentFile, 'no Module.prototype._compile');
    return;
  }
  const mainThread = isMainThread();
  const registerImportHook = (why: string): void => {
    try {
      installImportHook(agentFile, why);
    } catch (err) {
      reportInternalError('registering the import hook', err);
    }
  };
  const now = reasonToRegisterAtStart(startedBy, mainThread, Module._findPath);
  // At start a failure goes to start(), which knows the contexts where it is expected (Vitest's vm pools).
  if (now) installImportHook(agentFile, now);
  else log.hooks('import hook deferred until an ES module can load (CommonJS so far)');

  const compile = {
    _compile(this: CjsModule, content: string, filename: string, format?: string): unknown {
      if (!importHookRegistered) {
        try {
          const why = reasonToRegisterFor(content, filename, format);
          if (why) registerImportHook(why);
        } catch (err) {
          reportInternalError('inspecting a CommonJS module', err);
        }
      }
      if (loadingAgent) {
        log.hooks('ignoring %s: one of the agent’s own modules, loading from inside this hook', filename);
        return Reflect.apply(originalCompile, this, arguments);
      }
      let target: ReturnType<ReturnType<typeof dispatch>['libraryFileAt']> = null;
      const args = Array.prototype.slice.call(arguments) as unknown[];
      try {
        if (typeof filename === 'string' && filename.includes(NODE_MODULES) && format !== 'module') {
          target = dispatch().libraryFileAt(filename, 'require');
          const edited = target?.file.edit?.(content);
          if (typeof edited === 'string') args[0] = edited;
        } else {
          log.hooks('ignoring %s (require): not a CommonJS file in node_modules', filename);
        }
      } catch (err) {
        reportInternalError('instrumenting a required module', err);
      }
      const result = Reflect.apply(originalCompile, this, args);
      try {
        if (target) {
          const replacement = dispatch().onLibraryLoaded(target, this.exports, null);
          if (replacement !== undefined) this.exports = replacement;
        }
      } catch (err) {
        reportInternalError('instrumenting a required module', err);
      }
      return result;
    },
  }._compile;
  Object.defineProperty(compile, 'length', { value: originalCompile.length });
  Module.prototype._compile = compile as CompileFn;

  // A worker thread's entry file: Node passes it to Module.runMain ("runMain here might be monkey-patched by users
  // in --require", lib/internal/main/worker_thread.js).
  const originalRunMain = Module.runMain;
  if (!mainThread && !now && typeof originalRunMain === 'function') {
    const runMain = {
      runMain(this: unknown, main?: string): unknown {
        if (Module.runMain === runMain) Module.runMain = originalRunMain;
        if (!importHookRegistered) {
          try {
            const why = entryReason(main ?? process.argv[1], Module._findPath);
            if (why) registerImportHook(why);
          } catch (err) {
            reportInternalError('inspecting the entry point', err);
          }
        }
        return Reflect.apply(originalRunMain, this, arguments);
      },
    }.runMain;
    Object.defineProperty(runMain, 'length', { value: originalRunMain.length });
    Module.runMain = runMain;
  }
  log.hooks('require hook installed (Module.prototype._compile)');
}
