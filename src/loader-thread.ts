// Whether this thread is Node's module-hooks thread. A `-r` preload is executed again inside it once
// module.register() is used (Node 20–24); that thread has no app caches and must not run an agent. Kept in its own
// tiny module so the preload entry can bail out before loading anything else.
//
// Asking node:worker_threads costs 4–5 ms of start-up in the main thread (it loads Node's worker and stream modules):
// a third of what the agent adds to `node -e 0`. A worker thread's bootstrap (the module-hooks thread's too) has loaded
// that module before any preload runs, and the main thread loads it only when something asks for it; Node's own list of
// the built-ins loaded so far tells which. Where that list is missing, or does not look the way Node 20–26 write it,
// the module is asked.
type WorkerThreads = typeof import('node:worker_threads');

function workerThreadsLoaded(): boolean {
  const list: unknown = (process as { moduleLoadList?: unknown }).moduleLoadList;
  if (!Array.isArray(list) || !list.includes('NativeModule internal/modules/cjs/loader')) return true; // ask it
  return list.includes('NativeModule worker_threads');
}

/** node:worker_threads, or null in the main thread while nothing has loaded it (so it is the main thread). */
function workerThreadsIfLoaded(): WorkerThreads | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return workerThreadsLoaded() ? (require('node:worker_threads') as WorkerThreads) : null;
}

export function isMainThread(): boolean {
  return workerThreadsIfLoaded()?.isMainThread ?? true;
}

/** worker_threads' threadId (0 in the main thread). */
export function threadId(): number {
  return workerThreadsIfLoaded()?.threadId ?? 0;
}

export function isLoaderHooksThread(): boolean {
  const workerThreads = workerThreadsIfLoaded();
  if (workerThreads === null || workerThreads.isMainThread) return false;
  const internal = (workerThreads as { isInternalThread?: boolean }).isInternalThread;
  if (typeof internal === 'boolean') return internal;
  return workerThreads.workerData === null && workerThreads.threadId === 1;
}
