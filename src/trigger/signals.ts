// Signals. The report signal (SIGUSR2 by default) reports while the app keeps running; signals arriving during a
// report are coalesced. SIGINT/SIGTERM are watched only while the app has no handler of its own: then the agent
// reports and re-raises the signal with Node's default disposition, so the process ends exactly as it would have.
import type { Config } from '../config';
import { log } from '../log';
import { markExitReported } from './exit';

// Loaded on the first signal, not at start-up (see exit.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const reports = (): typeof import('./run') => require('./run') as typeof import('./run');
const handoff = (): typeof import('../integrations/handoff') => require('../integrations/handoff') as typeof import('../integrations/handoff');
const reportFile = (): typeof import('../report/write-file') => require('../report/write-file') as typeof import('../report/write-file');
/* eslint-enable @typescript-eslint/no-require-imports */

let scheduled = false;

export function installSignalTriggers(config: Config): void {
  if (config.signal) {
    const signal = config.signal;
    try {
      process.on(signal, function leakAgentSignalReport() {
        if (scheduled || reports().isReportRunning()) {
          log.trigger('%s during a report: coalesced', signal);
          return;
        }
        scheduled = true;
        // A fresh macrotask: the app's current job has ended, so its own WeakRef bookkeeping is untouched.
        setImmediate(() => {
          scheduled = false;
          void reports()
            .runReportAsync(config, { trigger: 'signal', print: true, writeFile: true })
            .then((report) => {
              // `leak-agent report PID` is waiting for this report.
              if (report && handoff().takeRequest()) reportFile().writeReportFile(handoff().resultPath(process.pid), `${JSON.stringify(report)}\n`);
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
        reports().runReport(config, { trigger: 'signal', print: true, writeFile: true });
        process.removeListener(sig, onTerminate);
        process.kill(process.pid, sig);
      };
      process.on(sig, onTerminate);
    }
  }
}
