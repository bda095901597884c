// The agent's own diagnostics. `DEBUG=leak-agent*` turns on the debug namespaces; warnings go to stderr once per code.
import { writeSync } from 'node:fs';

type Logger = ((format: string, ...args: unknown[]) => void) & { enabled: boolean };

// `debug` costs ~15 ms to load: load it only when DEBUG could name one of our namespaces.
function namespace(name: string): Logger {
  const spec = process.env.DEBUG ?? '';
  if (!/leak-agent|\*/.test(spec)) {
    const off = (() => {}) as unknown as Logger;
    off.enabled = false;
    return off;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const createDebug = require('debug') as typeof import('debug');
  return createDebug(name) as unknown as Logger;
}

export const log = {
  hooks: namespace('leak-agent:hooks'),
  track: namespace('leak-agent:track'),
  verify: namespace('leak-agent:verify'),
  report: namespace('leak-agent:report'),
  trigger: namespace('leak-agent:trigger'),
};

/** Write to stderr synchronously (works inside 'exit' handlers); never throws. */
export function writeStderr(text: string): void {
  let buffer = Buffer.from(text, 'utf8');
  // A non-blocking stderr (a pipe a parent set O_NONBLOCK on) can take part of the text or refuse with EAGAIN.
  for (let attempts = 0; buffer.length > 0 && attempts < 1000; attempts++) {
    try {
      buffer = buffer.subarray(writeSync(2, buffer));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return; // closed: nothing sensible is left to do
    }
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
