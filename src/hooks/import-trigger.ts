// When the import hook is needed, on lines that register it with module.register() (Node 20; see lines.ts).
//
// module.register() starts Node's module-hooks thread: about 100 ms and 12–20 MiB per thread on a small machine,
// and the thread takes a thread id, so the app's workers' `threadId`s shift by one. A CommonJS app that never
// imports an ES module pays that for nothing. So the agent registers it
//   - at once when an ES module can load before any sign the agent could see: started with --import (or from
//     Vitest), another --import/--loader in the flags, --experimental-default-type=module / --input-type=module,
//     the REPL, or an ES module entry (.mjs, .js in a "type": "module" package; a worker thread's entry is known
//     only when Node passes it to Module.runMain);
//   - otherwise just before the first thing that can load one (compile-hook.ts asks `reasonToRegisterFor` about
//     each CommonJS file before it runs): a file whose source contains `import(` or starts a line with
//     `import …`/`export …` (a dynamic import, or module syntax Node will detect), require(esm) (compiled with the
//     format 'module'), and -e/-p/stdin code that does.
// A CommonJS module is compiled before it runs, so the hook is in place before its first import() can start.
// What this cannot see: an import() whose text is built at run time (eval('imp' + 'ort(…)')), and code compiled by
// other means (vm.Script with importModuleDynamically); registering eagerly would be the only cover for those.
import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { flagValues, nodeFlags, otherLoaderFlags } from './flags';

/** Node's Module._findPath (how the CommonJS loader resolves the entry). */
export type FindPath = (request: string, paths: string[] | null, isMain: boolean) => string | false;

// A dynamic import anywhere; a static import or an export declaration at the start of a line (module syntax Node
// will detect; starting a line keeps out comments such as `// import the config`, and `exports`/`imports`).
const MAY_IMPORT = /\bimport\s*\(|^[ \t]*(?:import\s*[{*'"]|import\s+[\w$]|export\s*[{*]|export\s+[\w$])/m;
const EVAL_WRAPPERS = new Set(['[eval]-wrapper', '[stdin]-wrapper']);

/** Flags from the command line and NODE_OPTIONS that make an early ES module load possible. */
function flagReason(): string | null {
  // Another tool's --import or --loader runs ES modules (and may register its own hooks) before the entry.
  const loaders = otherLoaderFlags();
  if (loaders.length > 0) return `${loaders.join(', ')} given`;
  for (const [flag, value] of flagValues(['--experimental-default-type', '--input-type'])) {
    if (value === 'module') return `${flag}=module`;
  }
  const flags = nodeFlags();
  if (flags.includes('-i') || flags.includes('--interactive')) return 'the REPL';
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
export function entryReason(main: string | undefined, findPath: FindPath | undefined): string | null {
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:tty') as typeof import('node:tty')).isatty(0);
  } catch {
    return false;
  }
}

/**
 * Why the import hook must be registered at start, or null when the compile hook can wait for a sign. `startedBy`
 * is the preload entry ('require' for -r and require('leak-agent'), 'import' for --import, 'vitest', 'api').
 */
export function reasonToRegisterAtStart(startedBy: string, mainThread: boolean, findPath: FindPath | undefined): string | null {
  if (startedBy === 'import' || startedBy === 'vitest') return `started by ${startedBy}`;
  const flags = flagReason();
  if (flags) return flags;
  if (!mainThread) return null; // a worker's entry is judged in Module.runMain
  if (isReplWithoutScript()) return 'the REPL';
  // A main thread's entry is known now: process.argv[1], already absolute.
  return entryReason(process.argv[1], findPath);
}

/** Why the import hook must be registered before this CommonJS file (or -e/-p/stdin code) runs, or null. */
export function reasonToRegisterFor(content: unknown, filename: string, format: string | undefined): string | null {
  if (format === 'module') return `require(esm) of ${filename}`;
  if (EVAL_WRAPPERS.has(filename)) {
    const evalCode = (process as { _eval?: unknown })._eval;
    return typeof evalCode !== 'string' || MAY_IMPORT.test(evalCode) ? `${filename.slice(0, -8)} code may import` : null;
  }
  if (filename === '[worker eval]-wrapper') return 'worker eval code (its text is not visible here)';
  return typeof content === 'string' && MAY_IMPORT.test(content) ? `${filename} may import` : null;
}
