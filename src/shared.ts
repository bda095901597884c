// The one agent state of this thread. Every copy of the package that is loaded in a thread (the preloaded one, a
// nested dependency's, another version) finds it under the same global symbol, so all copies share one registry of
// caches, one report lock, one set of test windows and one configuration: a second copy never answers from an empty
// registry of its own. The object is created by whichever copy runs first; the copy that starts the agent fills in
// `agent`. It is a non-enumerable property of globalThis, invisible to `Object.keys(globalThis)`.
//
// Compatibility between copies: `protocol` changes whenever the shape below changes incompatibly; a copy that finds
// another protocol leaves that state alone and works on its own (see `shared()`).
import { AsyncResource } from 'node:async_hooks';
import type { Config } from './config';

export const PROTOCOL = 2;
const KEY = Symbol.for('leak-agent');

/** What the copy that started the agent offers the other copies (see api.ts and integrations/test-window.ts). */
export interface AgentApi {
  report(trigger: 'api' | 'test', sinceSeq: number): Promise<unknown>;
  openWindow(): number;
  closeWindow(since: number, allow: string[]): Promise<{ report: unknown; failure: string | null }>;
}

export interface AgentInfo {
  readonly config: Config;
  readonly startedBy: string;
  readonly api: AgentApi;
}

export interface SharedState {
  readonly protocol: number;
  /** Set once an agent runs in this thread. */
  agent: AgentInfo | null;
  /** Per-purpose slots owned by one module each (the registry, the report lock, …). */
  readonly slots: Record<string, unknown>;
}

let local: SharedState | null = null;

/** The thread's shared state, created on first use. */
export function shared(): SharedState {
  if (local) return local;
  const g = globalThis as Record<symbol, unknown>;
  const found = g[KEY] as SharedState | undefined;
  if (found && typeof found === 'object' && found.protocol === PROTOCOL) {
    local = found;
    return local;
  }
  local = { protocol: PROTOCOL, agent: null, slots: Object.create(null) as Record<string, unknown> };
  if (found === undefined) {
    Object.defineProperty(globalThis, KEY, { value: local, enumerable: false, configurable: true, writable: false });
  }
  return local;
}

/** A module's slot in the shared state, made by `init` the first time any copy asks for it. */
export function slot<T>(name: string, init: () => T): T {
  const slots = shared().slots;
  if (!(name in slots)) slots[name] = init();
  return slots[name] as T;
}

/**
 * The async scope of the agent's start. A timer the agent arms later (the lifecycle sweep) is created inside it, so it
 * never captures the async context of the app code that happened to trigger it: AsyncLocalStorage stores there can
 * hold a test runner's current test, and with it a whole finished test file (Jest 30's circus keeps one per test).
 */
export function rootScope(): AsyncResource {
  return slot('root-scope', () => new AsyncResource('leak-agent'));
}
