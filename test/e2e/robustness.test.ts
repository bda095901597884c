// Faults from outside: bad report paths, signal floods, the app's own exit handlers.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApp, placeScript, readReport, runNode, startNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const app = makeApp('robust', { 'lru-cache': 'lru11' });
placeScript(app, 'robust.cjs');
placeScript(app, 'triggers.cjs');
placeScript(app, 'report-files.cjs');
placeScript(app, 'hostile-names.cjs');

describe('report file problems never take the app down', () => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  it.each([
    ['a missing directory', () => join(app, 'no-such-dir', 'r.json')],
    ['a path that is a directory', () => {
      const dir = join(app, 'is-a-dir.json');
      mkdirSync(dir, { recursive: true });
      return dir;
    }],
    ['a symlink (never written through)', () => {
      const target = join(app, 'symlink-target.txt');
      const link = join(app, 'link.json');
      writeFileSync(target, 'keep me');
      rmSync(link, { force: true });
      symlinkSync(target, link);
      return link;
    }],
  ])('%s: one stderr line, same stdout and exit code', (_label, makePath) => {
    const path = makePath();
    const plain = runNode(app, ['triggers.cjs', 'exit3']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'exit3'], { LEAK_AGENT_REPORT_FILE: path });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr.split('\n').filter((l) => l.includes('could not write the report'))).toHaveLength(1);
    expect(run.stderr).toContain('leak-agent: 1 cache keeps 5 otherwise-dead objects alive'); // the text report still comes
    if (existsSync(join(app, 'symlink-target.txt'))) expect(readFileSync(join(app, 'symlink-target.txt'), 'utf8')).toBe('keep me');
  });

  it.skipIf(isRoot)('an unwritable directory: one stderr line', () => {
    const dir = join(app, 'readonly');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o500);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: join(dir, 'r.json') });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('could not write the report');
  });

  it('the report file is private (0600) and replaced atomically', () => {
    const path = join(app, 'private.json');
    rmSync(path, { force: true });
    runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    JSON.parse(readFileSync(path, 'utf8'));
  });
});

