// runReport: the one path from a trigger to a printed/written report. Only one report runs at a time.
import type { Config } from '../config';
import { faultPoint } from '../fault';
import { log, reportInternalError, writeStderr } from '../log';
import { type Report, type Trigger, buildReport } from '../report/build';
import { formatText, printable, shouldColor } from '../report/text';
import { writeReportFile } from '../report/write-file';
import { verify, verifyAsync } from '../verify/engine';
import type { VerificationResult } from '../verify/verdict';

export interface RunOptions {
  trigger: Trigger;
  /** Print the text report on stderr. */
  print: boolean;
  /** Write LEAK_AGENT_REPORT_FILE when configured. */
  writeFile: boolean;
  sinceSeq?: number;
}

let running = false;
/** An asynchronous report (its snapshot analysis) is in flight: other async triggers coalesce into it. */
let asyncRunning: Trigger | null = null;
let idleWaiters: Array<() => void> = [];

export function isReportRunning(): boolean {
  return running || asyncRunning !== null;
}

/** The trigger of the asynchronous report in flight, if any. */
export function runningAsyncTrigger(): Trigger | null {
  return asyncRunning;
}

/** Call `fn` once no asynchronous report is in flight (in a later macrotask; at once when none is). */
export function whenAsyncReportsDone(fn: () => void): void {
  if (asyncRunning === null) setImmediate(fn).unref();
  else idleWaiters.push(fn);
}

function asyncReportsDone(): void {
  const waiters = idleWaiters;
  idleWaiters = [];
  for (const fn of waiters) setImmediate(fn).unref();
}

function deliver(config: Config, opts: RunOptions, result: VerificationResult): Report {
  faultPoint('report');
  const report = buildReport(result, { trigger: opts.trigger, sinceSeq: opts.sinceSeq ?? 0 });
  // The file first, so that the text report's last line can say where it went (report.json, report.2.json, …).
  const written = opts.writeFile && config.reportFile ? writeReportFile(config.reportFile, `${JSON.stringify(report, null, 2)}\n`) : null;
  if (opts.print) {
    const text = formatText(report, { color: shouldColor() });
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
  if (running) {
    log.report('a report is already running: %s trigger coalesced', opts.trigger);
    return null;
  }
  running = true;
  try {
    faultPoint('trigger');
    return deliver(config, opts, verify(config.verify));
  } catch (err) {
    reportInternalError(`producing the ${opts.trigger} report`, err);
    return null;
  } finally {
    running = false;
  }
}

/**
 * The same for triggers the app need not wait for (signal, API, tests): a snapshot's analysis runs in a child while
 * the app goes on. An exit during it still gets its own (synchronous) report.
 */
export async function runReportAsync(config: Config, opts: RunOptions): Promise<Report | null> {
  if (running || asyncRunning) {
    log.report('a report is already running: %s trigger coalesced', opts.trigger);
    return null;
  }
  asyncRunning = opts.trigger;
  try {
    faultPoint('trigger');
    // The synchronous part holds `running`, like any report; the analysis in a child does not block exit reports.
    running = true;
    let pendingResult: Promise<VerificationResult>;
    try {
      pendingResult = verifyAsync(config.verify, opts.trigger !== 'signal');
    } finally {
      running = false;
    }
    return deliver(config, opts, await pendingResult);
  } catch (err) {
    reportInternalError(`producing the ${opts.trigger} report`, err);
    return null;
  } finally {
    asyncRunning = null;
    asyncReportsDone();
  }
}
