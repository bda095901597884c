// Whether this thread is Node's module-hooks thread. A `-r` preload is executed again inside it once
// module.register() is used (Node 20–24); that thread has no app caches and must not run an agent. Kept in its own
// tiny module so the preload entry can bail out before loading anything else.
import workerThreads = require('node:worker_threads');

export function isLoaderHooksThread(): boolean {
  if (workerThreads.isMainThread) return false;
  const internal = (workerThreads as { isInternalThread?: boolean }).isInternalThread;
  if (typeof internal === 'boolean') return internal;
  return workerThreads.workerData === null && workerThreads.threadId === 1;
}
