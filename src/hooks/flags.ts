// Node's flags as the app was started with them: the command line's execArgv and NODE_OPTIONS (which execArgv does
// not show). Read, never changed.

/** execArgv followed by NODE_OPTIONS split on whitespace; `--flag=value` stays one token, `--flag value` two. */
export function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

const LOADER_FLAGS = /^--(?:import|loader|experimental-loader)(?:=(.*))?$/;

/**
 * Module hooks other tools bring through flags (`--import x`, `--loader x`, `--experimental-loader x`), as
 * "flag value" strings; the agent's own `--import leak-agent` is not one of them.
 */
export function otherLoaderFlags(flags: string[] = nodeFlags()): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const m = LOADER_FLAGS.exec(flags[i]!);
    if (!m) continue;
    const flag = flags[i]!.split('=')[0]!;
    const value = m[1] ?? flags[++i] ?? '';
    if (!/^leak-agent(?:$|\/)|[\\/]leak-agent[\\/]agent[\\/]index\.mjs$/.test(value)) out.push(`${flag} ${value}`);
  }
  return out;
}
