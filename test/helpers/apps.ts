// Test apps that look like a user's project: test/.apps/<name>/node_modules/<real package name> holds a copy of one
// of the npm-aliased versions installed for the suite (lru7 → lru-cache 7, …), and node_modules/leak-agent links to
// this repository, so `node -r leak-agent` resolves exactly as in an app that installed it.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const APPS = join(ROOT, 'test', '.apps');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** package name in the app → directory name under the repo's node_modules (an npm alias or the package itself). */
export type PackageMap = Record<string, string>;

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Create (once per run) an app directory with the given packages, plus nested node_modules when asked. Test files in
 * parallel workers ask for the same app (allLibsApp) at the same time: each builds its own copy beside it and renames
 * it into place, and the one that comes second uses the first one's (on a fresh clone, two workers removing and
 * copying into one directory failed with ENOTEMPTY).
 */
export function makeApp(name: string, packages: PackageMap, nested: Record<string, PackageMap> = {}): string {
  const dir = join(APPS, name);
  const layout = JSON.stringify({ packages, nested });
  const ready = (): boolean => {
    const marker = join(dir, '.layout.json');
    return existsSync(marker) && readFileSync(marker, 'utf8') === layout;
  };
  if (ready()) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'node_modules'), { recursive: true });
  const install = (into: string, pkgs: PackageMap): void => {
    for (const [pkg, source] of Object.entries(pkgs)) {
      const from = join(ROOT, 'node_modules', source);
      cpSync(from, join(into, pkg), { recursive: true, dereference: true });
    }
  };
  install(join(tmp, 'node_modules'), packages);
  for (const [dep, pkgs] of Object.entries(nested)) {
    const depDir = join(tmp, 'node_modules', dep);
    mkdirSync(join(depDir, 'node_modules'), { recursive: true });
    writeFileSync(join(depDir, 'package.json'), JSON.stringify({ name: dep, version: '1.0.0', main: 'index.js' }));
    install(join(depDir, 'node_modules'), pkgs);
  }
  symlinkSync(ROOT, join(tmp, 'node_modules', 'leak-agent'), 'dir');
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: `app-${name}`, version: '1.0.0', private: true }));
  writeFileSync(join(tmp, '.layout.json'), layout);
  if (!ready()) {
    // Only a copy of an earlier layout is removed; one another worker just put in place is used as it is.
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
      return dir;
    } catch (err) {
      if (!ready()) throw err;
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  return dir;
}

/** Copy test/fixtures/<file> (or write `source`) into the app so it resolves the app's node_modules. */
export function placeDir(app: string, dir: string): void {
  cpSync(join(FIXTURES, dir), app, { recursive: true });
}

export function placeScript(app: string, file: string, source?: string): string {
  const target = join(app, file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, source ?? readFileSync(join(FIXTURES, file), 'utf8'));
  return target;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without anything of the agent's or of the test runner's that could leak into the child. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('LEAK_AGENT_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k === 'DEBUG' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runNode(app: string, args: string[], env: Record<string, string | undefined> = {}): RunResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, args, {
    cwd: app,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 60_000, // sanity guard on hanging
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start a long-running node child; resolves helpers to wait for output and for the end. */
export function startNode(app: string, args: string[], env: Record<string, string | undefined> = {}) {
  return startCommand(app, [process.execPath, ...args], env);
}

export interface StartOptions {
  /** A session of its own: outside any terminal's foreground process group, and away from the test runner's group. */
  detached?: boolean;
  /** 'pipe' to type into it (child.stdin); ignored by default. */
  stdin?: 'pipe' | 'ignore';
}

/** Start any long-running command in `app`; the same helpers as startNode. */
export function startCommand(app: string, command: string[], env: Record<string, string | undefined> = {}, options: StartOptions = {}) {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: app,
    env: cleanEnv(env),
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = new Promise<RunResult>((resolveEnd) => {
    child.on('close', (status, signal) => resolveEnd({ status, signal, stdout, stderr }));
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000); // sanity guard on hanging
  void ended.then(() => clearTimeout(guard));
  return {
    child,
    ended,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
      const started = Date.now();
      while (!pattern.test(stream === 'stdout' ? stdout : stderr)) {
        if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${pattern} on ${stream}:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Parse the JSON report a child wrote with LEAK_AGENT_REPORT_FILE. */
export function readReport(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export { versionOf };

/** The library versions the suite runs against: app name → packages. */
export const LRU_VERSIONS = ['lru4', 'lru5', 'lru6', 'lru7', 'lru8', 'lru9', 'lru10', 'lru11-2', 'lru11'] as const;

export function lruApp(alias: string): string {
  return makeApp(alias, { 'lru-cache': alias });
}

/** One app with every library at its default version. */
export function allLibsApp(): string {
  return makeApp('all', {
    'lru-cache': 'lru11',
    lodash: 'lodash',
    'lodash-es': 'lodash-es',
    'lodash.memoize': 'lodash.memoize',
    memoizee: 'memoizee',
  });
}
