// Signals. The report signal (SIGUSR2 by default) reports while the app keeps running; signals arriving during a
// report are coalesced. SIGINT/SIGTERM are watched only while the app has no handler of its own: then the agent
// reports and re-raises the signal with Node's default disposition, so the process ends exactly as it would have.
import type { Config } from '../config';
import { resultPath, takeRequest } from '../integrations/handoff';
import { log } from '../log';
import { writeReportFile } from '../report/write-file';
import { markExitReported } from './exit';
import { isReportRunning, runReport, runReportAsync } from './run';

let scheduled = false;

export function installSignalTriggers(config: Config): void {
  if (config.signal) {
    const signal = config.signal;
    try {
      process.on(signal, function leakAgentSignalReport() {
        if (scheduled || isReportRunning()) {
          log.trigger('%s during a report: coalesced', signal);
          return;
        }
        scheduled = true;
        // A fresh macrotask: the app's current job has ended, so its own WeakRef bookkeeping is untouched.
        setImmediate(() => {
          scheduled = false;
          void runReportAsync(config, { trigger: 'signal', print: true, writeFile: true }).then((report) => {
            // `leak-agent report PID` is waiting for this report.
            if (report && takeRequest()) writeReportFile(resultPath(process.pid), `${JSON.stringify(report)}\n`);
          });
        }).unref();
      });
    } catch (err) {
      log.trigger('cannot listen for %s: %O', signal, err);
    }
  }
  if (config.onExit) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      if (sig === config.signal) continue;
      const onTerminate = (): void => {
        // The app has its own handler: it decides what happens; the exit report follows if it exits.
        if (process.listenerCount(sig) > 1) return;
        markExitReported();
        // Within the grace period a supervisor gives (docker stop: 10 s): an analysis in flight is stopped and its
        // files removed, and the report uses the gc engine — never a heap snapshot on the way out.
        abortSnapshots();
        runReport(config, { trigger: 'signal', print: true, writeFile: true, gcOnly: true });
        process.removeListener(sig, onTerminate);
        process.kill(process.pid, sig);
      };
      process.on(sig, onTerminate);
    }
  }
}

/** Stop a snapshot analysis in flight and remove its files (loaded only when a report runs). */
function abortSnapshots(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../verify/snapshot') as typeof import('../verify/snapshot')).abortPendingSnapshots();
}
