// Stack capture for creation and insertion sites.
// The result is a plain string (one "file\tline\tcolumn\tfunction" line per frame): the agent never keeps an Error or
// CallSite object, because CallSite.getThis()/getFunction() can reference the app's receivers.
//
// A capture costs V8 several microseconds (4–30 µs on the 2-core CI machine, more the more frames), so the agent
// spends a bounded budget on them: at most CAPTURES_PER_WINDOW captures per WINDOW_MS, whatever asks (a cache's
// creation, its sampled inserts). An app that makes a memoized function per request pays the capture for the first
// ones of each moment, then only the record.
const DEFAULT_FRAMES = 12;
const WINDOW_MS = 100;
const CAPTURES_PER_WINDOW = 128;

let windowStart = 0;
let capturesLeft = CAPTURES_PER_WINDOW;

/** Whether the capture budget allows one more stack now. */
function spend(): boolean {
  if (capturesLeft > 0) {
    capturesLeft--;
    return true;
  }
  const now = Date.now();
  if (now - windowStart < WINDOW_MS) return false;
  windowStart = now;
  capturesLeft = CAPTURES_PER_WINDOW - 1;
  return true;
}

/**
 * Whether the agent may set Error.prepareStackTrace and Error.stackTraceLimit for a moment. Not under
 * `--frozen-intrinsics` (Error is frozen there: assigning would throw into the app). Asked at each capture: a `-r`
 * preload runs before Node freezes the intrinsics.
 */
function errorIsMutable(): boolean {
  try {
    return !Object.isFrozen(Error);
  } catch {
    return false;
  }
}

type PrepareStackTrace = (err: Error, frames: NodeJS.CallSite[]) => unknown;

function compactFrames(_err: Error, frames: NodeJS.CallSite[]): string {
  let out = '';
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    let file: string | null | undefined;
    let fn: string | null | undefined;
    let line: number | null;
    let column: number | null;
    try {
      file = f.getFileName() ?? (f.isEval() ? f.getEvalOrigin() : undefined);
      line = f.getLineNumber();
      column = f.getColumnNumber();
      fn = f.getFunctionName() ?? f.getMethodName();
      // Top-level code: the CommonJS wrapper that Module._compile runs, or an ES module's body.
      const caller = frames[i + 1]?.getFileName() ?? '';
      if (fn === null && (caller.startsWith('node:internal/modules/cjs/') || caller.startsWith('node:internal/modules/esm/'))) {
        fn = '<module>';
      }
    } catch {
      continue;
    }
    if (!file) continue;
    out += `${file}\t${line ?? 0}\t${column ?? 0}\t${fn ?? '<anonymous>'}\n`;
  }
  return out;
}

/**
 * Capture the current stack as a compact string, leaving out `below` and every frame above it; null when the budget
 * is spent (or capture fails). Uses a private prepareStackTrace for the duration of the call only, so the app's own
 * formatter (source-map-support, --enable-source-maps) never runs for the agent's captures; where Error is frozen,
 * reads the default text instead. Never throws.
 */
export function captureStack(below: Function, frames = DEFAULT_FRAMES): string | null {
  if (!spend()) return null;
  const holder: { stack?: unknown } = {};
  if (!errorIsMutable()) {
    try {
      Error.captureStackTrace(holder, below);
      return typeof holder.stack === 'string' ? fromDefaultText(holder.stack) : null;
    } catch {
      return null;
    }
  }
  let prevPrepare: PrepareStackTrace | undefined;
  let prevLimit: number;
  try {
    prevPrepare = (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace;
    prevLimit = Error.stackTraceLimit;
  } catch {
    return null;
  }
  try {
    (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace = compactFrames;
    Error.stackTraceLimit = frames;
    Error.captureStackTrace(holder, below);
    const stack = holder.stack;
    return typeof stack === 'string' ? stack : null;
  } catch {
    return null;
  } finally {
    try {
      (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace = prevPrepare;
      Error.stackTraceLimit = prevLimit;
    } catch {
      // nothing the agent can do; never thrown into the app
    }
  }
}

// "    at fn (file:line:col)", "    at file:line:col", "    at new Foo (…)", "    at async fn (…)".
const FRAME = /^\s*at (?:(?:async )?(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/** V8's default stack text (Error frozen: no formatter of the agent's) → the compact form. */
function fromDefaultText(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let fn = m[1] ?? '<anonymous>';
    if (fn === 'Object.<anonymous>') fn = '<module>';
    else if (fn.startsWith('new ')) fn = fn.slice(4);
    out += `${m[2]}\t${m[3]}\t${m[4]}\t${fn}\n`;
  }
  return out;
}

export interface RawFrame {
  file: string;
  line: number;
  column: number;
  function: string;
}

export function parseStack(stack: string): RawFrame[] {
  const frames: RawFrame[] = [];
  for (const lineText of stack.split('\n')) {
    if (!lineText) continue;
    const [file, line, column, fn] = lineText.split('\t');
    frames.push({ file: file ?? '', line: Number(line), column: Number(column), function: fn ?? '<anonymous>' });
  }
  return frames;
}
