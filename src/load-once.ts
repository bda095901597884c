// The agent's own modules that load on first use (the dispatcher with the first library file, the report machinery
// with the first report) are required once and kept. Asking require() again on every use would hand the agent a
// fresh, second copy of a module whenever the app has emptied require.cache in between; lodash's own test suite does
// that while Map, Set, WeakMap and Symbol are stand-ins, and the fresh copy then failed building its tables.

/** `load` runs on the first call only; every later call returns what it returned. */
export function loadOnce<T>(load: () => T): () => T {
  let loaded: { value: T } | null = null;
  return () => (loaded ??= { value: load() }).value;
}
