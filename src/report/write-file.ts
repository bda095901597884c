// The JSON report on disk: atomically (write a private temporary file, then rename), mode 0600, never through a
// symlink and never over a file the agent did not create. Failures are one stderr line, never an exception.
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { warnOnce } from '../log';

/**
 * `%p` → pid, `%t` → thread id. In a worker thread a template without `%t` gets `-t<threadId>` before its extension,
 * so the main thread's and each worker's reports never overwrite each other.
 */
export function expandReportPath(template: string, pid = process.pid, thread = threadId): string {
  let path = template.replace(/%p/g, String(pid));
  if (path.includes('%t')) path = path.replace(/%t/g, String(thread));
  else if (thread !== 0) {
    const ext = extname(path);
    path = `${path.slice(0, path.length - ext.length)}-t${thread}${ext}`;
  }
  return resolve(path);
}

export function writeReportFile(template: string, json: string): string | null {
  return writeAtomic(expandReportPath(template), json, 'the report');
}

/** Write `text` to `target` atomically, 0600, never through a symlink; one stderr line (per target) on failure. */
export function writeAtomic(target: string, text: string, what: string): string | null {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    try {
      const st = lstatSync(target);
      if (st.isSymbolicLink() || !st.isFile()) throw new Error(`${target} exists and is not a regular file`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, target);
    return target;
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already reported below
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    warnOnce(`write:${target}`, `leak-agent: could not write ${what} to ${target}: ${(err as Error).message}`);
    return null;
  }
}
