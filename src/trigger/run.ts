// runReport: the one path from a trigger to a printed/written report. Only one report runs at a time.
import type { Config } from '../config';
import { faultPoint } from '../fault';
import { log, reportInternalError, writeStderr } from '../log';
import { slot } from '../shared';
import { type Report, type Trigger, buildReport } from '../report/build';
import { resolveSites } from '../report/sites';
import { formatText, nothingToJudgeLine, printable, shouldColor } from '../report/text';
import { writeReportFile } from '../report/write-file';
import { type VerifyOptions, verify, verifyAsync } from '../verify/engine';
import type { VerificationResult } from '../verify/verdict';

export interface RunOptions {
  trigger: Trigger;
  /** Print the text report on stderr. */
  print: boolean;
  /** Write LEAK_AGENT_REPORT_FILE when configured. */
  writeFile: boolean;
  sinceSeq?: number;
  /** The gc engine whatever LEAK_AGENT_VERIFY says, without bytes (a terminating signal: within a grace period). */
  gcOnly?: boolean;
  /** Someone asked for this report (the report signal): with nothing to judge it still says so in one line. */
  asked?: boolean;
}

/** Test windows judge pass or fail: no bytes, so the gc engine needs one full GC instead of two. */
function verifyOptions(config: Config, opts: RunOptions): VerifyOptions {
  const mode = opts.gcOnly && config.verify !== 'off' ? 'gc' : config.verify;
  // On the way out (a terminating signal) one collection instead of two: the grace period matters more than bytes.
  return { mode, bytes: opts.trigger !== 'test' && !opts.gcOnly, sinceSeq: opts.sinceSeq ?? 0 };
}

/**
 * One report at a time per thread, whichever copy of the package asks (shared.ts). `sync`: a report's synchronous
 * part runs; `async`: the trigger of the asynchronous report (its snapshot analysis) in flight, into which other
 * async triggers coalesce; `idle`: callbacks waiting for it to end.
 */
const lock = slot('report-lock', () => ({ sync: false, async: null as Trigger | null, idle: [] as Array<() => void> }));

export function isReportRunning(): boolean {
  return lock.sync || lock.async !== null;
}

/** The trigger of the asynchronous report in flight, if any. */
export function runningAsyncTrigger(): Trigger | null {
  return lock.async;
}

/** Call `fn` once no asynchronous report is in flight (in a later macrotask; at once when none is). */
export function whenAsyncReportsDone(fn: () => void): void {
  if (lock.async === null) setImmediate(fn).unref();
  else lock.idle.push(fn);
}

function asyncReportsDone(): void {
  const waiters = lock.idle;
  lock.idle = [];
  for (const fn of waiters) setImmediate(fn).unref();
}

function deliver(config: Config, opts: RunOptions, result: VerificationResult): Report {
  faultPoint('report');
  const sinceSeq = opts.sinceSeq ?? 0;
  const report = buildReport(result, resolveSites(result, sinceSeq), { trigger: opts.trigger, sinceSeq });
  // The file first, so that the text report's last line can say where it went (report.json, report.2.json, …).
  const written = opts.writeFile && config.reportFile ? writeReportFile(config.reportFile, `${JSON.stringify(report, null, 2)}\n`) : null;
  if (opts.print) {
    let text = formatText(report, { color: shouldColor() });
    // A report someone asked for says it ran; the exit report and a terminating signal's stay silent.
    if (text === '' && opts.asked) text = nothingToJudgeLine(process.pid);
    if (written === null) {
      if (text) writeStderr(text);
    } else {
      // The last line names the file. When there is nothing to say, that stays one line.
      const where = `JSON report written to ${printable(written)}`;
      const oneLine = text.indexOf('\n') === text.length - 1;
      writeStderr(text === '' ? `leak-agent: ${where}\n` : oneLine ? `${text.slice(0, -1)}; ${where}\n` : `${text}leak-agent: ${where}\n`);
    }
  }
  return report;
}

/** Verify, build, print and write. Synchronous; returns null when a report is already running or it failed. */
export function runReport(config: Config, opts: RunOptions): Report | null {
  if (lock.sync) {
    log.report('a report is already running: %s trigger coalesced', opts.trigger);
    return null;
  }
  lock.sync = true;
  try {
    faultPoint('trigger');
    return deliver(config, opts, verify(verifyOptions(config, opts)));
  } catch (err) {
    reportInternalError(`producing the ${opts.trigger} report`, err);
    return null;
  } finally {
    lock.sync = false;
  }
}

/**
 * The same for triggers the app need not wait for (signal, API, tests): a snapshot's analysis runs in a child while
 * the app goes on. An exit during it still gets its own (synchronous) report.
 */
export async function runReportAsync(config: Config, opts: RunOptions): Promise<Report | null> {
  if (lock.sync || lock.async !== null) {
    log.report('a report is already running: %s trigger coalesced', opts.trigger);
    return null;
  }
  lock.async = opts.trigger;
  try {
    faultPoint('trigger');
    // The synchronous part holds `running`, like any report; the analysis in a child does not block exit reports.
    lock.sync = true;
    let pendingResult: Promise<VerificationResult>;
    try {
      pendingResult = verifyAsync(verifyOptions(config, opts), opts.trigger !== 'signal');
    } finally {
      lock.sync = false;
    }
    return deliver(config, opts, await pendingResult);
  } catch (err) {
    reportInternalError(`producing the ${opts.trigger} report`, err);
    return null;
  } finally {
    lock.async = null;
    asyncReportsDone();
  }
}
