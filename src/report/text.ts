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
 * Whether a byte count is worth printing. The gc engine's bytes are a heap delta between two full GCs, within about
 * ±100 KiB of the truth (V8's own bookkeeping moves that much between collections), so smaller amounts are not shown;
 * the snapshot engine's bytes are exact.
 */
function showBytes(bytes: number | null, engine: Report['verification']['engine']): bytes is number {
  return bytes !== null && bytes >= (engine === 'gc' ? 256 * 1024 : 1024);
}

export function formatText(report: Report, opts: TextOptions): string {
  const c = (code: string, s: string): string => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const leaking = report.caches.filter((x) => x.deadKeys > 0);
  const unverified = report.caches.filter((x) => !x.verified);
  const lines: string[] = [];
  if (leaking.length > 0) {
    const bytes = report.summary.retainedBytes;
    lines.push(
      c(
        '1;31',
        `leak-agent: ${plural(leaking.length, 'cache keeps', 'caches keep')} ${plural(report.summary.deadKeys, 'otherwise-dead object', 'otherwise-dead objects')} alive` +
          (showBytes(bytes, report.verification.engine) ? ` (${formatBytes(bytes)})` : ''),
      ),
    );
    for (const cache of leaking) {
      const label = `${cache.library} ${cache.name === null ? '(anonymous)' : printable(cache.name)}`;
      lines.push(`  ${c('1', label)}  ${c('36', where(cache.createdAt))}  ${describeBound(cache.options)}`);
      const classes = cache.classes.map((k) => `${k.count} × ${printable(k.name)}`).join(', ');
      let detail = `    ${classes} dead, ${cache.trackedKeys} tracked`;
      if (showBytes(cache.retainedBytes, report.verification.engine) && leaking.length > 1) detail += `, ~${formatBytes(cache.retainedBytes)}`;
      const at = cache.example?.insertedAt;
      if (at) detail += `, first inserted at ${where(at)} (${printable(at.function)})`;
      if (cache.retention) detail += `; ${printable(cache.retention)}`;
      lines.push(detail);
      lines.push(`    ${c('32', 'fix:')} ${printable(cache.advice)}`);
    }
  }
  if (unverified.length > 0) {
    lines.push(
      c('33', `leak-agent: ${plural(unverified.length, 'cache', 'caches')} holding object keys could not be verified`),
    );
    for (const cache of unverified) {
      lines.push(
        `  ${cache.library} ${cache.name === null ? '(anonymous)' : printable(cache.name)}  ${where(cache.createdAt)}  ${cache.trackedKeys} tracked: ${printable(cache.reason ?? 'not verified')}`,
      );
    }
  }
  if (lines.length === 0) {
    if (report.caches.length === 0) return '';
    const tracked = report.caches.reduce((n, x) => n + x.trackedKeys, 0);
    return `leak-agent: no cache keeps otherwise-dead objects alive (${plural(report.caches.length, 'cache', 'caches')}, ${plural(tracked, 'tracked key', 'tracked keys')}, ${report.verification.engine} engine ${report.verification.durationMs} ms)\n`;
  }
  return `${lines.join('\n')}\n`;
}
