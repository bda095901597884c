// memoizee 0.4.x through its documented profiling hook: `memoizee/plain.js` calls `self.__profiler__(conf)` for every
// memoized function before `conf.updateEnv()` (plain.js, identical layout 0.4.1–0.4.17). The agent subscribes to
// conf's 'set' / 'delete' / 'clear' events and wraps `conf.original` to see the arguments of each miss; no memoizee
// file is modified and nothing runs on a cache hit. `memoizee/profile` replaces `__profiler__`; the hook re-installs
// ours on top of it, chaining to profile's.
//
// Which arguments memoizee retains (normalizers/*.js): `get-1` (length 1) keeps args[0]; `get-fixed` and `get` keep
// the whole arguments object; `primitive` keeps none (its ids are strings). Entries with string ids are not tracked.
import { log, reportInternalError } from '../log';
import { captureStack } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheRecord,
  type DetachedEntry,
  type Detachment,
  createRecord,
  isTrackable,
  trackKey,
} from '../track/registry';
import { isMarked, mark } from './wrap';

interface Conf {
  original: Function;
  memoized: Function & { length: number };
  profileName?: unknown;
  has(id: unknown): boolean;
  delete(id: unknown): void;
  clear(): void;
  on(type: string, listener: Function): unknown;
  __ee__?: Record<string, Function | Function[]>;
}

/** One argument as the agent remembers it: objects weakly, primitives as they are. */
type ArgSpec = Array<WeakRef<object> | { primitive: unknown }>;

interface EntrySpec {
  args: ArgSpec;
  /** Indexes into args of the arguments memoizee retains by reference. */
  keyArgs: number[];
}

interface MemoizeeState {
  conf: WeakRef<Conf>;
  entries: Map<number, EntrySpec>;
  listeners: Set<Function>;
  /** memoized.length === 1: the get-1 normalizer keeps args[0] only. */
  firstArgOnly: boolean;
  muted: boolean;
  /**
   * While muted (detaching): the cached results memoizee hands its own 'delete' (id, result) and 'clear' (old cache)
   * events. So the agent needs no reference to results between reports.
   */
  removed: Map<unknown, unknown>;
  cleared: Record<string, unknown> | null;
  /** Entries memoizee holds now (all ids, also the untracked primitive ones), counted from its events. */
  size: number;
  replay: { value: unknown } | null;
  pending: ArgSpec | null;
  profiled: boolean;
}

const states = new WeakMap<CacheRecord, MemoizeeState>();

function remember(value: unknown): WeakRef<object> | { primitive: unknown } {
  return isTrackable(value) ? new WeakRef(value) : { primitive: value };
}

/** The argument again: the object (undefined once collected) or the primitive. */
function recall(spec: WeakRef<object> | { primitive: unknown }): unknown {
  return spec instanceof WeakRef ? spec.deref() : spec.primitive;
}

function specOf(args: ArrayLike<unknown>): ArgSpec | null {
  let hasObject = false;
  const spec: ArgSpec = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isTrackable(a)) hasObject = true;
    spec.push(remember(a));
  }
  return hasObject ? spec : null;
}

function listenersOf(conf: Conf, type: string): Function[] {
  const raw = conf.__ee__ ? conf.__ee__[type] : undefined;
  if (raw === undefined) return [];
  return typeof raw === 'function' ? [raw] : Array.from(raw);
}

export const memoizeeAdapter: CacheAdapter = {
  countKeys(conf, record) {
    const keys = new Set<object>();
    memoizeeAdapter.forEachKey(conf, record, (k) => keys.add(k));
    return keys.size;
  },

  forEachKey(_conf, record, fn) {
    const state = states.get(record);
    if (!state) return;
    for (const entry of state.entries.values()) {
      for (const i of entry.keyArgs) {
        const ref = entry.args[i];
        const k = ref instanceof WeakRef ? ref.deref() : undefined;
        if (k !== undefined) fn(k);
      }
    }
  },

  whyNotDetachable(conf, record) {
    const state = states.get(record);
    if (!state) return 'memoizee cache state not found';
    if (state.profiled) return 'memoizee/profile counts every insert, so entries cannot be moved without changing its statistics';
    const ee = (conf as Conf).__ee__ ?? {};
    for (const type of Object.keys(ee)) {
      for (const listener of listenersOf(conf as Conf, type)) {
        if (!state.listeners.has(listener)) {
          return `the memoized function uses options (max, maxAge, dispose, refCounter, async or promise) whose '${type}' handlers moving entries would trigger`;
        }
      }
    }
    return null;
  },

  detach(confObj, record) {
    const conf = confObj as Conf;
    const state = states.get(record);
    if (!state) throw new Error('memoizee cache state not found');
    const entries: DetachedEntry[] = [];
    const ids: number[] = [];
    state.muted = true;
    try {
      const taken: Array<{ keys: object[]; args: unknown[] }> = [];
      for (const [id, spec] of Array.from(state.entries)) {
        if (!conf.has(id)) {
          state.entries.delete(id); // memoizee no longer holds it (removed without an event we saw)
          continue;
        }
        // Arguments memoizee does not retain may have been collected; replay does not need them.
        const args = spec.args.map(recall);
        const keys: object[] = [];
        let held = true;
        for (const i of spec.keyArgs) {
          const k = args[i];
          if (!isTrackable(k)) held = false;
          else if (!keys.includes(k)) keys.push(k);
        }
        if (!held) continue; // cannot be: memoizee holds its key arguments
        ids.push(id);
        taken.push({ keys, args });
      }
      // memoizee's own removal, with no listener but ours (checked above); its events hand over the results. When its
      // every entry is one of these, one clear() takes them all at once; otherwise delete(id) each, which costs
      // memoizee a linear search per entry.
      if (ids.length === state.size) conf.clear();
      else for (const id of ids) conf.delete(id);
      const cleared = state.cleared;
      let lost = 0;
      ids.forEach((id, n) => {
        state.entries.delete(id);
        const found = cleared ? Object.prototype.hasOwnProperty.call(cleared, id as PropertyKey) : state.removed.has(id);
        // Never put back a made-up result: without its own, the entry stays removed (the next call recomputes it).
        if (!found) {
          lost++;
          return;
        }
        const value = cleared ? cleared[id as unknown as string] : state.removed.get(id);
        entries.push({ keys: taken[n]!.keys, payload: { args: taken[n]!.args, value }, value });
      });
      if (lost > 0) reportInternalError('detaching memoizee entries', new Error(`${lost} results were not handed over by memoizee`));
    } finally {
      state.muted = false;
      state.removed.clear();
      state.cleared = null;
    }
    return {
      entries,
      restore(results) {
        // Survivors go back through memoizee's own miss path, with `original` answering from the saved result.
        for (const back of results) {
          if (!back) continue; // dead: memoizee already removed it in detach, as its delete() does
          const { args, value } = back.payload as { args: unknown[]; value: unknown };
          state.replay = { value };
          try {
            Reflect.apply(conf.memoized, undefined, args);
          } catch (err) {
            reportInternalError('restoring a memoizee entry', err);
          } finally {
            state.replay = null;
          }
        }
      },
    } satisfies Detachment;
  },

  options(conf): Record<string, number | boolean | string> {
    const memoized = (conf as Conf).memoized;
    return typeof memoized?.length === 'number' ? { length: memoized.length } : {};
  },
};

