// What the copy of the package that started the agent answers for every copy in its thread (shared.ts): reports on
// demand and test windows, against this copy's registry, report lock and configuration.
import type { Config } from '../config';
import { type Report, type Trigger } from '../report/build';
import { formatText } from '../report/text';
import { currentSeq } from '../track/registry';
import { runReportAsync } from '../trigger/run';
import { addToBaseline, baselinePath, inBaseline, readBaseline, updatingBaseline } from './baseline';

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Verify in a fresh macrotask (the caller's job has ended, so its stack and WeakRef bookkeeping hold nothing) and
 * return the report; another report in flight (a snapshot being analysed) is waited for, for up to ten minutes.
 */
export async function produce(config: Config, trigger: Trigger, sinceSeq: number): Promise<Report> {
  for (let attempt = 0; attempt < 24_000; attempt++) {
    await (attempt === 0 ? nextMacrotask() : new Promise((r) => setTimeout(r, 25)));
    const report = await runReportAsync(config, { trigger, print: false, writeFile: false, sinceSeq });
    if (report) return report;
  }
  throw new Error('leak-agent: could not produce a report (another report kept running)');
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

/**
 * Verify now and return the report of keys inserted since `since`, with allowlisted caches' dead keys not counted,
 * plus the text to fail with (null when nothing leaked).
 */
export async function closeWindow(config: Config, since: number, allow: string[]): Promise<{ report: Report; failure: string | null }> {
  const report = await produce(config, 'test', since);
  let failing = report.caches.filter((c) => c.deadKeys > 0 && !allowed(c, allow));
  // Known leaks (LEAK_AGENT_BASELINE) pass; with LEAK_AGENT_BASELINE_UPDATE=1 new ones are added instead of failing.
  // A baseline that cannot be read or written fails the window with the reason: it never lets a leak pass.
  const baseline = baselinePath();
  let baselineError: string | null = null;
  if (baseline !== null && failing.length > 0) {
    if (updatingBaseline()) {
      baselineError = addToBaseline(baseline, failing);
      if (baselineError === null) failing = [];
    } else {
      const known = readBaseline(baseline);
      if ('error' in known) baselineError = known.error;
      else failing = failing.filter((c) => !inBaseline(c, known.entries));
    }
  }
  if (failing.length === 0) return { report, failure: null };
  const ids = new Set(failing.map((c) => c.id));
  const shown: Report = {
    ...report,
    caches: failing,
    summary: {
      ...report.summary,
      leakingCaches: failing.length,
      deadKeys: failing.reduce((n, c) => n + c.deadKeys, 0),
      retainedBytes: failing.every((c) => c.retainedBytes !== null) ? failing.reduce((n, c) => n + (c.retainedBytes ?? 0), 0) : null,
    },
  };
  for (const c of shown.caches) if (c.retainedBytesSharedWith) c.retainedBytesSharedWith = c.retainedBytesSharedWith.filter((id) => ids.has(id));
  const text = formatText(shown, { color: false }).trimEnd();
  return { report, failure: baselineError === null ? text : `${text}\nleak-agent: ${baselineError}` };
}