describe('report files: every report survives, nothing else is replaced', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = (): string => {
    const dir = mkdtempSync(join(app, 'files-'));
    made.push(dir);
    return dir;
  };
  const written = (stderr: string): string[] => [...stderr.matchAll(/JSON report written to (.+)$/gm)].map((m) => m[1]!);

  it.each([
    ['r-%p.json', (pid: number) => [`r-${pid}.json`, `r-${pid}.2.json`]],
    ['fixed.json', () => ['fixed.json', 'fixed.2.json']],
    ['n-%n.json', () => ['n-1.json', 'n-2.json']],
    ['no-extension', () => ['no-extension', 'no-extension.2']],
  ])('%s: a SIGUSR2 report and the exit report of one process are both on disk, each named by the text report', async (template, names) => {
    const dir = fresh();
    const proc = startNode(app, ['-r', 'leak-agent', 'report-files.cjs', 'serve-until-hup'], { LEAK_AGENT_REPORT_FILE: join(dir, template) });
    await proc.waitFor(/ready/);
    proc.child.kill('SIGUSR2');
    await proc.waitFor(/JSON report written to/, 'stderr');
    proc.child.kill('SIGHUP');
    const end = await proc.ended;
    expect(end.status).toBe(0);
    const expected = names(proc.child.pid!).map((name) => join(dir, name));
    expect(readdirSync(dir).sort()).toEqual(expected.map((p) => p.slice(dir.length + 1)).sort());
    expect(expected.map((p) => readReport(p).trigger)).toEqual(['signal', 'exit']);
    for (const p of expected) assertValidReport(readReport(p));
    expect(written(end.stderr)).toEqual(expected);
    // Each file is named by the last line of its report: the signal report's block (it found the leak) ends with
    // it; the exit report finds nothing new (the gc engine removed the dead entries) and says so in one line.
    const lines = end.stderr.trimEnd().split('\n');
    const first = lines.indexOf(`leak-agent: JSON report written to ${expected[0]}`);
    expect(lines[first - 1]).toMatch(/^ {4}fix: /);
    expect(lines.slice(first + 1)).toEqual([
      expect.stringMatching(new RegExp(`^leak-agent: no new dead objects since the report at \\d\\d:\\d\\d:\\d\\d \\(\\d+ found then, in lru-cache cache\\); JSON report written to ${expected[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)),
    ]);
  });

  it('a file that is not a leak-agent report is kept, with one line', () => {
    const dir = fresh();
    const path = join(dir, 'package.json');
    writeFileSync(path, '{"name": "precious"}\n');
    const plain = runNode(app, ['triggers.cjs', 'exit3']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'exit3'], { LEAK_AGENT_REPORT_FILE: path });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(plain.stdout);
    expect(readFileSync(path, 'utf8')).toBe('{"name": "precious"}\n');
    const lines = run.stderr.split('\n').filter((l) => l.includes('could not write the report'));
    expect(lines).toEqual([`leak-agent: could not write the report to ${path}: it exists and is not a leak-agent report (left as it is)`]);
    expect(run.stderr).not.toContain('JSON report written to');
    expect(readdirSync(dir)).toEqual(['package.json']); // no temporary file left
  });

  it('a report left by a process that has ended is replaced; one of a running process never is', () => {
    const dir = fresh();
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const old = join(dir, 'old.json');
    writeFileSync(old, `${JSON.stringify({ schema: 'leak-agent.report/v1', trigger: 'exit', pid: ended, time: hourAgo }, null, 2)}\n`);
    const live = join(dir, 'live.json');
    const liveText = `${JSON.stringify({ schema: 'leak-agent.report/v1', trigger: 'exit', pid: process.pid, time: new Date().toISOString() }, null, 2)}\n`;
    writeFileSync(live, liveText);

    const first = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: old });
    expect(first.status).toBe(0);
    expect(readReport(old).pid).not.toBe(ended);
    expect(readReport(old).caches).toHaveLength(1);

    const second = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: live });
    expect(second.status).toBe(0);
    expect(readFileSync(live, 'utf8')).toBe(liveText); // this test's own process wrote it, and it is running
    expect(readReport(join(dir, 'live.2.json')).caches).toHaveLength(1);
    expect(written(second.stderr)).toEqual([join(dir, 'live.2.json')]);
  });

  it.each([234, 255])('a %d-byte file name works (the temporary name is short)', (length) => {
    const dir = fresh();
    const name = `${'r'.repeat(length - 5)}.json`;
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: join(dir, name) });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('could not write');
    expect(readdirSync(dir)).toEqual([name]);
    assertValidReport(readReport(join(dir, name)));
  });

  it("a relative path is resolved when the agent starts, not after the app's chdir", () => {
    const dir = fresh();
    mkdirSync(join(dir, 'elsewhere'));
    const name = `${dir.slice(app.length + 1)}/rel.json`;
    const run = runNode(app, ['-r', 'leak-agent', 'report-files.cjs', 'chdir', join(dir, 'elsewhere')], { LEAK_AGENT_REPORT_FILE: name });
    expect(run.stdout).toBe('moved\n');
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
    expect(readReport(join(dir, 'rel.json')).caches).toHaveLength(1);
  });
});

describe('terminal output', () => {
  it('class, function and file names from the app are escaped, one line each: they cannot rewrite the terminal or forge lines', () => {
    const run = runNode(app, ['-r', 'leak-agent', 'hostile-names.cjs']);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    const all = run.stderr.trimEnd().split('\n');
    expect(all.filter((l) => l.startsWith('leak-agent:'))).toEqual(['leak-agent: 1 cache keeps 3 otherwise-dead objects alive']);
    // The report block: header, cache, detail, fix — four lines, the names inside them.
    const lines = all.slice(all.indexOf('leak-agent: 1 cache keeps 3 otherwise-dead objects alive'));
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('3 × Evil\\x1b[2J\\x1b[H\\x0aleak-agent: no cache keeps anything alive\\u202e dead');
    expect(lines[2]).toContain('(insert\\x1b]0;title\\x07\\x9b31m)');
  });

  it('a file path with control characters is escaped too', () => {
    const file = placeScript(app, 'hostile\u001b[7mfile.cjs', readFileSync(join(app, 'hostile-names.cjs'), 'utf8'));
    const run = runNode(app, ['-r', 'leak-agent', file]);
    rmSync(file);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).toContain('hostile\\x1b[7mfile.cjs:');
  });
});

describe('exit and signals', () => {
  it("process.exit() inside the app's own exit handler: the app's code wins, one report", () => {
    const plain = runNode(app, ['robust.cjs', 'exit-in-exit-handler']);
    const run = runNode(app, ['-r', 'leak-agent', 'robust.cjs', 'exit-in-exit-handler']);
    expect(plain.status).toBe(5);
    expect(run.status).toBe(5);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr.match(/leak-agent: 1 cache keeps 4 otherwise-dead/g)).toHaveLength(1);
  });

  it('100 SIGUSR2 in about a second: the app keeps serving and never loses a live entry', async () => {
    const proc = startNode(app, ['-r', 'leak-agent', 'robust.cjs', 'flood']);
    await proc.waitFor(/serving/);
    for (let i = 0; i < 100; i++) {
      proc.child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 300));
    proc.child.kill('SIGTERM');
    const end = await proc.ended;
    expect(end.stdout).not.toContain('LOST A LIVE ENTRY');
    expect(end.stdout).toContain('served many');
    const reports = end.stderr.match(/leak-agent: 1 cache keeps 4 otherwise-dead objects alive/g) ?? [];
    expect(reports.length).toBe(1); // the first report removes the 4 dead entries; later ones find none
  });
});

it('SIGUSR2 and SIGTERM during the exit report: one report, the exit code the app chose', async () => {
  placeScript(
    app,
    'slow-exit.cjs',
    `const { LRUCache } = require('lru-cache');
class Dead {}
const cache = (globalThis.cache = new LRUCache({ max: 1_000_000 }));
for (let i = 0; i < 600_000; i++) cache.set(new Dead(), i);
process.exitCode = 7;
// Runs before the agent's exit handler: once it has printed, the process is in its exit phase, past the event loop.
process.prependListener('exit', () => console.log('exiting'));
console.log('bye');
`,
  );
  const proc = startNode(app, ['-r', 'leak-agent', 'slow-exit.cjs']);
  await proc.waitFor(/exiting/);
  // The exit report (600k keys) takes about a second on CI: both signals arrive while it runs.
  proc.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 30));
  proc.child.kill('SIGTERM');
  const sentDuringReport = !proc.output().stderr.includes('leak-agent:');
  const end = await proc.ended;
  expect(sentDuringReport).toBe(true);
  expect(end.stdout).toBe('bye\nexiting\n');
  expect(end.signal).toBe(null);
  expect(end.status).toBe(7);
  expect(end.stderr.match(/leak-agent: 1 cache keeps 600000 otherwise-dead objects alive/g)).toHaveLength(1);
  expect(end.stderr).not.toMatch(/internal error/);
});
