// One sentence per cache: how to stop it keeping dead objects alive, in that library's own terms (each library's
// declaration in src/libraries says it), plus what the snapshot engine found about how the keys are held.
import { type AdviceInput as LibraryAdviceInput, type LibraryName, pluginFor } from '../libraries/index';

export type AdviceInput = LibraryAdviceInput<LibraryName>;

/** The path of a value→key back-reference in a retention explanation, e.g. ".owner", or null. */
function backReference(retention: string | null | undefined): string | null {
  const m = retention ? /through cached value (\S+)/.exec(retention) : null;
  return m ? m[1]! : null;
}

export function adviceFor(input: AdviceInput): string {
  const base = pluginFor(input.library)?.advice(input) ?? 'key the cache by a primitive id instead of the object';
  const path = backReference(input.retention);
  // Keyed by an id, such an entry still pins the object through its value: the back-reference has to go too.
  return path ? `${base}; the cached value also points back at its key (${path}), so drop that reference as well` : base;
}
