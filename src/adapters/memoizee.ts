// memoizee 0.4.x through its documented profiling hook: `memoizee/plain.js` calls `self.__profiler__(conf)` for every
// memoized function before `conf.updateEnv()` (plain.js, identical layout 0.4.1–0.4.17). The agent subscribes to
// conf's 'set' / 'delete' / 'clear' events and wraps `conf.original` to see the arguments of each miss; no memoizee
// file is modified and nothing runs on a cache hit. `memoizee/profile` replaces `__profiler__`; the hook re-installs
// ours on top of it, chaining to profile's.
//
// Which arguments memoizee retains (normalizers/*.js): `get-1` (length 1) keeps args[0]; `get-fixed` and `get` keep
// the whole arguments object; `primitive` keeps none (its ids are strings). Entries with string ids are not tracked.
//
// A miss costs the agent: its `original` wrapper noting what memoizee will keep (for get-1 the first argument itself,
// so no arguments object is made), the 'set' event (dispatched to the agent's listener without memoizee's emit making
// an array for it, see instrumentConf), three array appends (Mirror) and the key's count (trackKey).
import { types } from 'node:util';
import { log, reportInternalError } from '../log';
import { captureStack, sampleCreation } from '../source/callsite';
import {
  type CacheAdapter,
  type CacheEntry,
  type CacheRecord,
  type CacheView,
  type Detachment,
  createRecord,
  isTrackable,
  trackKey,
} from '../track/registry';
import { type WrapperBody, isMarked, mark, originalOf, setOriginal, wrapMethod, wrapperLike } from './wrap';
import { noteCleared, noteRemoved, noteRemovedKey } from '../track/lifecycle';

interface Conf {
  original: Function;
  memoized: Function & { length: number };
  profileName?: unknown;
  has(id: unknown): boolean;
  delete(id: unknown): void;
  clear(): void;
  on(type: string, listener: Function): unknown;
  emit?: Function;
  __ee__?: Record<string, Function | Function[]>;
}

/**
 * One entry memoizee holds whose arguments include an object: what memoizee's normalizer keeps of them (see Kept) and
 * the cached result.
 */
interface Mirrored {
  kept: unknown;
  result: unknown;
}

/**
 * The entries of one memoizee cache that have an object argument, in parallel arrays in the order memoizee made them.
 * memoizee numbers its entries from a counter of its own (++lastId in every normalizer), so ids only grow: a removal
 * finds its entry by binary search and leaves a hole, and the holes are squeezed out once they outnumber the entries.
 * Measured against one Map entry per miss: about 80 ns less per memoizee miss (735 against 815 ns, medians of six
 * alternating runs, Node 20).
 */
export class Mirror {
  /** Entry ids, ascending; -1 where an entry was removed. */
  readonly ids: number[] = [];
  /** What memoizee keeps of each entry's arguments (see Kept in the adapter); undefined where removed. */
  readonly args: unknown[] = [];
  readonly results: unknown[] = [];
  /** Entries held (ids that are not -1). */
  size = 0;
  /** An id arrived that was not above the last one (never from memoizee itself): removals search linearly. */
  private unordered = false;

  add(id: number, args: unknown, result: unknown): void {
    const n = this.ids.length;
    if (n > 0 && id <= this.ids[n - 1]!) this.unordered = true;
    this.ids.push(id);
    this.args.push(args);
    this.results.push(result);
    this.size++;
  }

  /** The index of `id`, or -1. */
  private find(id: number): number {
    const ids = this.ids;
    if (this.unordered) return ids.indexOf(id);
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let at = mid;
      // Holes (-1) sit among ascending ids: look at the nearest id to the left of mid instead.
      while (at >= lo && ids[at] === -1) at--;
      if (at < lo) {
        lo = mid + 1;
        continue;
      }
      const here = ids[at]!;
      if (here === id) return at;
      if (here < id) lo = mid + 1;
      else hi = at - 1;
    }
    return -1;
  }

  /** Drop entry `id`; what it kept of the arguments, or undefined when the mirror does not have it. */
  delete(id: number): unknown {
    const i = this.find(id);
    if (i === -1) return undefined;
    const args = this.args[i];
    this.ids[i] = -1;
    this.args[i] = undefined;
    this.results[i] = undefined;
    this.size--;
    if (this.ids.length - this.size > Math.max(32, this.size)) this.compact();
    return args;
  }

  private compact(): void {
    const { ids, args, results } = this;
    let w = 0;
    for (let r = 0; r < ids.length; r++) {
      if (ids[r] === -1) continue;
      ids[w] = ids[r]!;
      args[w] = args[r];
      results[w] = results[r];
      w++;
    }
    ids.length = args.length = results.length = w;
  }

  clear(): void {
    this.ids.length = this.args.length = this.results.length = 0;
    this.size = 0;
    this.unordered = false;
  }
}

