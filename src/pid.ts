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