const profilerInstalled = new WeakSet<object>();

/** Install (or re-install on top of memoizee/profile) the agent's `__profiler__` on memoizee/plain's export. */
export function patchMemoizeePlain(plain: unknown, version: string, file: string, profiled = false): void {
  if (typeof plain !== 'function') return;
  try {
    const current = (plain as { __profiler__?: unknown }).__profiler__;
    if (typeof current === 'function' && profilerInstalled.has(current)) return;
    const previous = typeof current === 'function' ? current : null;
    const hasProfile = profiled || previous !== null;
    const profiler = function leakAgentProfiler(this: unknown, conf: Conf) {
      try {
        instrumentConf(conf, version, hasProfile);
      } catch (err) {
        reportInternalError('instrumenting a memoizee function', err);
      }
      if (previous) return Reflect.apply(previous, this, arguments);
      return undefined;
    };
    profilerInstalled.add(profiler);
    Object.defineProperty(plain, '__profiler__', { value: profiler, configurable: true, writable: true, enumerable: false });
    if (!isMarked(plain)) mark(plain);
    log.hooks('patched memoizee@%s (%s)%s', version, file, previous ? ' on top of memoizee/profile' : '');
  } catch (err) {
    reportInternalError('patching memoizee', err);
  }
}

function instrumentConf(conf: Conf, version: string, profiled: boolean): void {
  const original = conf.original;
  let name: string | null = null;
  if (typeof conf.profileName === 'string' && conf.profileName) name = conf.profileName;
  else if (typeof original === 'function' && original.name) name = original.name;
  const record = createRecord({
    library: 'memoizee',
    libraryVersion: version,
    name,
    store: conf,
    adapter: memoizeeAdapter,
    createdStack: captureStack(instrumentConf),
    createdIsFirstWrite: false,
  });
  const state: MemoizeeState = {
    conf: new WeakRef(conf),
    entries: new Map(),
    listeners: new Set(),
    firstArgOnly: conf.memoized.length === 1,
    muted: false,
    removed: new Map(),
    cleared: null,
    size: 0,
    replay: null,
    pending: null,
    profiled,
  };
  states.set(record, state);

  const wrappedOriginal = function (this: unknown) {
    state.pending = null;
    if (state.replay) {
      const { value } = state.replay;
      state.pending = specOf(arguments);
      return value;
    }
    const result = Reflect.apply(original, this, arguments);
    state.pending = specOf(arguments); // only on success: 'set' follows synchronously
    return result;
  };
  conf.original = wrappedOriginal;

  const onSet = (id: unknown) => {
    state.size++;
    const args = state.pending;
    state.pending = null;
    if (args === null || typeof id !== 'number') return; // string ids: primitive mode, arguments not retained
    try {
      const keyArgs: number[] = [];
      const limit = state.firstArgOnly ? Math.min(1, args.length) : args.length;
      for (let i = 0; i < limit; i++) if (args[i] instanceof WeakRef) keyArgs.push(i);
      if (keyArgs.length === 0) return;
      state.entries.set(id, { args, keyArgs });
      for (const i of keyArgs) {
        const k = (args[i] as WeakRef<object>).deref();
        if (k !== undefined) trackKey(record, k, onSet);
      }
    } catch (err) {
      reportInternalError('tracking a memoizee entry', err);
    }
  };
  const onDelete = (id: unknown, result: unknown) => {
    state.size--;
    if (state.muted) state.removed.set(id, result);
    else if (typeof id === 'number') state.entries.delete(id);
  };
  const onClear = (oldCache: unknown) => {
    state.size = 0;
    if (state.muted) state.cleared = typeof oldCache === 'object' && oldCache !== null ? (oldCache as Record<string, unknown>) : null;
    else state.entries.clear();
  };
  state.listeners.add(onSet).add(onDelete).add(onClear);
  conf.on('set', onSet);
  conf.on('delete', onDelete);
  conf.on('clear', onClear);
}