/**
 * The agent's mirror of one memoizee cache. memoizee keeps its storage in closures the agent cannot read, so the
 * agent keeps, for each entry with an object argument, the same arguments and result memoizee keeps, and drops them on
 * memoizee's own 'delete' and 'clear' events, which every removal emits (max, maxAge, dispose, refCounter, async,
 * promise, memoized.delete/clear all go through conf.delete/clear). The mirror therefore never outlives memoizee's
 * own references, and it lives in a WeakMap keyed by memoizee's `conf`: when the memoized function is garbage, so
 * is the mirror. No WeakRef per argument (the header says what a miss costs).
 */
interface MemoizeeState {
  /** Per entry with an object argument, what memoizee keeps of its arguments (Kept) and its result. */
  entries: Mirror;
  listeners: Set<Function>;
  /** While the verdict takes entries out or puts them back: events are the agent's own doing. */
  muted: boolean;
  /** Entries memoizee holds now (all ids, also those without an object argument), counted from its events. */
  size: number;
  replay: { value: unknown } | null;
  /** What memoizee will keep of the call `original` just answered (Kept), when that has an object; else null. */
  pending: unknown;
  profiled: boolean;
  /**
   * memoizee's get-1 normalizer (memoized.length === 1) keeps only the first argument, also when a call passes more.
   * A `length: false` function whose original takes one parameter has length 1 too, but its normalizer (get) keeps
   * every argument: the conf's normalizer tells them apart (see takeVariadic).
   */
  firstArgOnly: boolean;
}

/**
 * What the mirror keeps of an entry's arguments: exactly what memoizee's normalizer keeps. With firstArgOnly (get-1)
 * that is the first argument itself (an object: entries whose first argument is a primitive are not mirrored), which
 * spares every miss an arguments object; otherwise the arguments (get-fixed, get), of which at least one is an object.
 */
type Kept = unknown;

/** The arguments of a mirrored entry as a list (get-1: its one kept argument). */
function argList(state: MemoizeeState, kept: Kept): ArrayLike<unknown> {
  return state.firstArgOnly ? [kept] : (kept as ArrayLike<unknown>);
}

const states = new WeakMap<object, MemoizeeState>();

function hasObject(args: ArrayLike<unknown>): boolean {
  for (let i = 0; i < args.length; i++) if (isTrackable(args[i])) return true;
  return false;
}

/** The distinct object arguments of a mirrored entry. */
function keysOf(state: MemoizeeState, kept: Kept): object[] {
  if (state.firstArgOnly) return [kept as object];
  const args = kept as ArrayLike<unknown>;
  const keys: object[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isTrackable(a) && !keys.includes(a)) keys.push(a);
  }
  return keys;
}

function listenersOf(conf: Conf, type: string): Function[] {
  const raw = conf.__ee__ ? conf.__ee__[type] : undefined;
  if (raw === undefined) return [];
  return typeof raw === 'function' ? [raw] : Array.from(raw);
}

