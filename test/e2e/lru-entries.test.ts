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
  it('runs no second agent (one "agent started" under -r, whose module.register starts the hooks thread)', () => {
    const app = makeApp('lru10', { 'lru-cache': 'lru10' });
    placeScript(app, 'lru-entries.cjs');
    const run = runNode(app, ['-r', 'leak-agent', 'lru-entries.cjs', 'min'], { DEBUG: 'leak-agent:hooks' });
    expect(run.stderr.match(/agent started by/g)).toHaveLength(1);
  });
});
