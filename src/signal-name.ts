// The report signal, parsed the same way for LEAK_AGENT_SIGNAL (the agent) and `leak-agent report --signal` (the
// CLI): a name with or without "SIG", in any case (USR2, usr2, SIGUSR2). Numbers are refused: they differ between
// platforms (SIGUSR2 is 12 on Linux, 31 on macOS).
//
// Only a signal nobody else sends and that nothing raises on its own can be a report signal. The agent listens on
// it, and in Node.js a listener replaces the signal's default action: on SIGTERM it would keep a process alive that
// was told to stop, on SIGCHLD it would report every time a child process ends (the snapshot engine's own analysis
// child included). Each refused signal carries its reason, so the one line a user sees says why.
import { constants as osConstants } from 'node:os';

const REFUSED: Readonly<Record<string, string>> = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGUSR1: 'is reserved by Node.js for the inspector (kill -USR1 starts the debugger, and a listener can keep it from starting)',
  SIGINT: 'is sent to stop a process, and a listener would keep the process alive',
  SIGTERM: 'is sent to stop a process, and a listener would keep the process alive',
  SIGHUP: 'is sent to stop a process when its terminal closes, and a listener would keep the process alive',
  SIGQUIT: 'is sent to stop a process (Ctrl-\\), and a listener would keep the process alive',
  SIGSEGV: 'is raised by the CPU when the process crashes, and Node.js cannot safely run JavaScript for it',
  SIGBUS: 'is raised by the CPU when the process crashes, and Node.js cannot safely run JavaScript for it',
  SIGFPE: 'is raised by the CPU when the process crashes, and Node.js cannot safely run JavaScript for it',
  SIGILL: 'is raised by the CPU when the process crashes, and Node.js cannot safely run JavaScript for it',
  SIGABRT: 'is raised by abort() when the process crashes',
  SIGIOT: 'is raised by abort() when the process crashes',
  SIGTRAP: 'is used by debuggers',
  SIGSYS: 'is raised by the kernel for a forbidden system call',
  SIGPROF: 'is used by CPU profilers as their timer',
  SIGVTALRM: 'is used by CPU profilers as their timer',
  SIGALRM: 'is raised by timers on its own',
  SIGPIPE: 'arrives on its own when the process writes to a closed pipe',
  SIGCHLD: 'arrives on its own whenever a child process ends',
  SIGCLD: 'arrives on its own whenever a child process ends',
  SIGWINCH: 'arrives on its own whenever the terminal is resized',
  SIGURG: 'arrives on its own with urgent socket data',
  SIGCONT: 'arrives on its own whenever a stopped process resumes',
  SIGTSTP: 'is sent by terminal job control (Ctrl-Z)',
  SIGTTIN: 'is sent by terminal job control (a background read)',
  SIGTTOU: 'is sent by terminal job control (a background write)',
  SIGIO: 'arrives on its own for asynchronous I/O',
  SIGPOLL: 'arrives on its own for asynchronous I/O',
  SIGXCPU: 'is raised by the kernel when a resource limit is reached',
  SIGXFSZ: 'is raised by the kernel when a resource limit is reached',
  SIGPWR: 'is sent by the system on power failure',
  SIGLOST: 'is sent by the system when a file lock is lost',
  SIGINFO: 'is sent by the terminal (Ctrl-T)',
  SIGEMT: 'is raised by the CPU',
  SIGBREAK: 'is sent by the terminal (Ctrl-Break)',
};

/** The default report signal. */
export const DEFAULT_REPORT_SIGNAL: NodeJS.Signals = 'SIGUSR2';

/** Signals this platform has that may be report signals (SIGUSR2 everywhere; SIGSTKFLT on Linux). */
export function acceptedReportSignals(): string[] {
  return Object.keys(osConstants.signals).filter((name) => !Object.prototype.hasOwnProperty.call(REFUSED, name));
}

/** "expected …" text for error lines. */
export function acceptedReportSignalsText(): string {
  return `${acceptedReportSignals().join(' or ')} (with or without SIG, any case)`;
}

export type SignalParse = { ok: true; signal: NodeJS.Signals } | { ok: false; reason: string };

/** A report signal from user input: `USR2`, `usr2`, `SIGUSR2`. The reason, when refused, is one clause. */
export function parseReportSignal(value: string): SignalParse {
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return { ok: false, reason: 'signal numbers differ between platforms: give the name' };
  const upper = trimmed.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!/^SIG[A-Z0-9]+$/.test(name) || !Object.prototype.hasOwnProperty.call(osConstants.signals, name)) {
    return { ok: false, reason: 'not a signal name on this platform' };
  }
  const refused = REFUSED[name];
  if (refused !== undefined) return { ok: false, reason: `${name} ${refused}` };
  return { ok: true, signal: name as NodeJS.Signals };
}

/** The signal's number on this platform (for /proc bitmasks). */
export function signalNumber(signal: NodeJS.Signals): number {
  return osConstants.signals[signal];
}