export const memoizeeAdapter: CacheAdapter = {
  // The mirror is read in plain loops here and below, never through a callback: a callback's context would hold what
  // it collects (keys), and V8 may keep such a context after the call (a heap snapshot then shows the keys reachable
  // from it: a garbage cache looked live, with every key alive, to the snapshot engine on Node 24 and 26).
  countKeys(conf) {
    const state = states.get(conf);
    if (!state) return 0;
    const keys = new Set<object>();
    const { ids, args } = state.entries;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -1) continue;
      if (state.firstArgOnly) keys.add(args[i] as object);
      else for (const k of keysOf(state, args[i])) keys.add(k);
    }
    const n = keys.size;
    keys.clear();
    return n;
  },

  forEachKey(conf, _record, fn) {
    const state = states.get(conf);
    if (!state) return;
    const { ids, args } = state.entries;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -1) continue;
      if (state.firstArgOnly) fn(args[i] as object);
      else for (const k of keysOf(state, args[i])) fn(k);
    }
  },

  whyNotDetachable(conf) {
    const state = states.get(conf);
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

  detach(confObj) {
    const conf = confObj as Conf;
    const state = states.get(conf);
    if (!state) throw new Error('memoizee cache state not found');
    const keys: object[] = [];
    const multi: object[][] = [];
    const payloads: Mirrored[] = [];
    const ids: number[] = [];
    let several = false;
    state.muted = true;
    try {
      // A plain loop, no callback: a closure here would share this function's context with `restore` below, which
      // would then hold `multi` (every key) through the collection.
      const mirror = state.entries;
      for (let i = 0; i < mirror.ids.length; i++) {
        const id = mirror.ids[i]!;
        // A hole, or an entry memoizee no longer holds (removed without an event the agent saw).
        if (id === -1 || !conf.has(id)) continue;
        const kept = mirror.args[i];
        const entryKeys = keysOf(state, kept);
        ids.push(id);
        keys.push(entryKeys[0]!);
        multi.push(entryKeys);
        if (entryKeys.length > 1) several = true;
        payloads.push({ kept, result: mirror.results[i] });
      }
      // memoizee's own removal, with no listener but ours (checked above). When its every entry is one of these, one
      // clear() takes them all at once; otherwise delete(id) each, which costs memoizee a linear search per entry.
      if (ids.length === state.size) conf.clear();
      else for (const id of ids) conf.delete(id);
      state.entries.clear();
    } finally {
      state.muted = false;
    }
    const entries = ids.length;
    return {
      count: entries,
      keys,
      payloads,
      multi: several ? multi : null,
      uniqueKeys: false, // one object can be the argument of several entries
      restore(_conf, back, payloadOf) {
        // Survivors go back through memoizee's own miss path, with `original` answering from the saved result; the
        // mirror follows from the 'set' events. Dead ones stay removed, as memoizee's delete() left them.
        state.muted = true;
        try {
          // `back` may be longer than this cache's entries (the verification's own array): entry i is back[i].
          for (let i = 0; i < entries; i++) {
            if (back[i] === undefined) continue;
            const { kept, result } = payloadOf(i) as Mirrored;
            state.replay = { value: result };
            try {
              Reflect.apply(conf.memoized, undefined, argList(state, kept));
            } catch (err) {
              reportInternalError('restoring a memoizee entry', err);
            } finally {
              state.replay = null;
            }
          }
        } finally {
          state.muted = false;
        }
      },
    } satisfies Detachment;
  },

  view(conf) {
    const state = states.get(conf);
    if (!state) throw new Error('memoizee cache state not found');
    const entries: CacheEntry[] = [];
    const ids: number[] = [];
    const mirror = state.entries;
    for (let i = 0; i < mirror.ids.length; i++) {
      const id = mirror.ids[i]!;
      if (id === -1) continue;
      entries.push({ keys: keysOf(state, mirror.args[i]), value: mirror.results[i] });
      ids.push(id);
    }
    // memoizee's own storage (configure-map.js, normalizers/*.js, identical from 0.4.1 to 0.4.17): conf.has closes
    // over `cache` (id → result) and over `get`, the normalizer's lookup, which closes over `argsMap` (get-1) or `map`
    // and `cache` (get-fixed, get). The results of entries without an object argument stay reachable: only the
    // element references of the tracked ids are set aside in `cache`.
    return {
      containers: [state.entries.args, state.entries.results],
      entries,
      untracked: [],
      closures: {
        from: conf,
        paths: [['has', 'cache'], ['has', 'get', 'argsMap'], ['has', 'get', 'map'], ['has', 'get', 'cache']],
        partialElements: ids,
      },
    } satisfies CacheView;
  },

  // memoizee reports each removal as an event: onDelete/onClear mark the sampled keys then.
  reportsRemovals: true,

  options(conf): Record<string, number | boolean | string> {
    const memoized = (conf as Conf).memoized;
    const out: Record<string, number | boolean | string> = typeof memoized?.length === 'number' ? { length: memoized.length } : {};
    const bound = bounds.get(conf);
    if (bound) Object.assign(out, bound);
    return out;
  },
};

