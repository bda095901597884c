// Processes by id: whether one runs, and what Linux's /proc/PID/stat says about it.
import { readFileSync } from 'node:fs';

// Whether a process id belongs to a running process (another user's counts: EPERM). Used to tell leftovers of ended
// processes (report files, snapshot directories) from those of processes still at work.
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The fields of /proc/PID/stat after "pid (comm) ", from 0: state, ppid, pgrp, session, tty_nr, tpgid, …,
 * starttime at 19 (proc(5) numbers them from 3). Null when there is no such process or no /proc (not Linux).
 */
export function procStat(pid: number | 'self'): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
