/** Linux signal numbers (x86-64, arm64), for `kill -SIG`. */
export const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28,
  IO: 29, PWR: 30, SYS: 31,
};

/** `9`, `KILL`, `SIGKILL`, `kill` -> 9; `undefined` for anything else. */
export function parseSignal(s: string): number | undefined {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 64 ? n : undefined;
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  return SIGNALS[name];
}

/** `kill -l` text: `1) SIGHUP 2) SIGINT ...`, five to a line like bash. */
export function signalList(): string {
  const names = Object.entries(SIGNALS).map(([n, v]) => `${String(v).padStart(2)}) SIG${n}`.padEnd(12));
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 5) rows.push(names.slice(i, i + 5).join('\t').trimEnd());
  return rows.join('\n') + '\n';
}
