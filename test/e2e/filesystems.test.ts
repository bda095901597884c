// File systems that refuse writes, for real: a tiny tmpfs filled to the last byte (ENOSPC) and a read-only one (EROFS,
// which stops root too, unlike a chmod). The report file and the heap snapshot meet them; the app's stdout and exit
// code stay what they were, one stderr line says what could not be written, and nothing half-written is left behind.
// Mounting needs root (CAP_SYS_ADMIN): CI runs as root; elsewhere these tests are skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApp, placeScript, runNode } from '../helpers/apps';

const mounted: string[] = [];

function mountTmpfs(options: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'leak-agent-fs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounted.push(dir);
  return dir;
}

function mountFullTmpfs(): string | null {
  const dir = mountTmpfs('size=64k');
  if (dir === null) return null;
  mkdirSync(join(dir, 'reports'));
  mkdirSync(join(dir, 'tmp'));
  // Fill every byte that is left.
  try {
    writeFileSync(join(dir, 'fill'), Buffer.alloc(1 << 20));
  } catch {
    // ENOSPC: full now
  }
  return dir;
}

const full = mountFullTmpfs();
const readOnly = mountTmpfs('ro,size=64k');

afterAll(() => {
  for (const dir of mounted) {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.skipIf(readOnly === null)('a read-only file system', () => {
  const app = makeApp('robust', { 'lru-cache': 'lru11' });
  placeScript(app, 'triggers.cjs');

  it('report file: one stderr line, same stdout and exit code', () => {
    expect(() => writeFileSync(join(readOnly!, 'probe'), 'x')).toThrow(/EROFS/);
    const plain = runNode(app, ['triggers.cjs', 'natural']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_REPORT_FILE: join(readOnly!, 'r.json') });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr.split('\n').filter((l) => l.includes('could not write the report'))).toHaveLength(1);
    expect(run.stderr).toContain('leak-agent: 1 cache keeps 5 otherwise-dead objects alive');
  });
});

describe.skipIf(full === null)('a full disk', () => {
  const app = makeApp('robust', { 'lru-cache': 'lru11' });
  placeScript(app, 'triggers.cjs');

  it('the disk really is full', () => {
    expect(() => writeFileSync(join(full!, 'reports', 'probe'), 'x'.repeat(8192))).toThrow(/ENOSPC/);
    rmSync(join(full!, 'reports', 'probe'), { force: true });
    expect(execFileSync('df', ['--output=avail', full!], { encoding: 'utf8' })).toMatch(/\s0\s*$/);
  });

  it('report file: one stderr line, same stdout and exit code, no temporary file left', () => {
    const plain = runNode(app, ['triggers.cjs', 'exit3']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'exit3'], { LEAK_AGENT_REPORT_FILE: join(full!, 'reports', 'r-%p.json') });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr.split('\n').filter((l) => l.includes('could not write the report'))).toHaveLength(1);
    expect(run.stderr).toContain('leak-agent: 1 cache keeps 5 otherwise-dead objects alive');
    expect(readdirSync(join(full!, 'reports'))).toEqual([]);
  });

  it('heap snapshot: one clear stderr line, the cache reported unverified with the reason, nothing left behind', () => {
    const plain = runNode(app, ['triggers.cjs', 'natural']);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', 'natural'], { LEAK_AGENT_VERIFY: 'snapshot', TMPDIR: join(full!, 'tmp') });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('leak-agent: no heap snapshot: '))).toHaveLength(1);
    expect(run.stderr).toMatch(/needs about \d+ MiB of free disk in .*, 0 MiB available/);
    expect(run.stderr).toContain('leak-agent: 1 cache holding object keys could not be verified');
    expect(readdirSync(join(full!, 'tmp'))).toEqual([]);
  });
});
