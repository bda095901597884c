// A name for a cache whose function has none: read the app's source line at the site (report time only).
//   const byCustomer = memoize((c) => …)   →  byCustomer     (the memoize call's assignment target)
//   summaries.set(this, summary)           →  summaries      (the receiver of lru-cache's first write)
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SourceLocation } from './location';

const lines = new Map<string, string[] | null>();

function sourceLine(file: string, line: number): string | null {
  const path = isAbsolute(file) ? file : resolve(process.cwd(), file);
  let text = lines.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, 'utf8').split('\n');
    } catch {
      text = null;
    }
    lines.set(path, text);
  }
  return text?.[line - 1] ?? null;
}

export function nameFromSite(site: SourceLocation | null, kind: 'receiver' | 'assignment'): string | null {
  if (!site || site.line < 1 || site.column < 1) return null;
  const text = sourceLine(site.file, site.line);
  if (text === null) return null;
  // What a compiler makes of `memoize(…)` when it calls an import: `(0, lodash_1.memoize)(…)` (tsc),
  // `(0, import_lodash.memoize)(…)` (esbuild, tsx), `(0, _lodash.memoize)(…)` (Babel). V8 points at the argument
  // list then, so the callee is dropped first and the assignment before it is read as usual.
  let before = text.slice(0, site.column - 1).replace(/\(\s*0\s*,\s*[\w$.]+\s*\)\s*$/, '');
  // tsc's source map takes that argument list back to the original line: `export const priceOf = memoize(` with the
  // site at `(`. The callee (`memoize`, `_.memoize`) goes the same way.
  if (kind === 'assignment' && text[site.column - 1] === '(') before = before.replace(/[\w$.\s]*[\w$]\s*$/, '');
  const match =
    kind === 'receiver'
      ? /([A-Za-z_$][\w$]*)\s*\??\.\s*$/.exec(before)
      : /([A-Za-z_$][\w$]*)\s*(?:=|:)\s*(?:new\s+)?(?:[\w$]+\s*\.\s*)*$/.exec(before);
  return match ? match[1]! : null;
}