/**
 * memoizee's bounds (max, maxAge) live in closures its conf does not expose. Its extension registry
 * (lib/registered-extensions.js) is where plain() finds them, called once per memoized function with the option's
 * value and the conf, right before the agent's profiler sees that conf: wrapping those two entries notes the values.
 */
const bounds = new WeakMap<object, Record<string, number>>();

const BOUND_EXTENSIONS = ['max', 'maxAge'] as const;

/** Called after ext/max.js or ext/max-age.js registered itself: wrap the registry's entry (once). */
export function noteBoundExtensions(registry: unknown): void {
  if (registry === null || typeof registry !== 'object') return;
  try {
    for (const name of BOUND_EXTENSIONS) {
      const current = (registry as Record<string, unknown>)[name];
      if (typeof current !== 'function' || isMarked(current)) continue;
      const done = wrapMethod(registry, name, (original) => (self, args) => {
        noteBound(args[1], name, args[0]);
        return Reflect.apply(original, self, args);
      });
      if (done) mark((registry as Record<string, Function>)[name]!);
    }
  } catch (err) {
    reportInternalError('patching memoizee', err);
  }
}

/** The value as memoizee's extension reads it (a positive integer; 0 or junk means the option is off). */
function noteBound(conf: unknown, name: string, value: unknown): void {
  try {
    if (conf === null || typeof conf !== 'object') return;
    const n = Math.floor(Number(value));
    if (!(n > 0) || !Number.isFinite(n)) return;
    let bound = bounds.get(conf);
    if (!bound) bounds.set(conf, (bound = {}));
    bound[name] = n;
  } catch {
    // never into the app's call
  }
}

/**
 * Which normalizer a conf uses. memoizee's index.js makes the variadic one (`length: false`) with
 * normalizers/get.js's factory and hands it to plain(), where configure-map.js passes it to lib/resolve-normalize.js
 * and plain() then calls the profiler, all synchronously. The agent replaces those two files' exports with wrappers
 * (same name, length and behaviour) that note the normalizers the factory made and whether the one being configured
 * is one of them (a boolean: no normalizer is held); the profiler takes that note. A conf configured with no
 * normalizer (no object argument is ever kept) finds the note clear or stale, which changes nothing for it.
 */
const variadicNormalizers = new WeakSet<object>();
let configuringVariadic = false;

/**
 * The replacement for a file whose export is a bare function (the load hook's 'replace'): a wrapper of the same kind,
 * name and length running `body`, or undefined when the export is not a function or already one of the agent's
 * wrappers (a second load of the same file through a copy of the agent).
 */
function replaceExport(original: unknown, body: (fn: Function) => WrapperBody): unknown {
  if (typeof original !== 'function' || originalOf(original) !== undefined) return undefined;
  const wrapped = wrapperLike(original, body(original));
  setOriginal(wrapped, original);
  return wrapped;
}

/** normalizers/get.js exports a factory: note each normalizer it makes. */
export function wrapVariadicNormalizerFactory(factory: unknown): unknown {
  return replaceExport(factory, (fn) => (self, args) => {
    const made = Reflect.apply(fn, self, args) as unknown;
    if (typeof made === 'object' && made !== null) variadicNormalizers.add(made);
    return made;
  });
}

/** lib/resolve-normalize.js resolves the normalizer of the conf being configured: note which one it is. */
export function wrapResolveNormalize(resolve: unknown): unknown {
  return replaceExport(resolve, (fn) => (self, args) => {
    const given: unknown = args[0];
    configuringVariadic = typeof given === 'object' && given !== null && variadicNormalizers.has(given);
    return Reflect.apply(fn, self, args) as unknown;
  });
}

