// The exit report: natural end, process.exit(), uncaught exception. The exit code stays what it would have been,
// unless LEAK_AGENT_EXIT_CODE asks for a different one when leaks are found in a process that would exit 0.
import type { Config } from '../config';
import { log } from '../log';
import { loadOnce } from '../load-once';
import { cachesCreated } from '../track/created';

// The report machinery (verify/, report/, heap/) is most of the agent: loaded on the first report, not at start-up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reports = loadOnce((): typeof import('./run') => require('./run') as typeof import('./run'));

let done = false;

/** Called by the signal trigger once it has reported, so the same end is not reported twice. */
export function markExitReported(): void {
  done = true;
}

export function installExitTrigger(config: Config): void {
  if (!config.onExit) {
    log.trigger('exit report disabled (LEAK_AGENT_ON_EXIT=0)');
    return;
  }
  process.on('exit', function leakAgentExitReport(code: number) {
    if (done) return;
    done = true;
    // No cache was ever instrumented and no file is wanted: the report would be empty, so its machinery stays unloaded.
    if (config.reportFile === null && cachesCreated() === 0) {
      log.trigger('exit: no cache was instrumented, nothing to report');
      return;
    }
    abortSnapshots(); // a signal's analysis still running: its result would come too late
    const report = reports().runReport(config, { trigger: 'exit', print: true, writeFile: true });
    if (report && config.exitCode !== null && report.summary.deadKeys > 0 && code === 0) {
      process.exitCode = config.exitCode;
    }
  });
}

/** Stop a snapshot analysis in flight and remove its files (loaded only when a report runs). */
function abortSnapshots(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../verify/snapshot') as typeof import('../verify/snapshot')).abortPendingSnapshots();
}
