// The JSON report on disk: atomically (write a private temporary file, then publish it under its name), mode 0600,
// never through a symlink. Failures are one stderr line, never an exception.
//
// Report files never replace what they should not: every report a process writes gets a name of its own (report.json,
// then report.2.json, … or %n), and an existing file at a name is replaced only when it is a leak-agent report left
// by a process that has ended. Anything else that is there is kept, with one line saying so.
import { closeSync, constants, fsyncSync, linkSync, lstatSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { warnOnce } from '../log';
import { isRunning, procStat } from '../pid';

/**
 * `%p` → pid, `%t` → thread id, `%n` → the report's number in this thread (1, 2, …). In a worker thread a template
 * without `%t` gets `-t<threadId>` before its extension, so the main thread's and each worker's reports never meet.
 * Without `%n`, the first report takes the name as it is and later ones add `.<n>` before the extension
 * (report.json, report.2.json, report.3.json).
 */
export function expandReportPath(template: string, pid = process.pid, thread = threadId, n = 1): string {
  let path = template.replace(/%p/g, String(pid));
  if (path.includes('%t')) path = path.replace(/%t/g, String(thread));
  else if (thread !== 0) path = beforeExtension(path, `-t${thread}`);
  if (path.includes('%n')) path = path.replace(/%n/g, String(n));
  else if (n > 1) path = beforeExtension(path, `.${n}`);
  return resolve(path);
}

function beforeExtension(path: string, insert: string): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}${insert}${ext}`;
}

/** Per template: the last report number this thread used, so numbers only grow. */
const lastNumber = new Map<string, number>();
/** Files this thread wrote: never candidates again, whatever they hold now. */
const written = new Set<string>();
const startedAtMs = Date.now() - process.uptime() * 1000;

/** Write the next report of this thread for `template`; returns the path written, or null (one stderr line). */
export function writeReportFile(template: string, json: string): string | null {
  const tmp = writeTemporary(expandReportPath(template), json, 'the report');
  if (tmp === null) return null;
  let n = (lastNumber.get(template) ?? 0) + 1;
  let target = expandReportPath(template, process.pid, threadId, n);
  try {
    // Bounded: each step either publishes, gives up, or moves to a higher number held by a running process.
    for (let attempt = 0; attempt < 10_000; attempt++) {
      target = expandReportPath(template, process.pid, threadId, n);
      const found = written.has(target) ? 'in use' : existing(target);
      if (found === 'in use') {
        n++;
        continue;
      }
      if (found === 'absent') {
        if (!publishNew(tmp, target)) continue; // someone created it meanwhile: look again
      } else if (found === 'ended report') {
        renameSync(tmp, target);
      } else {
        throw new Error(found);
      }
      lastNumber.set(template, n);
      written.add(target);
      return target;
    }
    throw new Error('no free report number');
  } catch (err) {
    removeQuietly(tmp);
    warnOnce(`write:${target}`, `leak-agent: could not write the report to ${target}: ${(err as Error).message}`);
    return null;
  }
}

type Existing = 'absent' | 'in use' | 'ended report' | string;

/** What is at `path` now: nothing, a report a running process wrote, a report of an ended one, or why not to touch it. */
function existing(path: string): Existing {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (st.isSymbolicLink() || !st.isFile()) return 'it exists and is not a regular file';
  const head = readHead(path);
  const pid = /"pid"\s*:\s*([0-9]+)/.exec(head);
  if (!/^\s*\{[^]*"schema"\s*:\s*"leak-agent\.report\/v1"/.test(head) || pid === null) {
    return 'it exists and is not a leak-agent report (left as it is)';
  }
  const writer = Number(pid[1]);
  if (writer === process.pid) {
    // This pid: this process (another thread, or a report it wrote before), unless the report predates its start.
    const time = Date.parse(/"time"\s*:\s*"([^"]+)"/.exec(head)?.[1] ?? '');
    return Number.isFinite(time) && time < startedAtMs - 1000 ? 'ended report' : 'in use';
  }
  if (!isRunning(writer)) return 'ended report';
  // Another process has that pid now if it started after the report was written (pids are reused).
  const time = Date.parse(/"time"\s*:\s*"([^"]+)"/.exec(head)?.[1] ?? '');
  const started = processStartMs(writer);
  return started !== null && Number.isFinite(time) && started > time + 2000 ? 'ended report' : 'in use';
}

/** When a process started (Linux; within about a second: boot time has whole seconds and drifts), or null. */
function processStartMs(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    // starttime: clock ticks since boot; USER_HZ is 100 on every Linux Node runs on.
    const ticks = Number(procStat(pid)?.[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

function readHead(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Publish `tmp` under a name nobody holds: link() fails rather than replace. False when the name got taken. */
function publishNew(tmp: string, target: string): boolean {
  try {
    linkSync(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (FAT, some FUSE and network mounts): rename, after one more look.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw err;
    if (existing(target) !== 'absent') return false;
    renameSync(tmp, target);
    return true;
  }
  removeQuietly(tmp);
  return true;
}

/**
 * Write `text` to `target` atomically, 0600, never through a symlink, replacing what was there (the baseline file).
 * Throws with the reason; leaves no temporary file behind then.
 */
export function replaceFile(target: string, text: string): void {
  const tmp = createTemporary(dirname(target), text);
  try {
    try {
      const st = lstatSync(target);
      if (st.isSymbolicLink() || !st.isFile()) throw new Error('it exists and is not a regular file');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    renameSync(tmp, target);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}

/** replaceFile, with a failure as one stderr line (per target) instead of an exception. */
export function writeAtomic(target: string, text: string, what: string): string | null {
  try {
    replaceFile(target, text);
    return target;
  } catch (err) {
    warnOnce(`write:${target}`, `leak-agent: could not write ${what} to ${target}: ${(err as Error).message}`);
    return null;
  }
}

/**
 * A complete private copy of `text` in `dir`, under a short name (17 bytes), so a target name up to the file system's
 * limit still works: 0600, created exclusively, never through a symlink, flushed. Throws; leaves nothing behind then.
 */
export function createTemporary(dir: string, text: string): string {
  const tmp = join(dir, `.la-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    // A short write (a disk filling up) is followed by one that fails with ENOSPC, never by a silent truncation.
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(tmp);
    throw err;
  }
  closeSync(fd);
  return tmp;
}

/** createTemporary beside `target`; null after one stderr line. */
function writeTemporary(target: string, text: string, what: string): string | null {
  try {
    return createTemporary(dirname(target), text);
  } catch (err) {
    warnOnce(`write:${target}`, `leak-agent: could not write ${what} to ${target}: ${(err as Error).message}`);
    return null;
  }
}

/** Remove a file that may not be there. */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}
