// `leak-agent report PID` asks a running process for its report: it leaves a request file in a private per-user
// directory and sends the report signal; the agent, after its signal report, writes the JSON next to each request
// addressed to it. Nothing is written that nobody asked for.
//
// Where: `$XDG_RUNTIME_DIR/leak-agent` when the process has a runtime directory (private to its user by definition),
// else `<tmp>/leak-agent-<uid>` in its temporary directory. In a shared /tmp another user can create that name
// first; then both sides use a `<tmp>/leak-agent-<uid>-XXXXXX` directory the user owns instead (the first one found,
// else a new one), so nobody can block the handoff or receive the answer. A directory counts only when it is a real
// directory (never a symlink), owned by the user, with no access for group or others.
//
// Both sides compute the places from the *target's* environment (the CLI reads it from /proc/PID/environ), so a
// differing TMPDIR, sudo, or a container that shares the PID namespace all find the same directory.
//
// One request per `report` call (`<pid>.<token>.request` → `<pid>.<token>.json`), so concurrent calls each get their
// answer. A request counts only when it is a regular file of the process's own user (or root) made after the process
// started: one left behind for an earlier process with the same pid is never answered.
import {
  type Stats,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { log } from '../log';
import { createTemporary } from '../report/write-file';

/** The variables that decide the places; the agent keeps the ones it started with. */
export interface HandoffEnv {
  XDG_RUNTIME_DIR?: string | undefined;
  TMPDIR?: string | undefined;
  TMP?: string | undefined;
  TEMP?: string | undefined;
}

export function handoffEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): HandoffEnv {
  return { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR, TMPDIR: env.TMPDIR, TMP: env.TMP, TEMP: env.TEMP };
}

/** os.tmpdir()'s rule on POSIX, for an environment that need not be ours. */
export function tmpBase(env: HandoffEnv): string {
  let dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  if (dir.length > 1 && dir.endsWith('/')) dir = dir.slice(0, -1);
  return dir;
}

function runtimeParent(env: HandoffEnv): string | null {
  const dir = env.XDG_RUNTIME_DIR;
  return dir && isAbsolute(dir) ? dir : null;
}

const tmpName = (uid: number): string => `leak-agent-${uid}`;

