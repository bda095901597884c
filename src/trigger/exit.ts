// The exit report: natural end, process.exit(), uncaught exception. The exit code stays what it would have been,
// unless LEAK_AGENT_EXIT_CODE asks for a different one when leaks are found in a process that would exit 0.
import type { Config } from '../config';
import { log } from '../log';
import { runReport } from './run';

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
    abortSnapshots(); // a signal's analysis still running: its result would come too late

    const report = runReport(config, { trigger: 'exit', print: true, writeFile: true });
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
