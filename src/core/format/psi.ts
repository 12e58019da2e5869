import { CgroupError } from '../errors.js';
import { parseNested } from './keyed.js';

/**
 * Pressure files ({cpu,memory,io,irq}.pressure, /proc/pressure/*): lines
 * `some avg10=0.99 avg60=0.43 avg300=0.54 total=3953682` and `full ...`.
 * The kernel prints each average as `%lu.%02lu` (a percentage with two
 * decimals) and the total stall time in microseconds as `%llu`. cpu, memory
 * and io have both lines (cpu's `full` reads zero at the system level);
 * irq.pressure has only `full`.
 */
export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  totalUsec: bigint;
}

export interface Psi {
  some?: PsiLine;
  full?: PsiLine;
}

const AVG = /^[0-9]+\.[0-9]{2}$/;
const U64_MAX = (1n << 64n) - 1n;

function bad(why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', undefined, why);
}

function line(name: string, sub: Map<string, string>): PsiLine {
  const keys = [...sub.keys()].join(' ');
  if (keys !== 'avg10 avg60 avg300 total') throw bad(`${name}: expected avg10 avg60 avg300 total, got '${keys}'`);
  const avg = (k: string): number => {
    const v = sub.get(k)!;
    if (!AVG.test(v)) throw bad(`${name} ${k}: not a percentage: ${JSON.stringify(v)}`);
    return Number(v);
  };
  const total = sub.get('total')!;
  if (!/^[0-9]+$/.test(total) || BigInt(total) > U64_MAX) throw bad(`${name} total: not a counter: ${JSON.stringify(total)}`);
  return { avg10: avg('avg10'), avg60: avg('avg60'), avg300: avg('avg300'), totalUsec: BigInt(total) };
}

export function parsePsi(text: string): Psi {
  const out: Psi = {};
  for (const [name, sub] of parseNested(text)) {
    if (name === 'some') out.some = line(name, sub);
    else if (name === 'full') out.full = line(name, sub);
    else throw bad(`not a pressure line: '${name}'`);
  }
  if (!out.some && !out.full) throw bad('no pressure lines');
  return out;
}

function fmt(name: string, l: PsiLine): string {
  return `${name} avg10=${l.avg10.toFixed(2)} avg60=${l.avg60.toFixed(2)} avg300=${l.avg300.toFixed(2)} total=${l.totalUsec}\n`;
}

export function formatPsi(p: Psi): string {
  return (p.some ? fmt('some', p.some) : '') + (p.full ? fmt('full', p.full) : '');
}
