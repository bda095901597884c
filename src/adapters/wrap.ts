// Wrapping helpers shared by the adapters: shimmer does the swap (keeping enumerability), these keep `name` and
// `length` identical to the original, so `fn.name`, `fn.length` and the property descriptor look as before.
import { types } from 'node:util';
import { runInThisContext } from 'node:vm';
import shimmer from 'shimmer';

/**
 * What every copy of the agent in this thread shares: the objects already patched (prototypes, exports) and, for the
 * agent's wrappers, the function each one wraps. WeakSet/WeakMap, so nothing shows on the app's objects
 * (`Reflect.ownKeys` of a patched prototype or of lodash's `memoize` is exactly what the library made); the one
 * holder sits under a non-enumerable global symbol.
 */
interface Marks {
  patched: WeakSet<object>;
  wrapperOf: WeakMap<Function, Function>;
}
const MARKS = Symbol.for('leak-agent.marks');

function marks(): Marks {
  const g = globalThis as Record<symbol, unknown>;
  let m = g[MARKS] as Marks | undefined;
  if (!m) {
    m = { patched: new WeakSet(), wrapperOf: new WeakMap() };
    Object.defineProperty(globalThis, MARKS, { value: m, enumerable: false, configurable: true, writable: false });
  }
  return m;
}

/** The original that `fn` (one of the agent's wrappers) wraps, or undefined. */
export function originalOf(fn: Function): Function | undefined {
  return marks().wrapperOf.get(fn);
}

export function setOriginal(wrapper: Function, original: Function): void {
  marks().wrapperOf.set(wrapper, original);
}

/** Give `target` the `name` and `length` of `source`; a Proxy (whose traps are app code, or revoked) is left alone. */
export function copyNameAndLength(target: Function, source: Function): void {
  if (types.isProxy(source)) return;
  for (const prop of ['name', 'length'] as const) {
    try {
      const desc = Object.getOwnPropertyDescriptor(source, prop);
      if (desc) Object.defineProperty(target, prop, desc);
    } catch {
      // a getter-less oddity: keep the wrapper's own
    }
  }
}

/** What a wrapper runs: the receiver and arguments it was called with, and the wrapper itself (for stack capture). */
export type WrapperBody = (self: unknown, args: IArguments, wrapper: Function) => unknown;

const hasOwn = (o: object, k: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, k);

// A sloppy-mode function has own `arguments` and `caller` properties; the agent's code is strict, so such a wrapper
// is compiled from a script without "use strict". Through node:vm, not `new Function`: apps run with
// --disallow-code-generation-from-strings forbid the latter (vm compiles in this same context, so the wrapper is an
// ordinary function of the app's realm). Compiled on first use: most libraries have no sloppy methods.
const apply = Reflect.apply;
type SloppyFactories = {
  generic: (body: WrapperBody, self: () => Function) => Function;
  insert: (original: Function, after: AfterInsert, self: () => Function, apply: typeof Reflect.apply) => Function;
};
let sloppy: SloppyFactories | null = null;
function sloppyFactories(): SloppyFactories {
  sloppy ??= runInThisContext(
    `({
      generic: function (body, self) { return function () { return body(this, arguments, self()); }; },
      insert: function (original, after, self, apply) {
        return function (a, b, c) {
          var n = arguments.length;
          var r = n === 2 ? apply(original, this, [a, b]) : n === 1 ? apply(original, this, [a]) : n === 3 ? apply(original, this, [a, b, c]) : apply(original, this, arguments);
          if ((typeof a === 'object' && a !== null) || typeof a === 'function') after(this, a, self());
          return r;
        };
      },
    })`,
    { filename: 'leak-agent-wrappers.js' },
  ) as SloppyFactories;
  return sloppy;
}

/** What an insert wrapper calls after the original returned, when the first argument is an object or a function. */
export type AfterInsert = (self: unknown, key: object, wrapper: Function) => void;

function sameShape(wrapper: Function, original: Function): Function {
  copyNameAndLength(wrapper, original);
  if (hasOwn(original, 'prototype')) {
    const desc = Object.getOwnPropertyDescriptor(original, 'prototype')!;
    Object.defineProperty(wrapper, 'prototype', desc);
  }
  // A library evaluated in another realm (a test runner's vm context): the wrapper is the agent's function, but it
  // inherits from that realm's Function.prototype as the original does, so `instanceof Function` there stays true.
  if (!types.isProxy(original)) {
    const proto = Object.getPrototypeOf(original) as object | null;
    if (proto !== Object.getPrototypeOf(wrapper)) Object.setPrototypeOf(wrapper, proto);
  }
  return wrapper;
}

