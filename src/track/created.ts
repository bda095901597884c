// Whether any cache was ever instrumented in this thread: the exit trigger asks before it loads the report
// machinery (or even the registry), so a process that never made a cache ends without loading either.
let created = 0;

export function noteCacheCreated(): void {
  created++;
}

/** How many caches were ever instrumented in this thread (collected ones included). */
export function cachesCreated(): number {
  return created;
}
