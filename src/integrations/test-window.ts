// The core of the test integrations: open a window (a test file, a test, a callback), then judge only the keys
// inserted while it was open. Caches on the allowlist never fail a window. Every copy of the package delegates to
// the agent running in its thread (shared.ts), so a window opened through a nested copy sees the same caches.
import type { Report } from '../report/build';
import { agentApi } from '../start';

export interface WindowOptions {
  /** Entries: a library ('lru-cache'), a memoized function name, or a path fragment of the creation site. */
  allow?: string[];
}

export function openWindow(): number {
  return agentApi().openWindow();
}

/** Allowlist from LEAK_AGENT_ALLOW (comma-separated), merged with the caller's. */
export function allowlist(extra: string[] = []): string[] {
  const fromEnv = (process.env.LEAK_AGENT_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...fromEnv, ...extra];
}

/** Verify now and return the report of keys inserted since `since`, plus the text to fail with (null: no leak). */
export async function closeWindow(since: number, opts: WindowOptions = {}): Promise<{ report: Report; failure: string | null }> {
  return (await agentApi().closeWindow(since, allowlist(opts.allow))) as { report: Report; failure: string | null };
}
