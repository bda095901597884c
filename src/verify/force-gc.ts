// A full garbage collection on demand, without asking the app for --expose-gc, and a way to empty V8's WeakRef
// "keep during job" set inside the current turn.
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { Script, createContext, runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;
let gcFn: GcFunction | null = null;

function gcFunction(): GcFunction {
  if (gcFn === null) {
    const appHasGc =
      typeof (globalThis as { gc?: unknown }).gc === 'function' ||
      process.execArgv.some((a) => a === '--expose-gc' || a === '--expose_gc');
    setFlagsFromString('--expose-gc');
    try {
      gcFn = runInNewContext('gc') as GcFunction;
    } finally {
      if (!appHasGc) setFlagsFromString('--no-expose-gc');
    }
  }
  return gcFn;
}

/**
 * V8's `gc` function, taken from a fresh context with --expose-gc switched on for the moment of its creation.
 * The flag is switched back off unless the app itself was started with it, so contexts the app creates later (vm)
 * do not suddenly get a `gc` global.
 */
export function fullGc(): void {
  gcFunction()();
}

/**
 * V8 frees ArrayBuffer backing stores (Buffers, typed arrays) on a sweeper that may still run after a full GC has
 * returned; the next collection, even a minor one, waits for it. Measured: after one `gc()` the freed Buffer memory
 * showed up 0–100% of the time on Node 20–26, after a following minor GC always.
 */
export function finishSweeping(): void {
  gcFunction()({ type: 'minor' });
}

let pause: Int32Array | null = null;

/**
 * ArrayBuffer memory (Buffers, typed arrays) once V8 has finished freeing what the last collection found dead: it
 * frees backing stores on a background thread, so the counter keeps falling for a moment after the GC returned
 * (measured: 11 of 12 dead 64 KiB Buffers freed right after, all 12 a moment later, on Node 20–26). Polls until the
 * figure holds still for 6 ms, at most 250 ms.
 */
function settledArrayBuffers(): number {
  pause ??= new Int32Array(new SharedArrayBuffer(4));
  let last = process.memoryUsage().arrayBuffers;
  let still = 0;
  for (let waited = 0; waited < 250 && still < 6; waited += 2) {
    Atomics.wait(pause, 0, 0, 2);
    const now = process.memoryUsage().arrayBuffers;
    still = now === last ? still + 2 : 0;
    last = now;
  }
  return last;
}

/** Memory the JS heap and ArrayBuffer backing stores (Buffers, typed arrays) use now, after a collection settled. */
export function retainedMemory(): number {
  return settledArrayBuffers() + getHeapStatistics().used_heap_size;
}

let checkpoint: { script: Script; context: object } | null = null;

/**
 * `new WeakRef(x)` and `ref.deref()` keep x alive until the current job ends (ECMA-262 AddToKeptObjects), so a key
 * the agent looked at in this turn would survive the GC. V8 empties that set (Isolate::ClearKeptObjects) at the end
 * of every microtask checkpoint, and a vm context with its own microtask queue (`microtaskMode: 'afterEvaluate'`)
 * runs a checkpoint of that queue — only that queue, never the app's promises — right after each evaluation.
 * Callers check that it worked with a canary (see `canaryDied`).
 */
export function clearKeptObjects(): void {
  if (checkpoint === null) {
    const context = createContext({}, { microtaskMode: 'afterEvaluate' });
    checkpoint = { script: new Script('0'), context };
  }
  checkpoint.script.runInContext(checkpoint.context);
}

/** A WeakRef to a fresh object that nothing holds: it must be dead after clearKeptObjects() and a full GC. */
export function makeCanary(): WeakRef<object> {
  return new WeakRef({ canary: true });
}

export function usedHeapBytes(): number {
  return getHeapStatistics().used_heap_size;
}
