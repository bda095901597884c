// The agent's own diagnostics. `DEBUG=leak-agent*` turns on the debug namespaces; warnings go to stderr once per code.
import createDebug from 'debug';
import { writeSync } from 'node:fs';

export const log = {
  hooks: createDebug('leak-agent:hooks'),
  track: createDebug('leak-agent:track'),
  verify: createDebug('leak-agent:verify'),
  report: createDebug('leak-agent:report'),
  trigger: createDebug('leak-agent:trigger'),
};

/** Write to stderr synchronously (works inside 'exit' handlers); never throws. */
export function writeStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr closed or non-blocking and full: nothing sensible is left to do.
  }
}

const warned = new Set<string>();

/** One line on stderr per code, however often the cause repeats. */
export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  writeStderr(message.endsWith('\n') ? message : `${message}\n`);
}

/** Internal failures: logged once per stage on stderr, never thrown into the app. */
export function reportInternalError(stage: string, err: unknown): void {
  const detail = err instanceof Error ? err.message : String(err);
  warnOnce(`internal:${stage}`, `leak-agent: internal error while ${stage}: ${detail} (the app is unaffected)`);
  log.track('internal error in %s: %O', stage, err);
}
