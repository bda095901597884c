// When to register the import hook on lines that need module.register() (Node 20; see lines.ts).
//
// module.register() starts Node's module-hooks thread: about 100 ms and 12–20 MiB per thread on a small machine,
// and the thread takes a thread id, so the app's workers' `threadId`s shift by one. A CommonJS app that never
// imports an ES module pays that for nothing. So the agent registers it
//   - at once when an ES module can load before any sign this file could see: started with --import (or from
//     Vitest), another --import/--loader in the flags, --experimental-default-type=module / --input-type=module,
//     the REPL, or an ES module entry (.mjs, .js in a "type": "module" package; a worker thread's entry is known
//     only when Node passes it to Module.runMain);
//   - otherwise just before the first thing that can load one: a CommonJS file about to be compiled whose source
//     contains `import(` or starts a line with `import …`/`export …` (a dynamic import, or module syntax Node will
//     detect), require(esm) (compiled with the format 'module'), and -e/-p/stdin code that does.
// A CommonJS module is compiled before it runs, so the hook is in place before its first import() can start.
// What this cannot see: an import() whose text is built at run time (eval('imp' + 'ort(…)')), and code compiled by
// other means (vm.Script with importModuleDynamically); registering eagerly would be the only cover for those.
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { log, reportInternalError } from '../log';
import { installImportHook, isImportHookInstalled } from './esm';
import { nodeFlags, otherLoaderFlags } from './flags';

type CompileFn = (this: unknown, content: string, filename: string, format?: string) => unknown;
type RunMainFn = (this: unknown, main?: string) => unknown;
interface ModuleStatics {
  runMain?: RunMainFn;
  prototype: { _compile?: CompileFn };
  _findPath?: (request: string, paths: string[] | null, isMain: boolean) => string | false;
}

