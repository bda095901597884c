// What a verification engine says about each cache: plain data, consumed by report/.
import type { LifecycleFigures } from '../track/lifecycle';
import type { CacheRecord, RemovedKeys } from '../track/registry';

export interface DeadKey {
  /** Constructor name of the key (the nearest constructor on its prototype chain). */
  className: string;
  /** Insertion sequence number (first sight), to select keys inserted during a window. */
  seq: number;
  /** Compact insertion stack when this key was sampled, else null. */
  stack: string | null;
  /** Identity of the object within one verification: the same object in two caches has the same id. */
  id: number;
}

/** How a cache's dead keys are held, when the engine can tell (snapshot engine). */
export interface Retention {
  /** The path from a cached value back to its key (".owner"), when the value points back at it; else null. */
  valuePath: string | null;
}

export interface CacheVerdict {
  record: CacheRecord;
  trackedKeys: number;
  verified: boolean;
  /** Why the cache is not verified (or not exactly), when it is not. */
  reason: string | null;
  dead: DeadKey[];
  options: Record<string, number | boolean | string>;
  /** Bytes only this cache's dead entries pin, when the engine measures them per cache; null when not known. */
  retainedBytes?: number | null;
  retention?: Retention | null;
  /** What holds the first live key outside the caches (snapshot). */
  liveKeyHeldBy?: string | null;
  /** The engine that judged this cache. */
  engine?: 'gc' | 'snapshot';
  /** The cache itself is garbage (unreachable but for the agent): never listed, counted in the summary. */
  garbage?: boolean;
  /** Dead keys earlier reports found and removed, as it stood before this verification. */
  removedBefore: RemovedKeys | null;
  /** Sampled key lifetimes (lifecycle.ts), when the cache has sampled keys. */
  lifecycle?: LifecycleFigures;
}

export interface VerificationResult {
  engine: 'gc' | 'snapshot' | 'none';
  durationMs: number;
  /** Every cache judged or listed, garbage ones included (flagged). */
  verdicts: CacheVerdict[];
  /** Bytes freed by dropping every dead entry of every live cache together (shared bytes once), when measured. */
  freedBytes: number | null;
  /**
   * Caches with object keys found garbage (collected before the verdict or by it), those of them the app's own code
   * made (not a dependency), and the keys the ones still in the heap held.
   */
  garbage: { caches: number; fromApp: number; keys: number };
}