export function isPrivateDir(st: Stats, uid: number): boolean {
  return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI's side

export interface TargetUser {
  uid: number;
  gid: number;
}

export interface PlacedRequest {
  /** The directory, as the CLI reaches it (through /proc/PID/root when the target's files differ from ours). */
  dir: string;
  request: string;
  answer: string;
}

/**
 * Find or make the target user's private directory and leave a request for `pid` in it. `root` is prepended to every
 * path the target sees ('' or `/proc/PID/root`). Throws an Error saying what is wrong.
 */
export function placeRequest(pid: number, env: HandoffEnv, user: TargetUser, root: string): PlacedRequest {
  const dir = chooseDir(env, user, root);
  const token = randomBytes(6).toString('hex');
  const request = join(dir, `${pid}.${token}.request`);
  const answer = join(dir, `${pid}.${token}.json`);
  // Readable by the target when the CLI is root and the target is not (the dir itself stays private to the user):
  // the agent reads the CLI's pid from it, to skip requests whose caller is gone.
  const mode = process.geteuid?.() === user.uid ? 0o600 : 0o644;
  const fd = openSync(request, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return { dir, request, answer };
}

function chooseDir(env: HandoffEnv, user: TargetUser, root: string): string {
  const runtime = runtimeParent(env);
  if (runtime !== null) {
    const parent = lstatOrNull(root + runtime);
    if (parent !== null && isPrivateDir(parent, user.uid)) {
      const dir = root + join(runtime, 'leak-agent');
      try {
        if (ensurePrivateDir(dir, user)) return dir;
      } catch {
        // a read-only or full runtime directory: the temporary directory serves as well
      }
    }
  }
  const base = root + tmpBase(env);
  const named = join(base, tmpName(user.uid));
  if (ensurePrivateDir(named, user)) return named;
  // Taken by someone else: use (or make) a directory of the user's own that nobody else can name in advance.
  const fallback = privateFallbacks(base, user.uid)[0];
  if (fallback !== undefined) return fallback;
  return mkdtempPrivate(join(base, `${tmpName(user.uid)}-`), user);
}

/** Make `dir` (0700, owned by the user) or accept it when it already is the user's private directory. */
function ensurePrivateDir(dir: string, user: TargetUser): boolean {
  let made = false;
  try {
    mkdirSync(dir, { mode: 0o700 });
    made = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (made && process.geteuid?.() !== user.uid) chownSync(dir, user.uid, user.gid);
  const st = lstatOrNull(dir);
  if (st === null || !st.isDirectory() || st.uid !== user.uid) return false;
  // The user's own directory with loose bits (made by hand, or by a umask): tighten it rather than give up.
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return true;
}

function mkdtempPrivate(prefix: string, user: TargetUser): string {
  const dir = mkdtempSync(prefix); // 0700
  if (process.geteuid?.() !== user.uid) chownSync(dir, user.uid, user.gid);
  return dir;
}

/** `<base>/leak-agent-<uid>-*` directories that are the user's private ones, in name order. */
function privateFallbacks(base: string, uid: number): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const prefix = `${tmpName(uid)}-`;
  return names
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => join(base, name))
    .filter((dir) => {
      const st = lstatOrNull(dir);
      return st !== null && isPrivateDir(st, uid);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// The agent's side

/** Directories where a request for this process may be, as this process sees them (deduplicated). */
function candidateDirs(envs: HandoffEnv[], uid: number): string[] {
  const dirs = new Set<string>();
  for (const env of envs) {
    const runtime = runtimeParent(env);
    if (runtime !== null) dirs.add(join(runtime, 'leak-agent'));
    const base = tmpBase(env);
    const named = join(base, tmpName(uid));
    dirs.add(named);
    const st = lstatOrNull(named);
    // Only when the usual name is taken does the CLI use a fallback: list them only then (a readdir of /tmp).
    if (st !== null && !isPrivateDir(st, uid)) for (const dir of privateFallbacks(base, uid)) dirs.add(dir);
  }
  return [...dirs];
}

const startedAtMs = Date.now() - process.uptime() * 1000;

/**
 * Answer every request addressed to this process with `json`. Never throws; returns how many were answered.
 * `envs`: the environments to derive the places from (the one the agent started with, and the current one).
 */
export function answerRequests(json: string, envs: HandoffEnv[], pid = process.pid): number {
  const uid = process.geteuid?.();
  if (uid === undefined) return 0; // no users, no signals (Windows)
  let answered = 0;
  for (const dir of candidateDirs(envs, uid)) {
    try {
      answered += answerIn(dir, uid, pid, json);
    } catch (err) {
      log.trigger('report handoff in %s failed: %O', dir, err);
    }
  }
  return answered;
}

function answerIn(path: string, uid: number, pid: number, json: string): number {
  let fd: number;
  try {
    // Never through a symlink: O_NOFOLLOW on the directory itself, then the open directory is what gets checked.
    fd = openSync(path, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return 0; // absent (nobody asked here) or a symlink
  }
  try {
    if (!isPrivateDir(fstatSync(fd), uid)) {
      log.trigger('%s is not a private directory of uid %d: not answering there', path, uid);
      return 0;
    }
    // On Linux, go on through the open descriptor: whatever happens to the name meanwhile, this is the checked directory.
    const dir = process.platform === 'linux' ? `/proc/self/fd/${fd}` : path;
    const pattern = new RegExp(`^${pid}(?:\\.([0-9a-f]{1,32}))?\\.request$`);
    let answered = 0;
    for (const name of readdirSync(dir)) {
      const match = pattern.exec(name);
      if (match === null) continue;
      const request = join(dir, name);
      if (!takeRequest(request, uid)) continue;
      const answer = match[1] === undefined ? `${pid}.json` : `${pid}.${match[1]}.json`;
      writeAnswer(dir, answer, json);
      answered++;
    }
    return answered;
  } finally {
    closeSync(fd);
  }
}

/** Consume a request when it is genuine and its caller still waits; false (and nothing written) otherwise. */
function takeRequest(request: string, uid: number): boolean {
  const st = lstatOrNull(request);
  if (st === null || !st.isFile() || (st.uid !== uid && st.uid !== 0)) {
    log.trigger('ignoring %s: not a regular file of uid %d or root', request, uid);
    return false;
  }
  let callerGone = false;
  try {
    const caller = Number(readFileSync(request, 'utf8').trim());
    if (Number.isSafeInteger(caller) && caller > 0) process.kill(caller, 0);
  } catch (err) {
    callerGone = (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    unlinkSync(request);
  } catch {
    return false; // taken meanwhile
  }
  // Made before this process started: left for an earlier process with the same pid, which never answered it.
  if (st.mtimeMs < startedAtMs - 2000) {
    log.trigger('ignoring %s: older than this process', request);
    return false;
  }
  return !callerGone;
}

function writeAnswer(dir: string, name: string, json: string): void {
  const tmp = createTemporary(dir, json);
  try {
    renameSync(tmp, join(dir, name));
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}
