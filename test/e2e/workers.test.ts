// Worker threads that inherit NODE_OPTIONS run their own agent: each thread reports its own caches, and report
// files never clobber each other.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeApp, placeScript, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

it('main thread and worker each report their own cache, into their own files', () => {
  const app = makeApp('workers', { 'lru-cache': 'lru11' });
  placeScript(app, 'workers.cjs');
  const dir = join(app, 'reports');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const plain = runNode(app, ['workers.cjs']);
  const run = runNode(app, ['workers.cjs'], { NODE_OPTIONS: '-r leak-agent', LEAK_AGENT_REPORT_FILE: join(dir, 'r-%p.json') });
  expect(run.stdout).toBe(plain.stdout);
  expect(run.status).toBe(0);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(2);
  files.sort((a, b) => a.length - b.length); // r-<pid>.json (main), then r-<pid>-t<thread>.json (worker)
  expect(files[0]).toMatch(/^r-\d+\.json$/);
  expect(files[1]).toMatch(/^r-\d+-t\d+\.json$/);
  const classes = files.map((f) => {
    const report = readReport(join(dir, f));
    assertValidReport(report);
    return report.caches.map((c: any) => c.classes.map((k: any) => `${k.name}:${k.count}`)).flat();
  });
  expect(classes).toEqual([['MainKey:2'], ['WorkerKey:3']]);
});