/** Whether the conf the profiler sees now was configured with memoizee's variadic normalizer; clears the note. */
function takeVariadic(): boolean {
  const variadic = configuringVariadic;
  configuringVariadic = false;
  return variadic;
}

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
  const variadic = takeVariadic();
  const original = conf.original;
  let name: string | null = null;
  if (typeof conf.profileName === 'string' && conf.profileName) name = conf.profileName;
  else if (typeof original === 'function' && !types.isProxy(original)) {
    const own = Object.getOwnPropertyDescriptor(original, 'name');
    if (own && typeof own.value === 'string' && own.value !== '') name = own.value;
  }
  // The record is made with the first entry that has an object argument (see onSet): a memoized function that only
  // ever sees primitives costs no weak bookkeeping and is never listed.
  let createdStack = sampleCreation() ? captureStack(instrumentConf, 8) : null;
  let record: CacheRecord | null = null;
  const recordNow = (): CacheRecord => {
    if (record === null) {
      record = createRecord({ library: 'memoizee', libraryVersion: version, name, store: conf, adapter: memoizeeAdapter, createdStack, createdIsFirstWrite: false });
      createdStack = null;
    }
    return record;
  };
  const state: MemoizeeState = {
    entries: new Mirror(),
    listeners: new Set(),
    muted: false,
    size: 0,
    replay: null,
    pending: null,
    profiled,
    firstArgOnly: conf.memoized.length === 1 && !variadic,
  };
  states.set(conf, state);

  // memoizee calls `original` with `call`/`apply` (configure-map.js): Reflect.apply is the same call. The pending
  // entry is noted only on success ('set' follows synchronously). With get-1 the wrapper reads `arguments` only for
  // its length, its first element and the forwarding call, so V8 makes no arguments object for it. Two functions,
  // not one with a branch: V8 decides per function, and the other kind keeps `arguments`.
  conf.original = state.firstArgOnly
    ? function (this: unknown) {
        const first: unknown = arguments[0];
        if (state.replay) {
          state.pending = first;
          return state.replay.value;
        }
        state.pending = null;
        const result = Reflect.apply(original, this, arguments) as unknown;
        state.pending = isTrackable(first) ? first : null;
        return result;
      }
    : function (this: unknown) {
        if (state.replay) {
          state.pending = arguments;
          return state.replay.value;
        }
        state.pending = null;
        const result = Reflect.apply(original, this, arguments) as unknown;
        state.pending = hasObject(arguments) ? arguments : null;
        return result;
      };

  const onSet = (id: unknown, _unused: unknown, result: unknown) => {
    state.size++;
    const kept = state.pending;
    state.pending = null;
    // String ids: primitive mode, where memoizee keeps no argument.
    if (kept === null || typeof id !== 'number') return;
    try {
      state.entries.add(id, kept, result);
      if (state.muted) return; // a verdict putting an entry back: first sight and stack samples are kept as they were
      const rec = recordNow();
      if (state.firstArgOnly) trackKey(rec, kept as object, onSet);
      else {
        const args = kept as ArrayLike<unknown>;
        for (let i = 0; i < args.length; i++) {
          const k = args[i];
          if (isTrackable(k)) trackKey(rec, k, onSet);
        }
      }
    } catch (err) {
      reportInternalError('tracking a memoizee entry', err);
    }
  };
  const onDelete = (id: unknown) => {
    state.size--;
    if (state.muted || typeof id !== 'number') return;
    const kept = state.entries.delete(id);
    if (kept === undefined || !record?.life) return;
    if (state.firstArgOnly) noteRemovedKey(record.life, kept);
    else noteRemoved(record.life, kept as ArrayLike<unknown>);
  };
  const onClear = () => {
    state.size = 0;
    if (state.muted) return;
    state.entries.clear();
    if (record?.life) noteCleared(record.life);
  };
  state.listeners.add(onSet).add(onDelete).add(onClear);
  conf.on('set', onSet);
  conf.on('delete', onDelete);
  conf.on('clear', onClear);

  // memoizee emits 'set' with four arguments on every miss, which its emitter (event-emitter) forwards by copying
  // them into a new array for an apply: about 100 ns, as much as the rest of the agent's miss work. While the agent's
  // listener is the only one for 'set', this conf's emit calls it directly, with the same arguments; anything else
  // (other events, other or more listeners, another receiver) goes through memoizee's emit unchanged.
  const emit = conf.emit;
  if (typeof emit === 'function') {
    conf.emit = function (this: Conf, type: unknown, id: unknown, args: unknown, result: unknown) {
      if (type === 'set' && arguments.length === 4 && this === conf && conf.__ee__?.set === onSet) {
        onSet(id, args, result);
        return undefined;
      }
      return Reflect.apply(emit, this, arguments) as unknown;
    };
  }
}
