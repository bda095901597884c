// Cheap stack capture for creation and insertion sites.
// The result is a plain string (one "file\tline\tcolumn\tfunction" line per frame): the agent never keeps an Error or
// CallSite object, because CallSite.getThis()/getFunction() can reference the app's receivers.
const MAX_FRAMES = 24;

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
 * Capture the current stack as a compact string, leaving out `below` and every frame above it.
 * Uses a private prepareStackTrace for the duration of the call only, so the app's own formatter
 * (source-map-support, --enable-source-maps) never runs for the agent's captures.
 */
export function captureStack(below: Function): string | null {
  const holder: { stack?: unknown } = {};
  const prevPrepare = (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  try {
    (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace = compactFrames;
    Error.stackTraceLimit = MAX_FRAMES;
    Error.captureStackTrace(holder, below);
    const stack = holder.stack;
    return typeof stack === 'string' ? stack : null;
  } catch {
    return null;
  } finally {
    (Error as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace = prevPrepare;
    Error.stackTraceLimit = prevLimit;
  }
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
