// Turn a compact stack (see callsite.ts) into the first location in the app's own source: frames of the agent, of the
// caching libraries (and their helper packages) and of Node itself are skipped; positions are mapped through source
// maps; paths are relative to the working directory when inside it.
import { findSourceMap } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARY_PACKAGES } from '../libraries/index';
import { parseStack } from './callsite';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  function: string;
}

/** The agent's own package root (dist/source/ → two levels up). */
const AGENT_ROOT = resolve(__dirname, '..', '..');

// The libraries and the helper packages they call through (their declarations in src/libraries), and the agent's
// own dependencies that can sit on a stack.
const LIBRARY_DIRS = new Set([...LIBRARY_PACKAGES, 'import-in-the-middle', 'shimmer']);

function toPath(file: string): string | null {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return null;
    }
  }
  if (file.startsWith('node:') || !isAbsolute(file)) return null;
  return file;
}

function isAgentOrLibrary(path: string): boolean {
  if (path === AGENT_ROOT || path.startsWith(AGENT_ROOT + sep)) {
    // The agent's own examples are app code, not agent code.
    const inner = path.slice(AGENT_ROOT.length + 1);
    if (!inner.startsWith(`examples${sep}`) && !inner.startsWith(`test${sep}`)) return true;
    if (inner.includes(`${sep}node_modules${sep}`)) return isLibraryPath(path);
    return false;
  }
  return isLibraryPath(path);
}

function isLibraryPath(path: string): boolean {
  const marker = `${sep}node_modules${sep}`;
  const at = path.lastIndexOf(marker);
  if (at === -1) return false;
  const parts = path.slice(at + marker.length).split(sep);
  const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  return name !== undefined && LIBRARY_DIRS.has(name);
}

let sourceMapSupport: typeof import('source-map-support') | null | undefined;

function mapPosition(path: string, line: number, column: number): { path: string; line: number; column: number } {
  // --enable-source-maps (or module.setSourceMapsSupport): Node already parsed the map.
  try {
    const map = findSourceMap(path);
    if (map) {
      const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (entry && typeof entry.originalSource === 'string' && typeof entry.originalLine === 'number') {
        const src = toPath(entry.originalSource) ?? resolve(dirname(path), entry.originalSource);
        return { path: src, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
      }
    }
  } catch {
    // fall back to source-map-support
  }
  // source-map-support's mapping function only: its global prepareStackTrace is never installed.
  try {
    if (sourceMapSupport === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sourceMapSupport = require('source-map-support') as typeof import('source-map-support');
    }
    if (sourceMapSupport) {
      const mapped = sourceMapSupport.mapSourcePosition({ source: path, line, column: column - 1 });
      if (mapped && mapped.source && mapped.source !== path) {
        const src = toPath(mapped.source) ?? resolve(dirname(path), mapped.source);
        return { path: src, line: mapped.line, column: mapped.column + 1 };
      }
    }
  } catch {
    sourceMapSupport = null;
  }
  return mapThroughInstalledFormatter(path, line, column) ?? { path, line, column };
}

/**
 * A CallSite for one position. Formatters clone call sites from their prototype (vite's module runner,
 * source-map-support), so the methods live on the class, not on the instance.
 */
class SyntheticCallSite {
  constructor(
    private readonly file: string,
    private readonly line: number,
    private readonly column: number,
  ) {}
  getThis(): undefined { return undefined; }
  getTypeName(): null { return null; }
  getFunction(): undefined { return undefined; }
  getFunctionName(): null { return null; }
  getMethodName(): null { return null; }
  getFileName(): string { return this.file; }
  getLineNumber(): number { return this.line; }
  getColumnNumber(): number { return this.column; }
  getEvalOrigin(): undefined { return undefined; }
  getScriptNameOrSourceURL(): string { return this.file; }
  getScriptHash(): string { return ''; }
  getEnclosingLineNumber(): null { return null; }
  getEnclosingColumnNumber(): null { return null; }
  getPosition(): number { return 0; }
  getPromiseIndex(): null { return null; }
  isToplevel(): boolean { return true; }
  isEval(): boolean { return false; }
  isNative(): boolean { return false; }
  isConstructor(): boolean { return false; }
  isAsync(): boolean { return false; }
  isPromiseAll(): boolean { return false; }
  toString(): string { return `${this.file}:${this.line}:${this.column}`; }
}

/**
 * Last resort, at report time only: code transformed in memory (Vitest's module runner, a bundler's dev server)
 * has source maps that only its own Error.prepareStackTrace knows. Ask it about one synthetic frame and read the
 * position back from the line it formats.
 */
function mapThroughInstalledFormatter(path: string, line: number, column: number): { path: string; line: number; column: number } | null {
  const prepare = (Error as { prepareStackTrace?: (e: Error, frames: unknown[]) => unknown }).prepareStackTrace;
  if (typeof prepare !== 'function') return null;
  const frame = new SyntheticCallSite(path, line, column);
  try {
    const text = prepare(new Error('leak-agent'), [frame]);
    if (typeof text !== 'string') return null;
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(text);
    if (!match) return null;
    const mapped = toPath(match[1]!) ?? resolve(dirname(path), match[1]!);
    const mappedLine = Number(match[2]);
    const mappedColumn = Number(match[3]);
    if (mapped === path && mappedLine === line && mappedColumn === column) return null;
    return { path: mapped, line: mappedLine, column: mappedColumn };
  } catch {
    return null;
  }
}

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/** The first frame of the app's own code in `stack`, source-mapped, or null. */
export function appLocation(stack: string | null): SourceLocation | null {
  if (!stack) return null;
  for (const frame of parseStack(stack)) {
    const path = toPath(frame.file);
    if (path === null || isAgentOrLibrary(path)) continue;
    const mapped = mapPosition(path, frame.line, frame.column);
    return { file: displayPath(mapped.path), line: mapped.line, column: mapped.column, function: frame.function };
  }
  return null;
}

/**
 * Whether the first frame outside the agent and the caching libraries is the app's own code rather than a
 * dependency's (a file under node_modules): glob's per-call caches are made by path-scurry, a short script's cache
 * by the script. Raw paths only, no source maps: cheap enough for a FinalizationRegistry callback.
 */
export function madeByAppCode(stack: string | null): boolean {
  if (!stack) return false;
  for (const frame of parseStack(stack)) {
    const path = toPath(frame.file);
    if (path === null || isAgentOrLibrary(path)) continue;
    return !path.includes(`${sep}node_modules${sep}`);
  }
  return false;
}
