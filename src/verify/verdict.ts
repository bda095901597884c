// What a verification engine says about each cache: plain data, consumed by report/.
import type { LifecycleFigures } from '../track/lifecycle';
import type { CacheRecord, RemovedKeys } from '../track/registry';

/** Class names by id, each name once: what the dead keys' class ids refer to. */
export class ClassNames {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.list.push(name) - 1;
      this.ids.set(name, id);
    }
    return id;
  }
}

/**
 * One cache's dead keys from one verification, column by column: no object per key (50k dead keys made 2.4 MB of
 * young objects, which on a machine with slow page faults cost more to allocate than to fill). Index i is one dead key.
 */
export class DeadKeys {
  static readonly none = new DeadKeys([], new Int32Array(0), new Int32Array(0), null, 0, null);

  constructor(
    /** Class names by class id (shared by the caches of one verification). */
    private readonly names: readonly string[],
    /** Per dead key, its class id: the nearest constructor name on its prototype chain. */
    private readonly classIds: Int32Array,
    /** Per dead key, the object's identity within the verification: one object in two caches has one id. */
    private readonly ids: Int32Array,
    /** Per dead key, its first-sight number (test windows select by it); null when every key's is `seqAll`. */
    private readonly seqs: Float64Array | null,
    private readonly seqAll: number,
    /** Dead key index → compact insertion stack, for the sampled ones, in index order; null when none. */
    private readonly stacks: ReadonlyMap<number, string> | null,
  ) {}

  get length(): number {
    return this.ids.length;
  }

  seq(i: number): number {
    return this.seqs !== null ? this.seqs[i]! : this.seqAll;
  }

  /** Dead keys first seen at or after `sinceSeq` (0: all of them). */
  count(sinceSeq: number): number {
    if (this.seqs === null) return this.seqAll >= sinceSeq ? this.length : 0;
    let n = 0;
    for (let i = 0; i < this.seqs.length; i++) if (this.seqs[i]! >= sinceSeq) n++;
    return n;
  }

  /** Per class name, how many of the dead keys first seen at or after `sinceSeq` are of that class. */
  classCounts(sinceSeq: number): Map<string, number> {
    const perId = new Float64Array(this.names.length);
    for (let i = 0; i < this.classIds.length; i++) if (this.seq(i) >= sinceSeq) perId[this.classIds[i]!]!++;
    const counts = new Map<string, number>();
    perId.forEach((n, id) => {
      if (n > 0) counts.set(this.names[id]!, n);
    });
    return counts;
  }

  /** The insertion stacks sampled among the dead keys first seen at or after `sinceSeq`, in key order. */
  *stacksSince(sinceSeq: number): Generator<string> {
    if (this.stacks === null) return;
    for (const [i, stack] of this.stacks) if (this.seq(i) >= sinceSeq) yield stack;
  }

  /** The ids of the dead keys first seen at or after `sinceSeq`. */
  forEachId(sinceSeq: number, fn: (id: number) => void): void {
    for (let i = 0; i < this.ids.length; i++) if (this.seq(i) >= sinceSeq) fn(this.ids[i]!);
  }
}

/** Builds a DeadKeys from one key at a time (the snapshot engine: a few keys, or a child's answer). */
export function deadKeysOf(keys: Array<{ className: string; seq: number; stack: string | null; id: number }>): DeadKeys {
  const names = new ClassNames();
  const classIds = new Int32Array(keys.length);
  const ids = new Int32Array(keys.length);
  const seqs = new Float64Array(keys.length);
  let stacks: Map<number, string> | null = null;
  keys.forEach((k, i) => {
    classIds[i] = names.idOf(k.className);
    ids[i] = k.id;
    seqs[i] = k.seq;
    if (k.stack !== null) (stacks ??= new Map()).set(i, k.stack);
  });
  return new DeadKeys(names.list, classIds, ids, seqs, 0, stacks);
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
  dead: DeadKeys;
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
