import { CgroupError } from './errors.js';

/** Linux signal numbers (x86-64, arm64), by name without the SIG prefix. */
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28,
  IO: 29, PWR: 30, SYS: 31,
};

/** `9`, `KILL`, `SIGKILL`, `kill` -> 9; `undefined` for anything else (0..64 by number). */
export function parseSignal(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n <= 64 ? n : undefined;
  }
  return SIGNALS[t.toUpperCase().replace(/^SIG/, '')];
}

/** A signal by number or name, as kill(2) takes it: EINVAL when there is no such signal. */
export function signalNumber(sig: number | string): number {
  const n = typeof sig === 'number' ? (Number.isInteger(sig) && sig >= 0 && sig <= 64 ? sig : undefined) : parseSignal(sig);
  if (n === undefined) throw new CgroupError('EINVAL', 'kill', undefined, `no signal '${sig}'`);
  return n;
}
