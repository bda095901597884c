// A baseline of known leaks for test suites: LEAK_AGENT_BASELINE=path. A leaking cache that matches an entry (same
// library, function name and creation file — not the line, which moves with every edit — and only classes the entry
// lists) does not fail; a new cache, or a known cache leaking a new class, does. LEAK_AGENT_BASELINE_UPDATE=1 adds
// whatever leaks to the file instead of failing. The file is JSON, meant to be committed:
//   { "schema": "leak-agent.baseline/v1", "leaks": [ { "library": "lodash", "name": "priceOf",
//     "file": "src/prices.ts", "classes": ["Order"] } ] }
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { warnOnce } from '../log';
import type { CacheReport } from '../report/build';
import { writeAtomic } from '../report/write-file';

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

export function baselinePath(): string | null {
  const raw = process.env.LEAK_AGENT_BASELINE;
  return raw ? resolve(raw) : null;
}

export function updatingBaseline(): boolean {
  return process.env.LEAK_AGENT_BASELINE_UPDATE === '1';
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

/** The entries of the baseline file; a missing file is empty, an invalid one is one stderr line and empty. */
export function readBaseline(path: string): BaselineEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      warnOnce(`baseline:${path}`, `leak-agent: could not read LEAK_AGENT_BASELINE=${path}: ${(err as Error).message}; no baseline is used`);
    }
    return [];
  }
  try {
    const parsed = JSON.parse(text) as Partial<BaselineFile>;
    if (parsed.schema !== 'leak-agent.baseline/v1' || !Array.isArray(parsed.leaks) || !parsed.leaks.every(isEntry)) {
      throw new Error('expected {"schema": "leak-agent.baseline/v1", "leaks": [{library, name, file, classes}]}');
    }
    return parsed.leaks;
  } catch (err) {
    warnOnce(`baseline:${path}`, `leak-agent: LEAK_AGENT_BASELINE=${path} is not a baseline file (${(err as Error).message}); no baseline is used`);
    return [];
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
 * may write at the same moment, so it retries until its entries are there.
 */
export function addToBaseline(path: string, caches: CacheReport[]): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entries = readBaseline(path);
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
    if (!changed) return;
    const file: BaselineFile = { schema: 'leak-agent.baseline/v1', leaks: entries };
    if (writeAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 'the baseline') === null) return;
    const back = readBaseline(path);
    if (caches.every((c) => inBaseline(c, back))) return;
  }
  warnOnce(`baseline-race:${path}`, `leak-agent: could not add every leak to ${path} (other workers kept rewriting it); run again`);
}
