import { SIGNALS } from '../../core/signals.js';

export { parseSignal } from '../../core/signals.js';

/** `kill -l` text: `1) SIGHUP 2) SIGINT ...`, five to a line like bash. */
export function signalList(): string {
  const names = Object.entries(SIGNALS).map(([n, v]) => `${String(v).padStart(2)}) SIG${n}`.padEnd(12));
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 5) rows.push(names.slice(i, i + 5).join('\t').trimEnd());
  return rows.join('\n') + '\n';
}
