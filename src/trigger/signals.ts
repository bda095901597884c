// Signals. The report signal (SIGUSR2 by default) reports while the app keeps running; signals arriving during a
// report are coalesced. SIGINT/SIGTERM are watched only while the app has no handler of its own: then the agent
// reports and re-raises the signal with Node's default disposition, so the process ends exactly as it would have.
import type { Config } from '../config';
import { log, reportInternalError } from '../log';
import { loadOnce } from '../load-once';
import { cachesCreated } from '../track/created';
import { markExitReported } from './exit';

// Loaded on the first signal, not at start-up (see exit.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const reports = loadOnce((): typeof import('./run') => require('./run') as typeof import('./run'));
const handoff = loadOnce((): typeof import('../integrations/handoff') => require('../integrations/handoff') as typeof import('../integrations/handoff'));
/* eslint-enable @typescript-eslint/no-require-imports */

let scheduled = false;

export function installSignalTriggers(config: Config): void {
  if (config.signal) {
    const signal = config.signal;
    // Where `leak-agent report` leaves requests depends on the environment the process started with (what the CLI
    // reads in /proc/PID/environ); the app may change process.env later, so both are looked at.
    const { XDG_RUNTIME_DIR, TMPDIR, TMP, TEMP } = process.env;
    const startEnv = { XDG_RUNTIME_DIR, TMPDIR, TMP, TEMP };
    const signalReport = (): void => {
      const { isReportRunning, runReportAsync, whenAsyncReportsDone } = reports();
      if (isReportRunning()) {
        // Another kind of report (API, test window) is in flight: this signal's report, and any request a
        // `leak-agent report` left, follow it instead of being lost.
        log.trigger('%s during another report: reporting after it', signal);
        whenAsyncReportsDone(signalReport);
        return;
      }
      scheduled = false;
      void runReportAsync(config, { trigger: 'signal', print: true, writeFile: true, asked: true }).then((report) => {
        if (report === null) return;
        try {
          // `leak-agent report PID` calls waiting for this report (several may have asked while it ran).
          const { answerRequests, handoffEnv } = handoff();
          answerRequests(`${JSON.stringify(report)}\n`, [handoffEnv(startEnv), handoffEnv(process.env)]);
        } catch (err) {
          reportInternalError('answering leak-agent report', err);
        }
      });
    };
    try {
      process.on(signal, function leakAgentSignalReport() {
        if (scheduled || reports().runningAsyncTrigger() === 'signal') {
          log.trigger('%s during a signal report: coalesced', signal);
          return;
        }
        scheduled = true;
        // A fresh macrotask: the app's current job has ended, so its own WeakRef bookkeeping is untouched.
        setImmediate(signalReport).unref();
      });
    } catch (err) {
      log.trigger('cannot listen for %s: %O', signal, err);
    }
  }
  if (config.onExit) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const onTerminate = (): void => {
        // The app has its own handler: it decides what happens; the exit report follows if it exits.
        if (process.listenerCount(sig) > 1) return;
        markExitReported();
        // As at exit: no cache was ever instrumented and no file is wanted, so there is nothing to say or load.
        if (config.reportFile === null && cachesCreated() === 0) {
          process.removeListener(sig, onTerminate);
          process.kill(process.pid, sig);
          return;
        }
        // Within the grace period a supervisor gives (docker stop: 10 s): an analysis in flight is stopped and its
        // files removed, and the report uses the gc engine — never a heap snapshot on the way out.
        abortSnapshots();
        reports().runReport(config, { trigger: 'signal', print: true, writeFile: true, gcOnly: true });
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
