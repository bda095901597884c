// runReport: the one path from a trigger to a printed/written report. Only one report runs at a time.
import type { Config } from '../config';
import { faultPoint } from '../fault';
import { log, reportInternalError, writeStderr } from '../log';
import { type Report, type Trigger, buildReport } from '../report/build';
import { formatText, shouldColor } from '../report/text';
import { writeReportFile } from '../report/write-file';
import { verify } from '../verify/engine';

export interface RunOptions {
  trigger: Trigger;
  /** Print the text report on stderr. */
  print: boolean;
  /** Write LEAK_AGENT_REPORT_FILE when configured. */
  writeFile: boolean;
  sinceSeq?: number;
}

let running = false;

export function isReportRunning(): boolean {
  return running;
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
    const result = verify(config.verify);
    faultPoint('report');
    const report = buildReport(result, { trigger: opts.trigger, sinceSeq: opts.sinceSeq ?? 0 });
    if (opts.print) {
      const text = formatText(report, { color: shouldColor() });
      if (text) writeStderr(text);
    }
    if (opts.writeFile && config.reportFile) {
      writeReportFile(config.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    }
    return report;
  } catch (err) {
    reportInternalError(`producing the ${opts.trigger} report`, err);
    return null;
  } finally {
    running = false;
  }
}
