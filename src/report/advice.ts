// One sentence per cache: how to stop it keeping dead objects alive, in that library's own terms (each library's
// declaration in src/libraries says it), plus what the snapshot engine found about how the keys are held.
import { type AdviceInput as LibraryAdviceInput, type LibraryName, pluginFor } from '../libraries/index';

export type AdviceInput = LibraryAdviceInput<LibraryName>;

export function adviceFor(input: AdviceInput): string {
  const base = pluginFor(input.library)?.advice(input) ?? 'key the cache by a primitive id instead of the object';
  const path = input.valuePath ?? null;
  // Keyed by an id, such an entry still pins the object through its value: the back-reference has to go too.
  return path ? `${base}; the cached value also points back at its key (${path}), so drop that reference as well` : base;
}
