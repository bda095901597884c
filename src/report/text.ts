// The human report on stderr, in CONTRACT.md's shape: one block per leaking cache, largest first.
import type { CacheReport, Report } from './build';

export interface TextOptions {
  color: boolean;
}

/** Colours only on a TTY and never with NO_COLOR (https://no-color.org) or FORCE_COLOR=0. */
export function shouldColor(stream: { isTTY?: boolean } = process.stderr): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  return stream.isTTY === true;
}

// C0 and C1 controls (ESC, CSI, newlines, …), line and paragraph separators, and the marks that reorder text
// (Unicode bidirectional overrides), which would let a name rewrite the terminal or look like report lines of its own.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * App-provided text (cache, class and function names, file paths) as one printable line: control characters are
 * shown escaped (`\x1b`, `\x0a`, `\u202e`), everything else as it is.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeBound(options: CacheReport['options']): string {
  const parts: string[] = [];
  for (const key of ['max', 'maxSize', 'ttl', 'maxAge', 'length'] as const) {
    if (options[key] !== undefined && key !== 'length') parts.push(`${key} ${printable(String(options[key]))}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'unbounded';
}

function where(loc: CacheReport['createdAt']): string {
  return loc ? `${printable(loc.file)}:${loc.line}:${loc.column}` : '(unknown site)';
}

/**
 * Whether a byte count is worth printing. The gc engine's bytes are a memory delta between two full GCs, within about
 * ±100 KiB of the truth (V8's own bookkeeping moves that much between collections), so smaller amounts are not shown;
 * the snapshot engine's bytes are exact.
 */
function showBytes(bytes: number | null | undefined, engine: Report['verification']['engine']): bytes is number {
  return typeof bytes === 'number' && bytes >= (engine === 'gc' ? 256 * 1024 : 1024);
}

/** "12:01:03", local time. */
function clock(iso: string): string {
  const d = new Date(iso);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function label(cache: CacheReport): string {
  return `${cache.library} ${cache.name === null ? '(anonymous)' : printable(cache.name)}`;
}

/**
 * The note about caches that were garbage themselves, only when the app's own code made one of them: a short script's
 * module-local cache (judge it while it lives), not glob's per-call caches inside a dependency, which are no concern.
 */
/**
 * The last-holder line of a cache whose collected sampled keys died mostly only after it let them go (at least 20
 * collected, 90% of them after eviction): the seed incident's pattern, seen without any verdict.
 */
function lastHolderLine(cache: CacheReport): string | null {
  const l = cache.lifecycle;
  if (!l || l.collected < 20 || l.collectedAfterEviction < 0.9 * l.collected) return null;
  const delay = l.medianMsToCollection !== undefined ? ` (median ${l.medianMsToCollection} ms later)` : '';
  return `of ${l.collected} sampled keys collected, ${l.collectedAfterEviction} died only after this cache evicted them${delay}: it was their last holder`;
}

function garbageNote(report: Report): string | null {
  const n = report.summary.garbageCaches;
  if (n === 0 || !(report.summary.garbageCachesFromApp > 0)) return null;
  return `${plural(n, 'cache', 'caches')} with object keys ${n === 1 ? 'was' : 'were'} garbage ${n === 1 ? 'itself' : 'themselves'} and not judged`;
}

export function formatText(report: Report, opts: TextOptions): string {
  const c = (code: string, s: string): string => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const engine = report.verification.engine;
  const leaking = report.caches.filter((x) => x.deadKeys > 0);
  const unverified = report.caches.filter((x) => !x.verified && x.deadKeys === 0 && x.trackedKeys > 0);
  const lines: string[] = [];
  if (leaking.length > 0) {
    const bytes = report.summary.retainedBytes;
    const together = leaking.length > 1 && leaking.some((x) => x.retainedBytesSharedWith !== undefined) ? ' together' : '';
    lines.push(
      c(
        '1;31',
        `leak-agent: ${plural(leaking.length, 'cache keeps', 'caches keep')} ${plural(report.summary.deadKeys, 'otherwise-dead object', 'otherwise-dead objects')} alive` +
          (showBytes(bytes, engine) ? ` (${engine === 'gc' ? '~' : ''}${formatBytes(bytes)}${together})` : ''),
      ),
    );
    for (const cache of leaking) {
      lines.push(`  ${c('1', label(cache))}  ${c('36', where(cache.createdAt))}  ${describeBound(cache.options)}`);
      const classes = cache.classes.map((k) => `${k.count} × ${printable(k.name)}`).join(', ');
      let detail = `    ${cache.verified ? '' : 'at least '}${classes} dead, ${cache.trackedKeys} tracked`;
      // Per cache only when the figure is this cache's own (snapshot engine, or the one leaking cache's whole share).
      if (leaking.length > 1 && showBytes(cache.retainedBytes, engine)) detail += `, ${formatBytes(cache.retainedBytes)}`;
      const at = cache.example?.insertedAt;
      if (at) detail += `, first inserted at ${where(at)} (${printable(at.function)})`;
      if (cache.retention) detail += `; ${printable(cache.retention)}`;
      lines.push(detail);
      const lastHolder = lastHolderLine(cache);
      if (lastHolder) lines.push(`    ${lastHolder}`);
      if (cache.removedByEarlierReports) {
        lines.push(`    ${cache.removedByEarlierReports.deadKeys} more found by the report at ${clock(cache.removedByEarlierReports.at)}`);
      }
      if (!cache.verified && cache.reason) lines.push(`    ${c('33', 'not exact:')} ${printable(cache.reason)}`);
      lines.push(`    ${c('32', 'fix:')} ${printable(cache.advice)}`);
    }
    const note = garbageNote(report);
    if (note) lines.push(`  (${note})`);
  }
  if (unverified.length > 0) {
    lines.push(c('33', `leak-agent: ${plural(unverified.length, 'cache', 'caches')} holding object keys could not be verified`));
    for (const cache of unverified) {
      lines.push(`  ${label(cache)}  ${where(cache.createdAt)}  ${cache.trackedKeys} tracked: ${printable(cache.reason ?? 'not verified')}`);
      const lastHolder = lastHolderLine(cache);
      if (lastHolder) lines.push(`    ${lastHolder}`);
    }
  }
  // Caches with nothing to report but what their evicted keys' lifetimes show.
  const quiet = report.caches.filter((x) => x.deadKeys === 0 && !unverified.includes(x) && lastHolderLine(x) !== null);
  const holderLines = quiet.map((x) => `  ${label(x)}  ${where(x.createdAt)}  ${describeBound(x.options)}: ${lastHolderLine(x)!}`);
  if (lines.length > 0) return `${[...lines, ...holderLines].join('\n')}\n`;
  const clean = cleanLine(report);
  return holderLines.length > 0 ? `${clean || 'leak-agent: no cache keeps otherwise-dead objects alive now\n'}${holderLines.join('\n')}\n` : clean;
}

/**
 * The one line of a report someone asked for (a signal, `leak-agent report`) when no cache holds an object key: the
 * agent is running and has nothing to judge. The exit report stays silent then (NODE_OPTIONS over a whole npm tree).
 */
export function nothingToJudgeLine(pid: number): string {
  return `leak-agent: process ${pid} has no cache holding object keys: nothing to judge\n`;
}

/** The one line a report with nothing to fix prints ('' when no cache ever held an object key: nothing was judged). */
function cleanLine(report: Report): string {
  const removed = report.caches.filter((x) => x.removedByEarlierReports !== undefined);
  if (removed.length > 0) {
    const latest = removed.map((x) => x.removedByEarlierReports!.at).sort().pop()!;
    const where = removed.length === 1 ? `in ${label(removed[0]!)}` : `in ${removed.length} caches`;
    return `leak-agent: no new dead objects since the report at ${clock(latest)} (${report.summary.removedByEarlierReports} found then, ${where})\n`;
  }
  const note = garbageNote(report);
  const judged = report.caches.filter((x) => x.trackedKeys > 0);
  if (judged.length === 0) {
    return note ? `leak-agent: no live cache keeps otherwise-dead objects alive (${note}; judge caches while they live: a signal, report() or a test window)\n` : '';
  }
  const tracked = judged.reduce((n, x) => n + x.trackedKeys, 0);
  return `leak-agent: no cache keeps otherwise-dead objects alive (${plural(judged.length, 'cache', 'caches')}, ${plural(tracked, 'tracked key', 'tracked keys')}, ${report.verification.engine} engine ${report.verification.durationMs} ms${note ? `; ${note}` : ''})\n`;
}
