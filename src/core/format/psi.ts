import { parseNested } from './keyed.js';

/** One line of a pressure file (`some avg10=0.00 avg60=0.00 avg300=0.00 total=0`). */
export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  totalUsec: bigint;
}

export interface Psi {
  some: PsiLine;
  /** Absent in cpu.pressure on kernels that do not report it for the root. */
  full?: PsiLine;
}

function line(sub: Map<string, string> | undefined): PsiLine | undefined {
  if (!sub) return undefined;
  return {
    avg10: Number(sub.get('avg10') ?? '0'),
    avg60: Number(sub.get('avg60') ?? '0'),
    avg300: Number(sub.get('avg300') ?? '0'),
    totalUsec: BigInt(sub.get('total') ?? '0'),
  };
}

export function parsePsi(text: string): Psi {
  const n = parseNested(text);
  const some = line(n.get('some')) ?? { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0n };
  const full = line(n.get('full'));
  return full ? { some, full } : { some };
}

function fmt(name: string, l: PsiLine): string {
  return `${name} avg10=${l.avg10.toFixed(2)} avg60=${l.avg60.toFixed(2)} avg300=${l.avg300.toFixed(2)} total=${l.totalUsec}\n`;
}

export function formatPsi(p: Psi): string {
  return fmt('some', p.some) + (p.full ? fmt('full', p.full) : '');
}