/**
 * Like `wrapperLike`, for an insert method whose first argument is the key (lru-cache's `set`, `fetch`, …): the
 * common arities are forwarded as plain arguments, so no `arguments` object is made and a string key costs one
 * `typeof` test; `after` runs only for object and function keys.
 */
export function insertWrapperLike(original: Function, after: AfterInsert): Function {
  let wrapper: Function;
  if (!hasOwn(original, 'prototype')) {
    wrapper = {
      method(this: unknown, a: unknown, b: unknown, c: unknown) {
        const n = arguments.length;
        const r = n === 2 ? apply(original, this, [a, b]) : n === 1 ? apply(original, this, [a]) : n === 3 ? apply(original, this, [a, b, c]) : apply(original, this, arguments);
        if ((typeof a === 'object' && a !== null) || typeof a === 'function') after(this, a, wrapper);
        return r;
      },
    }.method;
  } else if (hasOwn(original, 'caller')) {
    wrapper = sloppyFactories().insert(original, after, () => wrapper, apply);
  } else {
    wrapper = function (this: unknown, a: unknown, b: unknown, c: unknown) {
      const n = arguments.length;
      const r = n === 2 ? apply(original, this, [a, b]) : n === 1 ? apply(original, this, [a]) : n === 3 ? apply(original, this, [a, b, c]) : apply(original, this, arguments);
      if ((typeof a === 'object' && a !== null) || typeof a === 'function') after(this, a, wrapper);
      return r;
    };
  }
  return sameShape(wrapper, original);
}

/**
 * A function of the same kind as `original` — a method (no `prototype`), a strict function or a sloppy one — with the
 * same own properties in the same order (`length`, `name`, and `prototype` (the same object) where it has one), that
 * runs `body`. So `Reflect.ownKeys(wrapper)` and every descriptor look as before.
 */
export function wrapperLike(original: Function, body: WrapperBody): Function {
  let wrapper: Function;
  if (!hasOwn(original, 'prototype')) {
    wrapper = {
      method(this: unknown) {
        return body(this, arguments, wrapper);
      },
    }.method;
  } else if (hasOwn(original, 'caller')) {
    wrapper = sloppyFactories().generic(body, () => wrapper);
  } else {
    wrapper = function (this: unknown) {
      return body(this, arguments, wrapper);
    };
  }
  return sameShape(wrapper, original);
}

/**
 * Replace `holder[name]` with a wrapper of the original's kind running `makeBody(original)`, keeping the property's
 * descriptor and the function's own properties. Returns false (and changes nothing) when there is no function to wrap.
 */
export function wrapMethod<T extends object>(holder: T, name: string, makeBody: (original: Function) => WrapperBody): boolean {
  return replaceMethod(holder, name, (orig) => wrapperLike(orig, makeBody(orig)));
}

/** `wrapMethod` for an insert method keyed by its first argument (see insertWrapperLike). */
export function wrapInsertMethod<T extends object>(holder: T, name: string, after: AfterInsert): boolean {
  return replaceMethod(holder, name, (orig) => insertWrapperLike(orig, after));
}

function replaceMethod<T extends object>(holder: T, name: string, make: (original: Function) => Function): boolean {
  const original = (holder as Record<string, unknown>)[name];
  if (typeof original !== 'function') return false;
  let made: Function | undefined;
  shimmer.wrap(holder as Record<string, any>, name, (orig: Function) => {
    made = make(orig);
    return made as never;
  });
  if (made === undefined || (holder as Record<string, unknown>)[name] !== made) return false;
  // shimmer marks its wrappers with __original, __unwrap and __wrapped; those would show in Reflect.ownKeys of the
  // method, so they go (the agent remembers the original in its own WeakMap instead).
  for (const marker of ['__original', '__unwrap', '__wrapped']) delete (made as unknown as Record<string, unknown>)[marker];
  setOriginal(made, original);
  return true;
}

export function isMarked(obj: object): boolean {
  return marks().patched.has(obj);
}

export function mark(obj: object): void {
  marks().patched.add(obj);
}
