// One agent per thread: the preload entries (agent/index.cjs for -r, agent/index.mjs for --import) call start().
// Idempotent across both flags, NODE_OPTIONS and several copies of the package: the agent's state is the thread's one
// shared object (shared.ts), and a copy that finds an agent running delegates to it.
import { type Config, loadConfig } from './config';
import { registerHooksUsable } from './hooks/lines';
import { isLoaderHooksThread, threadId } from './loader-thread';
import { loadOnce } from './load-once';
import { log, reportInternalError } from './log';
import { type AgentApi, type AgentInfo, rootScope, shared } from './shared';
import { installExitTrigger } from './trigger/exit';
import { installSignalTriggers } from './trigger/signals';

/** The agent running in this thread, or null. */
export function agentState(): AgentInfo | null {
  return shared().agent;
}

/** This copy's answers, loaded only when first asked (the report machinery is not needed at start-up). */
function localApi(config: Config): AgentApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = loadOnce(() => require('./integrations/local-api') as typeof import('./integrations/local-api'));
  return {
    report: (trigger, sinceSeq) => load().produce(config, trigger, sinceSeq),
    openWindow: () => load().openWindow(),
    closeWindow: (since, allow) => load().closeWindow(config, since, allow),
  };
}

/**
 * The API of the agent running in this thread, starting one when there is none (a program that imports
 * `leak-agent` without preloading it). In Node's module-hooks thread, where no agent runs, this copy answers alone.
 */
export function agentApi(): AgentApi {
  const running = shared().agent ?? start('api');
  return running?.api ?? localApi(loadConfig());
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

export function start(startedBy: string): AgentInfo | null {
  const state = shared();
  const existing = state.agent;
  if (existing) {
    log.hooks('agent already running (started by %s); %s ignored', existing.startedBy, startedBy);
    return existing;
  }
  if (isLoaderHooksThread()) return null;
  const config = loadConfig();
  const agent: AgentInfo = Object.freeze({ config, startedBy, api: localApi(config) });
  state.agent = agent;
  rootScope();
  try {
    installModuleHooks(startedBy);
  } catch (err) {
    reportInternalError('installing module hooks', err);
  }
  try {
    installExitTrigger(config);
    installSignalTriggers(config);
  } catch (err) {
    reportInternalError('installing triggers', err);
  }
  if (log.hooks.enabled) log.hooks('agent started by %s (pid %d, thread %d)', startedBy, process.pid, threadId());
  return agent;
}
