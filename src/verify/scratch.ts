// The gc engine's per-key working arrays, kept from one verification to the next.
//
// Fresh memory is what a verification paid most for on a machine with slow page faults: every new page of an array
// of 100k slots, of a typed array, of young objects, faults in on first touch (measured here: 13 µs a 4 KiB page,
// about 600 faults for three arrays of 100k slots, 7.6 ms; the same arrays reused: no fault, 0.5 ms). A verification
// of 100k keys took about 1,400 faults to detach and 1,500 to put back; arrays it keeps are faulted in once.
//
// Nothing here holds an app object between verifications: the object arrays are emptied before the verification
// returns, and only numbers stay in the typed arrays. What stays is their size: 8 bytes per slot of each of the three
// object arrays and 16 bytes per slot of the typed ones, for the largest verification so far, up to KEEP_MAX slots
// (about 10 MB); a verification larger than that allocates its own and leaves them to the collector.
const KEEP_MAX = 1 << 18;

export interface Scratch {
  /** Slots available in every array. */
  capacity: number;
  /** By key index: a WeakRef to the key. */
  refs: Array<WeakRef<object> | undefined>;
  /** By key index, after the collection: the key when it survived. */
  alive: Array<object | undefined>;
  /** Per entry of the cache being put back: its key when it survived (or a cache's own use). */
  back: Array<object | undefined>;
  /** By key index: the key's class id. */
  classOf: Int32Array;
  /** By position (each cache's distinct keys, one cache after another): the key's index. */
  posKey: Int32Array;
  /** By position: the key's first-sight number, when the cache looks them up. */
  posSeq: Float64Array;
}

let kept: Scratch | null = null;
let busy = false;

function emptyScratch(): Scratch {
  return { capacity: 0, refs: [], alive: [], back: [], classOf: new Int32Array(0), posKey: new Int32Array(0), posSeq: new Float64Array(0) };
}

/**
 * The arrays for one verification: the kept ones, or fresh ones when a verification is already running (a memoizee
 * normalizer that the restore runs could start another).
 */
export function takeScratch(): Scratch {
  if (busy) return emptyScratch();
  busy = true;
  return (kept ??= emptyScratch());
}

function grown<T>(old: T[], used: number, capacity: number): T[] {
  // Made at their size and filled, so that V8 keeps them as plain fast arrays (no dictionary elements).
  const next = new Array<T>(capacity).fill(undefined as T);
  for (let i = 0; i < used; i++) next[i] = old[i]!;
  return next;
}

/** Make room for `slots` slots in every array; the first `used` keep their contents. */
export function ensureCapacity(s: Scratch, slots: number, used: number): void {
  if (slots <= s.capacity) return;
  const capacity = Math.max(slots, 2 * s.capacity, 1024);
  s.refs = grown(s.refs, used, capacity);
  s.alive = grown(s.alive, used, capacity);
  s.back = grown(s.back, 0, capacity);
  const classOf = new Int32Array(capacity);
  classOf.set(s.classOf.subarray(0, used));
  s.classOf = classOf;
  const posKey = new Int32Array(capacity);
  posKey.set(s.posKey.subarray(0, used));
  s.posKey = posKey;
  const posSeq = new Float64Array(capacity);
  posSeq.set(s.posSeq.subarray(0, used));
  s.posSeq = posSeq;
  s.capacity = capacity;
}

/**
 * Empty the first `n` slots of `alive` and `back`: what a detach was handed to fill (the engine's DetachRoom), and at
 * the end the survivors.
 */
export function emptyRoom(s: Scratch, n: number): void {
  s.alive.fill(undefined, 0, n);
  s.back.fill(undefined, 0, n);
}

/**
 * The verification is over and `alive` and `back` are empty (emptyRoom): empty the first `keys` slots of `refs`, and
 * keep the arrays for the next one unless they are too big or not the kept ones.
 */
export function releaseScratch(s: Scratch, keys: number): void {
  s.refs.fill(undefined, 0, keys);
  if (s !== kept) return;
  busy = false;
  if (s.capacity > KEEP_MAX) kept = null;
}
