// What a verification engine says about one cache: plain data, consumed by report/.
import type { CacheRecord } from '../track/registry';

export interface DeadKey {
  /** Constructor name of the key. */
  className: string;
  /** Insertion sequence number (first sight), to select keys inserted during a window. */
  seq: number;
  /** Compact insertion stack when this key was sampled, else null. */
  stack: string | null;
}

export interface CacheVerdict {
  record: CacheRecord;
  trackedKeys: number;
  verified: boolean;
  /** Why the cache is not verified, when it is not. */
  reason: string | null;
  dead: DeadKey[];
  options: Record<string, number | boolean | string>;
  /** Exact bytes this cache's dead entries pin, when the engine measures them per cache (snapshot). */
  retainedBytes?: number;
  /** How the dead keys are held, when the engine can tell (snapshot). */
  retention?: string | null;
  /** What holds the first live key outside the caches (snapshot). */
  liveKeyHeldBy?: string | null;
  /** The engine that judged this cache. */
  engine?: 'gc' | 'snapshot';
}

export interface VerificationResult {
  engine: 'gc' | 'snapshot' | 'none';
  durationMs: number;
  verdicts: CacheVerdict[];
  /** Heap freed by dropping every dead entry, when measured. */
  freedBytes: number | null;
}
