// Projects of their own for the test-runner integrations, outside this repository's node_modules: real runners and
// libraries from the npm registry, and leak-agent installed from `npm pack` of this checkout (a copy, as users get
// it). test/.apps/<name> is installed once and kept while its dependencies stay the same; leak-agent itself is
// packed and unpacked into it again on every run, so it is always the current build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, FIXTURES, ROOT, cleanEnv } from './apps';

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 600_000, env: cleanEnv() }); // sanity guard on hanging
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `npm pack` of this checkout into `into`; returns the tarball's path. */
function pack(into: string): string {
  const out = run('npm', ['pack', ROOT, '--ignore-scripts', '--silent', '--pack-destination', into], into);
  return join(into, out.trim().split('\n').pop()!);
}

/**
 * test/.apps/<name>: `dependencies` installed from the registry (plus local packages copied from
 * test/fixtures/<fixture>/deps, referenced as file: dependencies), leak-agent from `npm pack`, and the fixture's files
 * copied over. Returns the project directory.
 */
export function packedProject(name: string, fixture: string, dependencies: Record<string, string>): string {
  const dir = join(APPS, name);
  const agentDeps = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: unknown }).dependencies;
  const stamp = JSON.stringify({ dependencies, agentDeps });
  const marker = join(dir, '.installed');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(FIXTURES, fixture), dir, { recursive: true });
    renameSync(pack(dir), join(dir, 'leak-agent.tgz'));
    const deps: Record<string, string> = { ...dependencies, 'leak-agent': 'file:./leak-agent.tgz' };
    if (existsSync(join(dir, 'deps'))) for (const local of readdirSync(join(dir, 'deps'))) deps[local] = `file:./deps/${local}`;
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `${name}-app`, version: '1.0.0', private: true, dependencies: deps }, null, 2)}\n`);
    run('npm', ['install', '--no-audit', '--no-fund', '--silent', '--install-links'], dir);
    writeFileSync(marker, stamp);
    return dir;
  }
  // Installed: only leak-agent is replaced by the current build, unpacked where npm put it.
  const tmp = mkdtempSync(join(dir, '.pack-'));
  try {
    run('tar', ['-xzf', pack(tmp), '-C', tmp], tmp);
    const target = join(dir, 'node_modules', 'leak-agent');
    rmSync(target, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}
