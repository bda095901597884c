// Node's flags as the app was started with them: the command line's execArgv and NODE_OPTIONS (which execArgv does
// not show). Read, never changed.

/** execArgv followed by NODE_OPTIONS split on whitespace; `--flag=value` stays one token, `--flag value` two. */
export function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

const LOADER_FLAGS = ['--import', '--loader', '--experimental-loader'];

/** `--flag=value` → ['--flag', 'value']; `--flag` → ['--flag', null]. (String work, no regex: this runs at start-up.) */
function splitFlag(arg: string): [string, string | null] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, null] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** The value of a flag given as `--flag=value` or `--flag value`, for each time it is given. */
export function flagValues(names: readonly string[], flags: string[] = nodeFlags()): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flags.length; i++) {
    const [name, inline] = splitFlag(flags[i]!);
    if (!names.includes(name)) continue;
    out.push([name, inline ?? flags[++i] ?? '']);
  }
  return out;
}

/**
 * Module hooks other tools bring through flags (`--import x`, `--loader x`, `--experimental-loader x`), as
 * "flag value" strings; the agent's own `--import leak-agent` is not one of them.
 */
export function otherLoaderFlags(flags: string[] = nodeFlags()): string[] {
  return flagValues(LOADER_FLAGS, flags)
    .filter(([, value]) => !isTheAgent(value))
    .map(([flag, value]) => `${flag} ${value}`);
}

function isTheAgent(specifier: string): boolean {
  return specifier === 'leak-agent' || specifier.startsWith('leak-agent/') || /[\\/]leak-agent[\\/]agent[\\/]index\.mjs$/.test(specifier);
}
