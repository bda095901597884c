// What the agent (verify/snapshot.ts) and the snapshot analysis (heap/, in a child process) agree on.
//
// Nothing is taken out of any cache. Just before the snapshot the agent creates exactly one object of class
// PROBE_CLASS with these own properties (all Arrays; the analysis never enters the probe or any of them):
//   stores      stores[i] is cache i itself (the lru-cache instance, the memoized function, memoizee's conf); a
//               store is never one of its own containers (it is judged live by being reached)
//   keys        every tracked key of every cache, each object once
//   containers  containers[i] is an Array of the objects whose references belong to cache i (its Map, its key and
//               value lists, …): the analysis sets them aside as a whole
//   values      values[i] is an Array of the cached values of cache i's tracked entries (for bytes and retention)
//   roots       roots[i] is where closure storage of cache i is looked up (memoizee's conf), or undefined
//   shadow      a WeakMap: cache → { inner, chains, untracked }, where inner is a WeakMap key → cached value and
//               chains hold entries with several keys (a WeakMap per key level). It is a root of the analysis, so a
//               cached value lives exactly while its cache and its keys do; `untracked` (values of entries whose keys
//               are primitives) lives while the cache does.
// Beside the snapshot, a JSON file (ProbeMeta) says per cache which keys are its own and how to find closure storage.
// The analysis marks what the GC roots reach and reports, per cache, whether the cache itself was reached (else it is
// garbage) and which of its keys were not.

export const PROBE_CLASS = 'LeakAgentSnapshotProbe';

export interface CacheMeta {
  /** Indexes into probe.keys of this cache's keys (each once). */
  keys: number[];
  /**
   * Closure storage to set aside, found from probe.roots[i]: each path is a property of the root holding a function,
   * then closure variable names (of that function, then of the function found, …). The object the first path finds
   * is set aside only in its element references whose indexes are `partialElements` (when given); the others whole.
   */
  closurePaths?: string[][];
  partialElements?: number[];
}

export interface ProbeMeta {
  caches: CacheMeta[];
}

export interface CacheAnalysis {
  /** False when the cache itself is not reached from the GC roots (it is garbage): nothing else applies then. */
  live: boolean;
  /** Indexes into this cache's keys (CacheMeta.keys) of the keys that nothing but caches keeps alive. */
  dead: number[];
  /** Exact bytes (self sizes) that only this cache's dead entries keep alive. */
  retainedBytes: number;
  /** When a dead key's cached value points back at it: the path (".owner"); null when held as key only. */
  valuePath: string | null;
  /** For the first live key: the end of its shortest path from the GC roots ("Object.keep[3]"), or null. */
  liveKeyHeldBy: string | null;
  /** Closure paths that were not found (diagnostics). */
  missingPaths?: number;
}

export interface AnalysisResult {
  caches: CacheAnalysis[];
  /** Bytes that only the live caches' dead entries, together, keep alive (shared bytes counted once). */
  retainedBytesAll: number;
  /** Milliseconds per phase of the analysis (for DEBUG=leak-agent:verify and the benchmark). */
  timings?: Record<string, number>;
}
