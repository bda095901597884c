// Source rewriting for the in-thread load hook: code is only ever APPENDED to a library file (or its one
// `export default <name>;` line is rewritten in place), so every line and column before it stays where it was and
// source maps (lru-cache ships them; `//# sourceMappingURL` is still honoured when code follows it) keep mapping.
// The added code calls back into the agent through a global; when the agent is absent it does nothing.

/**
 * The name of the global (a non-enumerable property of globalThis) the appended code calls. A string, not a
 * `Symbol.for` key: the appended code must not depend on a global the app may have replaced when the library loads
 * (lodash's own tests load it again with `Symbol` undefined; the lookup threw into the app).
 */
export const LOAD_CALLBACK_KEY = '__leakAgentLoad';

/** What the appended code calls: `loaded(url, value, namespace)` returns a replacement export or undefined. */
export interface LoadCallback {
  loaded(url: string, value: unknown, namespace: Readonly<Record<string, unknown>> | null): unknown;
}

// Through `globalThis`: a library may declare top-level names of its own.
const CALLBACK = `globalThis[${JSON.stringify(LOAD_CALLBACK_KEY)}]`;

export type RewriteKind = 'cjs-exports' | 'cjs-replace' | 'esm-namespace' | 'esm-default';

// `export default memoize;` as lodash-es 4.17–4.18 writes it, alone on its line.
const EXPORT_DEFAULT = /^export default ([A-Za-z_$][\w$]*);?[ \t]*$/gm;

/**
 * The rewritten source, or null when the pattern the kind needs is not there (then the file must be left as it is).
 * `url` is the module's own URL, as the load hook received it.
 */
export function rewriteSource(source: string, kind: RewriteKind, url: string): string | null {
  const u = JSON.stringify(url);
  // A leading newline: the file may end inside a line comment (`//# sourceMappingURL=…` without a final newline).
  switch (kind) {
    case 'cjs-exports':
      // `typeof module`: a file Node decides to run as an ES module after all (syntax detection) has no `module`.
      return `${source}\n;if (typeof module === "object" && module !== null) ${CALLBACK}?.loaded(${u}, module.exports, null);\n`;
    case 'cjs-replace':
      return `${source}\n;if (typeof module === "object" && module !== null) module.exports = ${CALLBACK}?.loaded(${u}, module.exports, null) ?? module.exports;\n`;
    case 'esm-namespace':
      // The module's own namespace: filled in by the time the last statement of its body runs.
      return `${source}\nimport * as __leakAgentNamespace from ${u};\n${CALLBACK}?.loaded(${u}, undefined, __leakAgentNamespace);\n`;
    case 'esm-default': {
      // An appended statement cannot change what `export default` exported: rewrite that line (the last one).
      let last: RegExpExecArray | null = null;
      EXPORT_DEFAULT.lastIndex = 0;
      for (let m = EXPORT_DEFAULT.exec(source); m !== null; m = EXPORT_DEFAULT.exec(source)) last = m;
      if (!last) return null;
      const name = last[1]!;
      const line = `export default (${CALLBACK}?.loaded(${u}, ${name}, null) ?? ${name});`;
      return source.slice(0, last.index) + line + source.slice(last.index + last[0].length);
    }
  }
}
