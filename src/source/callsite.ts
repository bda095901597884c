// Stack capture for creation and insertion sites.
// The result is a plain string (one "file\tline\tcolumn\tfunction" line per frame): the agent never keeps an Error or
// CallSite object, because CallSite.getThis()/getFunction() can reference the app's receivers.
//
// A capture costs V8 several microseconds (4–30 µs on the 2-core CI machine, more the more frames), so the agent
// samples them by count — never by time, so the same program gets the same report however busy the machine is:
// creation sites of the first CREATIONS_ALWAYS caches of a process, then of every CREATIONS_EVERY-th (an app that
// makes a memoized function per request pays for one in 16); insertion sites as registry.ts says.
const DEFAULT_FRAMES = 12;
const CREATIONS_ALWAYS = 1024;
const CREATIONS_EVERY = 16;

let creations = 0;

/** Whether the creation site of the cache being made now is captured (deterministic: by count). */
export function sampleCreation(): boolean {
  const n = creations++;
  return n < CREATIONS_ALWAYS || n % CREATIONS_EVERY === 0;
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
      fn = f.getFunctionName();
      // A method name is the app's (obj.method = function () {…}), except the slot Node's timers call callbacks
      // through (Timeout._onTimeout, Immediate._onImmediate): the callback is anonymous then.
      if (fn === null) {
        const type = f.getTypeName();
        if (type !== 'Timeout' && type !== 'Immediate') fn = f.getMethodName();
      }
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
 * Capture the current stack as a compact string, leaving out `below` and every frame above it; null when capture
 * fails. Uses a private prepareStackTrace for the duration of the call only, so the app's own
 * formatter (source-map-support, --enable-source-maps) never runs for the agent's captures; where Error is frozen,
 * reads the default text instead. Never throws.
 */
export function captureStack(below: Function, frames = DEFAULT_FRAMES): string | null {
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
    else if (fn.startsWith('Timeout.') || fn.startsWith('Immediate.')) fn = '<anonymous>'; // a timer's callback
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
