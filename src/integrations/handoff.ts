// `leak-agent report PID` asks a running process for its report: it drops a request file into a private per-user
// directory and sends the report signal; the agent, after its signal report, writes the JSON next to it only when
// such a request exists. Nothing is written that nobody asked for.
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function handoffDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `leak-agent-${uid}`);
}

export function requestPath(pid: number): string {
  return join(handoffDir(), `${pid}.request`);
}

export function resultPath(pid: number): string {
  return join(handoffDir(), `${pid}.json`);
}

/** Create the private directory (0700), refusing a symlink or a directory owned by someone else. */
export function ensureHandoffDir(): string {
  const dir = handoffDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user`);
  }
  return dir;
}

/** Called by the agent after a signal report: consume this process's request, if there is one. */
export function takeRequest(pid = process.pid): boolean {
  const path = requestPath(pid);
  if (!existsSync(path)) return false;
  try {
    unlinkSync(path);
  } catch {
    return false;
  }
  return true;
}
