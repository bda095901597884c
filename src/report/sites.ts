// Source locations and names for a report, resolved before it is built (source maps and source lines are read here,
// so that report/build.ts stays pure).
import { appLocation, type SourceLocation } from '../source/location';
import { nameFromSite } from '../source/names';
import type { VerificationResult } from '../verify/verdict';

export interface CacheSites {
  createdAt: SourceLocation | null;
  /** The memoized function's name, or one read from the creation site's source line. */
  name: string | null;
  /** Where the first reported dead key (that was sampled) was inserted. */
  insertedAt: SourceLocation | null;
  /** Where the first key an earlier report removed was inserted. */
  removedInsertedAt: SourceLocation | null;
}

/** Per record number. `sinceSeq` selects the dead keys a window reports, as buildReport does. */
export type Sites = Map<number, CacheSites>;

export function resolveSites(result: VerificationResult, sinceSeq = 0): Sites {
  const sites: Sites = new Map();
  for (const v of result.verdicts) {
    const rec = v.record;
    const createdAt = appLocation(rec.createdStack);
    let insertedAt: SourceLocation | null = null;
    for (const stack of v.dead.stacksSince(sinceSeq)) {
      insertedAt = appLocation(stack);
      if (insertedAt) break;
    }
    sites.set(rec.num, {
      createdAt,
      name: rec.name ?? nameFromSite(createdAt, rec.createdIsFirstWrite ? 'receiver' : 'assignment'),
      insertedAt,
      removedInsertedAt: v.removedBefore ? appLocation(v.removedBefore.firstStack) : null,
    });
  }
  return sites;
}
