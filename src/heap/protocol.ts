// What the agent (verify/snapshot.ts) and the snapshot analysis (heap/, in a child process) agree on.
//
// Just before the snapshot the agent creates exactly one object of class PROBE_CLASS with two own properties:
//   keys  Array; keys[i] is an Array of the tracked keys of cache i (each once)
//   held  Array; held[i] is an Array of Arrays whose outgoing references belong to cache i:
//         [payloads, keys as stored, cached values] — bytes and retention are measured from the cached values
//   shadow Array; shadow[i] is a WeakMap (chain) key → payload, treated as a root: a payload lives exactly while
//         its keys do
// The analysis never expands the probe or a held object, marks what the GC roots still reach, and reports per cache
// which keys were not reached.

export const PROBE_CLASS = 'LeakAgentSnapshotProbe';

export interface CacheAnalysis {
  /** Indexes into keys[i] of the keys that nothing but caches keeps alive. */
  dead: number[];
  /** Exact bytes (self sizes) that only cache i's held objects keep alive. */
  retainedBytes: number;
  /** How the first dead key is held ("held as key", "held as key and through cached value .owner"), or null. */
  retention: string | null;
  /** For the first live key: the end of its shortest path from the GC roots ("Object.keep[3]"), or null. */
  liveKeyHeldBy: string | null;
}

export interface AnalysisResult {
  caches: CacheAnalysis[];
  /** Bytes that only the caches, together, keep alive (shared bytes counted once). */
  retainedBytesAll: number;
  /** Milliseconds per phase of the analysis (for DEBUG=leak-agent:verify and the benchmark). */
  timings?: Record<string, number>;
}
