// lru-cache `/min` (8–10) and `/raw` (11.3+) builds, and fetch/forceFetch/memo/load, which from 11.3 insert
// through the private #set instead of set().
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApp, placeScript, readReport, runNode } from '../helpers/apps';

describe('lru-cache entry points', () => {
  it.each([
    ['lru10', 'min', 1, 3],
    ['lru11', 'raw', 1, 3],
    ['lru11', 'insert-paths', 3, 5],
  ])('%s %s: caches found, their keys tracked and judged', (alias, which, caches, dead) => {
    const app = makeApp(alias, { 'lru-cache': alias });
    placeScript(app, 'lru-entries.cjs');
    const file = join(app, `entries-${which}.json`);
    const run = runNode(app, ['-r', 'leak-agent', 'lru-entries.cjs', which], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(`ok ${which}\n`);
    const report = readReport(file);
    expect(report.caches).toHaveLength(caches);
    expect(report.summary.deadKeys).toBe(dead);
    for (const c of report.caches) expect(c).toMatchObject({ library: 'lru-cache', verified: true });
  });
});

describe('loader hooks thread', () => {
  // Node runs -r preloads again in its module-hooks thread whenever anything calls module.register() (the agent on
  // Node 20, or another tool); the agent must not start there (registerHooks in that thread killed Node 22.23.5).
  it("runs no second agent when another tool's module.register() starts the hooks thread", () => {
    const app = makeApp('lru10', { 'lru-cache': 'lru10' });
    placeScript(app, 'lru-entries.cjs');
    placeScript(app, 'pass-loader.mjs', 'export async function load(url, context, next) { return next(url, context); }\n');
    placeScript(app, 'register-pass-loader.mjs', "import { register } from 'node:module';\nregister('./pass-loader.mjs', import.meta.url);\n");
    const run = runNode(app, ['--no-warnings', '-r', 'leak-agent', '--import', './register-pass-loader.mjs', 'lru-entries.cjs', 'min'], { DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe('ok min\n');
    expect(run.status).toBe(0);
    expect(run.stderr.match(/agent started by/g)).toHaveLength(1);
  });
});
