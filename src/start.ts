// One agent per thread: the preload entries (agent/index.cjs for -r, agent/index.mjs for --import) call start().
// Idempotent across both flags, NODE_OPTIONS and several copies of the package (a Symbol.for marker on globalThis).
import workerThreads = require('node:worker_threads');
import { type Config, loadConfig } from './config';
import { registerHooksUsable } from './hooks/lines';
import { isLoaderHooksThread } from './loader-thread';
import { log, reportInternalError, warnOnce } from './log';
import { installExitTrigger } from './trigger/exit';
import { installSignalTriggers } from './trigger/signals';

const AGENT = Symbol.for('leak-agent');

export interface AgentState {
  readonly config: Config;
  readonly startedBy: string;
}


export function agentState(): AgentState | null {
  return ((globalThis as Record<symbol, unknown>)[AGENT] as AgentState | undefined) ?? null;
}

/* eslint-disable @typescript-eslint/no-require-imports -- each line loads only the hooks it uses */
function installModuleHooks(startedBy: string): void {
  if (registerHooksUsable()) {
    // One in-thread load hook covers require and import; no module.register(), so no hooks thread and no DEP0205.
    (require('./hooks/load-hook') as typeof import('./hooks/load-hook')).installLoadHook();
    return;
  }
  // Vitest's vmThreads pool evaluates this file in a vm context without a real module filename.
  if (typeof __filename !== 'string') {
    log.hooks('no module filename (vm context): modules are not instrumented here');
    return;
  }
  (require('./hooks/compile-hook') as typeof import('./hooks/compile-hook')).installCompileHook(__filename, startedBy);
}
/* eslint-enable @typescript-eslint/no-require-imports */

export function start(startedBy: string): AgentState | null {
  const existing = agentState();
  if (existing) {
    log.hooks('agent already running (started by %s); %s ignored', existing.startedBy, startedBy);
    return existing;
  }
  if (isLoaderHooksThread()) return null;
  const config = loadConfig();
  const state: AgentState = Object.freeze({ config, startedBy });
  Object.defineProperty(globalThis, AGENT, { value: state, enumerable: false, configurable: true, writable: false });
  try {
    installModuleHooks(startedBy);
  } catch (err) {
    if (startedBy === 'vitest') {
      warnOnce(
        'vitest-vm',
        "leak-agent: this Vitest pool evaluates modules in a vm context (vmThreads/vmForks), where the agent cannot see them load; use pool 'forks' or 'threads'",
      );
    } else {
      reportInternalError('installing module hooks', err);
    }
  }
  try {
    installExitTrigger(config);
    installSignalTriggers(config);
  } catch (err) {
    reportInternalError('installing triggers', err);
  }
  log.hooks('agent started by %s (pid %d, thread %d)', startedBy, process.pid, workerThreads.threadId);
  return state;
}
