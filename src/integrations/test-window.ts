// The core of the test integrations: open a window (a test file, a test, a callback), then judge only the keys
// inserted while it was open. Caches on the allowlist never fail a window.
import { type Report } from '../report/build';
import { formatText } from '../report/text';
import { currentSeq } from '../track/registry';
import { runReportAsync } from '../trigger/run';
import { agentState, start } from '../start';
import { loadConfig } from '../config';
import { addToBaseline, baselinePath, inBaseline, readBaseline, updatingBaseline } from './baseline';

export interface WindowOptions {
  /** Entries: a library ('lru-cache'), a memoized function name, or a path fragment of the creation site. */
  allow?: string[];
}

export function openWindow(): number {
  return currentSeq();
}

function allowed(cache: Report['caches'][number], allow: string[]): boolean {
  return allow.some(
    (entry) =>
      entry === cache.library ||
      (cache.name !== null && entry === cache.name) ||
      (cache.createdAt !== null && `${cache.createdAt.file}:${cache.createdAt.line}`.includes(entry)),
  );
}

/** Allowlist from LEAK_AGENT_ALLOW (comma-separated), merged with the caller's. */
export function allowlist(extra: string[] = []): string[] {
  const fromEnv = (process.env.LEAK_AGENT_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...fromEnv, ...extra];
}

/**
 * Verify now (in a fresh macrotask) and return the report of keys inserted since `since`, with allowlisted caches'
 * dead keys not counted, plus the text to fail with (null when nothing leaked).
 */
export async function closeWindow(since: number, opts: WindowOptions = {}): Promise<{ report: Report; failure: string | null }> {
  const config = (agentState() ?? start('test'))?.config ?? loadConfig();
  const allow = allowlist(opts.allow);
  for (let attempt = 0; attempt < 24_000; attempt++) {
    await new Promise((r) => (attempt === 0 ? setImmediate(r) : setTimeout(r, 25)));
    const report = await runReportAsync(config, { trigger: 'test', print: false, writeFile: false, sinceSeq: since });
    if (!report) continue;
    let failing = report.caches.filter((c) => c.deadKeys > 0 && !allowed(c, allow));
    // Known leaks (LEAK_AGENT_BASELINE) pass; with LEAK_AGENT_BASELINE_UPDATE=1 new ones are added instead of failing.
    const baseline = baselinePath();
    if (baseline !== null && failing.length > 0) {
      if (updatingBaseline()) {
        addToBaseline(baseline, failing);
        failing = [];
      } else {
        const known = readBaseline(baseline);
        failing = failing.filter((c) => !inBaseline(c, known));
      }
    }
    if (failing.length === 0) return { report, failure: null };
    const shown: Report = {
      ...report,
      caches: failing,
      summary: {
        ...report.summary,
        leakingCaches: failing.length,
        deadKeys: failing.reduce((n, c) => n + c.deadKeys, 0),
        retainedBytes: failing.every((c) => c.retainedBytes !== null)
          ? failing.reduce((n, c) => n + (c.retainedBytes ?? 0), 0)
          : null,
      },
    };
    return { report, failure: formatText(shown, { color: false }).trimEnd() };
  }
  throw new Error('leak-agent: could not produce a report (another report kept running)');
}
