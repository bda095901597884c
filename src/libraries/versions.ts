// The few semver ranges the library declarations use, without a semver dependency: comparators (`>=4`, `<12`,
// `>=0.4.0`), x-ranges (`4.x`, `0.4.x`, a bare `4`) and `||`. A version's prerelease and build tags are ignored
// (`11.0.0-rc.1` counts as 11.0.0), as OpenTelemetry's instrumentations do with includePrerelease.

type Triple = [number, number, number];

/** The numeric part of a version ("4.17.21" → [4, 17, 21]), or null when it is not one. */
export function parseVersion(version: string): Triple | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** A partial version: "4" → [4], "0.4.x" → [0, 4]; null when malformed. */
function parsePartial(text: string): number[] | null {
  const parts = text.split('.');
  const out: number[] = [];
  for (const p of parts) {
    if (p === 'x' || p === 'X' || p === '*') break;
    if (!/^\d+$/.test(p)) return null;
    out.push(Number(p));
  }
  return out.length <= 3 ? out : null;
}

const pad = (p: number[]): Triple => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];

/** The first version above the x-range `p` ([4] → 5.0.0, [0, 4] → 0.5.0). */
function nextAfter(p: number[]): Triple {
  if (p.length === 0) return [Infinity, 0, 0];
  const q = p.slice(0, Math.min(p.length, 3));
  if (q.length === 3) return [q[0]!, q[1]!, q[2]! + 1];
  q[q.length - 1]! += 1;
  return pad(q);
}

function satisfiesComparator(v: Triple, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=)?\s*v?(.+)$/.exec(comparator);
  if (!m) throw new Error(`bad version comparator "${comparator}"`);
  const p = parsePartial(m[2]!);
  if (!p) throw new Error(`bad version in comparator "${comparator}"`);
  switch (m[1]) {
    case '>=':
      return compare(v, pad(p)) >= 0;
    case '>':
      return compare(v, nextAfter(p)) >= 0;
    case '<':
      return compare(v, pad(p)) < 0;
    case '<=':
      return compare(v, nextAfter(p)) < 0;
    default:
      // `=4.17.21`, `4.x`, `4`: the x-range
      return compare(v, pad(p)) >= 0 && compare(v, nextAfter(p)) < 0;
  }
}

/** Whether `version` lies in `range`; false for a version that cannot be read ("unknown"). */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.split('||').some((set) => {
    const comparators = set.trim().replace(/(>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.length > 0 && comparators.every((c) => satisfiesComparator(v, c));
  });
}
