import { CgroupError } from '../core/errors.js';

/** Linux signal numbers (x86_64) for the signals the model acts on. */
export const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23,
  SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

export type SignalAction = 'terminate' | 'stop' | 'continue' | 'ignore' | 'none';

/** A signal by number or name (`9`, `KILL`, `SIGKILL`); EINVAL when unknown. */
export function signalNumber(sig: number | string): number {
  if (typeof sig === 'number') {
    if (Number.isInteger(sig) && sig >= 0 && sig <= 64) return sig;
    throw new CgroupError('EINVAL', 'kill', undefined, `no signal ${sig}`);
  }
  const s = sig.trim().toUpperCase();
  if (/^\d+$/.test(s)) return signalNumber(Number(s));
  const n = SIGNALS[s.startsWith('SIG') ? s : `SIG${s}`];
  if (n === undefined) throw new CgroupError('EINVAL', 'kill', undefined, `unknown signal '${sig}'`);
  return n;
}

export function signalName(n: number): string {
  for (const [k, v] of Object.entries(SIGNALS)) if (v === n) return k;
  return `SIG${n}`;
}

/** The default action of a signal for a process that installed no handler. */
export function defaultAction(n: number): SignalAction {
  if (n === 0) return 'none';
  if (n === 19 || n === 20 || n === 21 || n === 22) return 'stop';
  if (n === 18) return 'continue';
  if (n === 17 || n === 23 || n === 28) return 'ignore';
  return 'terminate';
}
