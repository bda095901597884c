// Wrapping helpers shared by the adapters: shimmer does the swap (keeping enumerability), these keep `name` and
// `length` identical to the original, so `fn.name`, `fn.length` and the property descriptor look as before.
import shimmer from 'shimmer';

/** Mark on a patched object (a prototype, an exports object), shared by every copy of the agent. */
export const PATCHED = Symbol.for('leak-agent.patched');

export function copyNameAndLength(target: Function, source: Function): void {
  for (const prop of ['name', 'length'] as const) {
    const desc = Object.getOwnPropertyDescriptor(source, prop);
    if (desc) Object.defineProperty(target, prop, desc);
  }
}

/**
 * Replace `holder[name]` with `makeWrapper(original)`, keeping the property's enumerability, the function's name and
 * length. Returns false (and changes nothing) when there is no function to wrap.
 */
export function wrapMethod<T extends object>(
  holder: T,
  name: string,
  makeWrapper: (original: Function) => Function,
): boolean {
  const original = (holder as Record<string, unknown>)[name];
  if (typeof original !== 'function') return false;
  let made: Function | undefined;
  shimmer.wrap(holder as Record<string, any>, name, (orig: Function) => {
    made = makeWrapper(orig);
    copyNameAndLength(made, orig);
    return made as never;
  });
  return made !== undefined && (holder as Record<string, unknown>)[name] === made;
}

export function isMarked(obj: object): boolean {
  return Object.prototype.hasOwnProperty.call(obj, PATCHED);
}

export function mark(obj: object): void {
  Object.defineProperty(obj, PATCHED, { value: true, enumerable: false, configurable: true, writable: false });
}