// A dynamic import anywhere; a static import or an export declaration at the start of a line (module syntax Node
// will detect; starting a line keeps out comments such as `// import the config`, and `exports`/`imports`).
const MAY_IMPORT = /\bimport\s*\(|^[ \t]*(?:import\s*[{*'"]|import\s+[\w$]|export\s*[{*]|export\s+[\w$])/m;
const EVAL_WRAPPERS = new Set(['[eval]-wrapper', '[stdin]-wrapper']);

const FLAG_REASONS: Array<[RegExp, string]> = [
  [/^--experimental-default-type=module$/, '--experimental-default-type=module'],
  [/^--input-type=module$/, '--input-type=module'],
  [/^(?:-i|--interactive)$/, 'the REPL'],
];

/** Flags from the command line and NODE_OPTIONS that make an early ES module load possible. */
function flagReason(): string | null {
  // Another tool's --import or --loader runs ES modules (and may register its own hooks) before the entry.
  const loaders = otherLoaderFlags();
  if (loaders.length > 0) return `${loaders.join(', ')} given`;
  const args = nodeFlags();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // `--experimental-default-type module`: join the separate value.
    const joined = /^--(?:experimental-default-type|input-type)$/.test(arg) && args[i + 1] ? `${arg}=${args[i + 1]}` : arg;
    for (const [re, reason] of FLAG_REASONS) if (re.test(joined)) return reason;
  }
  return null;
}

/** The nearest package.json's "type" for a file ('module', 'commonjs' or null). */
function packageType(file: string): string | null {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return typeof pkg.type === 'string' ? pkg.type : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') return null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** Why an entry file needs the import hook before it runs, or null when the CommonJS watch covers it. */
function entryReason(main: string | undefined, findPath: ModuleStatics['_findPath']): string | null {
  if (main === undefined) return null;
  let file: string | false = false;
  try {
    file = typeof findPath === 'function' ? findPath(resolve(main), null, true) : resolve(main);
  } catch {
    file = false;
  }
  if (!file) return `entry ${main} not resolvable here`;
  const ext = extname(file);
  if (ext === '.mjs') return `ES module entry ${file}`;
  if (ext === '.js' && packageType(file) === 'module') return `ES module entry ${file} ("type": "module")`;
  return null;
}

function isReplWithoutScript(): boolean {
  const p = process as { _eval?: unknown };
  if (process.argv.length > 1 || typeof p._eval === 'string') return false;
  try {
    return isatty(0);
  } catch {
    return false;
  }
}

let watching = false;

/**
 * Register the import hook now or as soon as it can be needed. `startedBy` is the preload entry ('require' for -r
 * and require('leak-agent'), 'import' for --import, 'vitest', 'api').
 */
export function installImportHookWhenNeeded(agentFile: string, startedBy: string): void {
  if (isImportHookInstalled() || watching) return;
  const Module = nodeModule.Module as unknown as ModuleStatics;
  const mainThread = isMainThread();
  const now =
    startedBy === 'import' || startedBy === 'vitest'
      ? `started by ${startedBy}`
      : (flagReason() ??
        (!mainThread
          ? null
          : isReplWithoutScript()
            ? 'the REPL'
            : // A main thread's entry is known now (process.argv[1], already absolute); a worker's only in runMain.
              entryReason(process.argv[1], Module._findPath)));
  if (now) {
    installImportHook(agentFile, now);
    return;
  }
  const originalRunMain = Module.runMain;
  const originalCompile = Module.prototype._compile;
  if (typeof originalCompile !== 'function' || (!mainThread && typeof originalRunMain !== 'function')) {
    installImportHook(agentFile, 'Module.runMain/_compile not found');
    return;
  }
  watching = true;

  const register = (why: string): void => {
    if (!watching) return;
    watching = false;
    // Put Node's own functions back unless someone wrapped ours meanwhile (then ours stays, passing calls through).
    if (watchedRunMain && Module.runMain === watchedRunMain) Module.runMain = originalRunMain;
    if (Module.prototype._compile === watchedCompile) Module.prototype._compile = originalCompile;
    try {
      installImportHook(agentFile, why);
    } catch (err) {
      reportInternalError('registering the import hook', err);
    }
  };

  // A worker thread's entry file: Node passes it to Module.runMain ("runMain here might be monkey-patched by users
  // in --require", lib/internal/main/worker_thread.js). Put back at its first call.
  const watchedRunMain = mainThread
    ? null
    : {
        runMain(this: unknown, main?: string): unknown {
          if (Module.runMain === watchedRunMain) Module.runMain = originalRunMain;
          if (watching) {
            try {
              const why = entryReason(main ?? process.argv[1], Module._findPath);
              if (why) register(why);
            } catch (err) {
              reportInternalError('inspecting the entry point', err);
            }
          }
          return Reflect.apply(originalRunMain!, this, arguments);
        },
      }.runMain;

  // While it waits, this is one more frame under every CommonJS module's top-level code (as require-in-the-middle's
  // is under every require); it goes away once the hook is registered.
  const watchedCompile = {
    _compile(this: unknown, content: string, filename: string, format?: string): unknown {
      if (watching) {
        try {
          const evalCode = (process as { _eval?: unknown })._eval;
          if (format === 'module') register(`require(esm) of ${filename}`);
          else if (EVAL_WRAPPERS.has(filename)) {
            if (typeof evalCode !== 'string' || MAY_IMPORT.test(evalCode)) register(`${filename.slice(0, -8)} code may import`);
          } else if (filename === '[worker eval]-wrapper') register('worker eval code (its text is not visible here)');
          else if (typeof content === 'string' && MAY_IMPORT.test(content)) register(`${filename} may import`);
        } catch (err) {
          reportInternalError('inspecting a CommonJS module', err);
        }
      }
      return Reflect.apply(originalCompile, this, arguments);
    },
  }._compile;
  Object.defineProperty(watchedCompile, 'length', { value: originalCompile.length });
  Module.prototype._compile = watchedCompile;
  if (watchedRunMain) {
    Object.defineProperty(watchedRunMain, 'length', { value: originalRunMain!.length });
    Module.runMain = watchedRunMain;
  }
  log.hooks('import hook deferred until an ES module can load (CommonJS so far)');
}

function isMainThread(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:worker_threads') as typeof import('node:worker_threads')).isMainThread;
}
