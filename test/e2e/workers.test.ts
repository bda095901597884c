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

it('a cluster worker and a child process that inherit NODE_OPTIONS each report their own caches, with their pids', () => {
  const app = makeApp('workers', { 'lru-cache': 'lru11' });
  placeScript(app, 'processes.cjs');
  const dir = join(app, 'reports-processes');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const plain = runNode(app, ['processes.cjs']);
  const run = runNode(app, ['processes.cjs'], { NODE_OPTIONS: '-r leak-agent', LEAK_AGENT_REPORT_FILE: join(dir, 'r-%p.json') });
  expect(plain.stdout).toBe('worker done\nchild done\nall done\n');
  expect(run.stdout).toBe(plain.stdout);
  expect(run.status).toBe(plain.status);
  const reports = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, report: readReport(join(dir, f)) }));
  expect(reports).toHaveLength(3);
  const seen = reports.map(({ file, report }) => {
    assertValidReport(report);
    expect(file).toBe(`r-${report.pid}.json`);
    return report.caches.map((c: any) => c.classes.map((k: any) => `${k.name}:${k.count}`)).flat().join();
  });
  expect(seen.sort()).toEqual(['ChildKey:3', 'ClusterWorkerKey:2', 'PrimaryKey:1']);
  expect(new Set(reports.map((r) => r.report.pid)).size).toBe(3);
});

it('a million tracked keys: exact verdict, the app unchanged', () => {
  const app = makeApp('workers', { 'lru-cache': 'lru11' });
  placeScript(
    app,
    'million.cjs',
    `const { LRUCache } = require('lru-cache');
class Big {}
const cache = (globalThis.cache = new LRUCache({ max: 2_000_000 }));
globalThis.keep = [];
for (let i = 0; i < 1_000_000; i++) { const k = new Big(); if (i % 4 === 0) keep.push(k); cache.set(k, i); }
console.log(cache.size);
`,
  );
  const file = join(app, 'million.json');
  const r = runNode(app, ['million.cjs'], { NODE_OPTIONS: '-r leak-agent', LEAK_AGENT_REPORT_FILE: file });
  expect(r.stdout).toBe('1000000\n');
  expect(r.status).toBe(0);
  expect(readReport(file).caches[0]).toMatchObject({ trackedKeys: 1_000_000, deadKeys: 750_000, verified: true, classes: [{ name: 'Big', count: 750_000 }] });
});
