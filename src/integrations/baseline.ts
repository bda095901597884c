// A baseline of known leaks for test suites: LEAK_AGENT_BASELINE=path, or leak-agent-baseline.json in the project's
// root when it exists. A leaking cache that matches an entry (same
// library, function name and creation file — not the line, which moves with every edit — and only classes the entry
// lists) does not fail; a new cache, or a known cache leaking a new class, does. LEAK_AGENT_BASELINE_UPDATE=1 adds
// whatever leaks to the file instead of failing. The file is JSON, meant to be committed:
//   { "schema": "leak-agent.baseline/v1", "leaks": [ { "library": "lodash", "name": "priceOf",
//     "file": "src/prices.ts", "classes": ["Order"] } ] }
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { warnOnce } from '../log';
import type { CacheReport } from '../report/build';
import { replaceFile } from '../report/write-file';

export interface BaselineEntry {
  library: string;
  name: string | null;
  file: string | null;
  classes: string[];
}

interface BaselineFile {
  schema: 'leak-agent.baseline/v1';
  leaks: BaselineEntry[];
}

export const DEFAULT_BASELINE = 'leak-agent-baseline.json';

/** The nearest directory upward from `dir` with a package.json: the project's root (else `dir` itself). */
function projectRoot(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) return dir;
  }
}

/**
 * The baseline file: LEAK_AGENT_BASELINE; else leak-agent-baseline.json in the project's root, when it exists (the
 * committed file of the documented workflow) or when LEAK_AGENT_BASELINE_UPDATE=1 asks to write one (said once on
 * stderr); else none.
 */
export function baselinePath(): string | null {
  const raw = process.env.LEAK_AGENT_BASELINE;
  if (raw) return resolve(raw);
  const path = join(projectRoot(process.cwd()), DEFAULT_BASELINE);
  if (updatingBaseline()) {
    warnOnce('baseline-default', `leak-agent: LEAK_AGENT_BASELINE is not set: adding leaks to ${path} (read from there by default from now on)`);
    return path;
  }
  return existsSync(path) ? path : null;
}

/** LEAK_AGENT_BASELINE_UPDATE: 1/true adds leaks to the baseline instead of failing; an unknown value is one line. */
export function updatingBaseline(): boolean {
  const value = process.env.LEAK_AGENT_BASELINE_UPDATE;
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  warnOnce('config:LEAK_AGENT_BASELINE_UPDATE', `leak-agent: ignoring LEAK_AGENT_BASELINE_UPDATE=${JSON.stringify(value)}: expected 1 or 0; using the default (0)`);
  return false;
}

function isEntry(x: unknown): x is BaselineEntry {
  const e = x as BaselineEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.library === 'string' &&
    (e.name === null || typeof e.name === 'string') &&
    (e.file === null || typeof e.file === 'string') &&
    Array.isArray(e.classes) &&
    e.classes.every((c) => typeof c === 'string')
  );
}

/**
 * The entries of the baseline file: a missing file is empty; a file that cannot be read or is not a baseline is an
 * error, which fails the test window that needed it (a baseline that cannot be used must never let a leak pass).
 */
export function readBaseline(path: string): { entries: BaselineEntry[] } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [] };
    return { error: `could not read the baseline ${path}: ${(err as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as Partial<BaselineFile>;
    if (parsed.schema !== 'leak-agent.baseline/v1' || !Array.isArray(parsed.leaks) || !parsed.leaks.every(isEntry)) {
      throw new Error('expected {"schema": "leak-agent.baseline/v1", "leaks": [{library, name, file, classes}]}');
    }
    return { entries: parsed.leaks };
  } catch (err) {
    return { error: `LEAK_AGENT_BASELINE=${path} is not a baseline file (${(err as Error).message})` };
  }
}

export function entryFor(cache: CacheReport): BaselineEntry {
  return { library: cache.library, name: cache.name, file: cache.createdAt?.file ?? null, classes: cache.classes.map((c) => c.name).sort() };
}

/** Whether a leaking cache is known: same cache, and every class it leaks is listed. */
export function inBaseline(cache: CacheReport, entries: BaselineEntry[]): boolean {
  const mine = entryFor(cache);
  return entries.some(
    (e) => e.library === mine.library && e.name === mine.name && e.file === mine.file && mine.classes.every((c) => e.classes.includes(c)),
  );
}

/**
 * Add the leaking caches to the baseline file. Read, merge, write atomically, then read back: parallel test workers
 * may write at the same moment, so it retries until its entries are there. Returns an error when it could not.
 */
export function addToBaseline(path: string, caches: CacheReport[]): string | null {
  for (let attempt = 0; attempt < 10; attempt++) {
    const read = readBaseline(path);
    if ('error' in read) return read.error;
    const entries = read.entries;
    let changed = false;
    for (const cache of caches) {
      const mine = entryFor(cache);
      const same = entries.find((e) => e.library === mine.library && e.name === mine.name && e.file === mine.file);
      if (!same) {
        entries.push(mine);
        changed = true;
      } else {
        for (const c of mine.classes) {
          if (!same.classes.includes(c)) {
            same.classes.push(c);
            same.classes.sort();
            changed = true;
          }
        }
      }
    }
    if (!changed) return null;
    const file: BaselineFile = { schema: 'leak-agent.baseline/v1', leaks: entries };
    const error = writeBaseline(path, `${JSON.stringify(file, null, 2)}\n`);
    if (error !== null) return error;
    const back = readBaseline(path);
    if ('entries' in back && caches.every((c) => inBaseline(c, back.entries))) return null;
  }
  return `could not add every leak to ${path} (other workers kept rewriting it); run again`;
}

function writeBaseline(path: string, text: string): string | null {
  try {
    replaceFile(path, text);
    return null;
  } catch (err) {
    return `could not write the baseline ${path}: ${(err as Error).message}`;
  }
}
