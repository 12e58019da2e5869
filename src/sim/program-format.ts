/**
 * The canonical text form of a Program (see program-text.ts for the syntax).
 * Canonical means: attributes first (name, nice, cpus), `; ` between
 * statements, each time in the largest unit that divides it exactly (0 is
 * `0ns`), each byte count in the largest of G/M/K that divides it, `{ … }`
 * around non-empty blocks and `{}` around empty ones, `hog` for hog()'s loop,
 * the timer ref only when it is not the default.
 */
import { formatCpuList } from '../core/format/cpulist.js';
import { DEFAULT_TIMER_REF, HOG_CHUNK_NS } from './program.js';
import type { Program, Step } from './program.js';

const BARE = /^[A-Za-z0-9_.:/@+-]+$/;

export function formatDuration(ns: number): string {
  if (ns === 0) return '0ns';
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  if (ns % 1e6 === 0) return `${ns / 1e6}ms`;
  if (ns % 1e3 === 0) return `${ns / 1e3}us`;
  return `${ns}ns`;
}

export function formatBytes(b: bigint): string {
  if (b !== 0n) {
    for (const [suffix, shift] of [['G', 30n], ['M', 20n], ['K', 10n]] as const) {
      if (b % (1n << shift) === 0n) return `${b >> shift}${suffix}`;
    }
  }
  return `${b}`;
}

/** A name or ref as a bare word when that parses back the same, else JSON. */
function word(s: string): string {
  return BARE.test(s) ? s : JSON.stringify(s);
}

function block(items: string[]): string {
  return items.length === 0 ? '{}' : `{ ${items.join('; ')} }`;
}

function isHog(s: Step): boolean {
  return s.op === 'loop' && s.count === 'forever' && s.body.length === 1
    && s.body[0]!.op === 'run' && s.body[0]!.ns === HOG_CHUNK_NS;
}

function formatStep(s: Step): string {
  if (isHog(s)) return 'hog';
  switch (s.op) {
    case 'run':
    case 'sleep':
      return `${s.op} ${formatDuration(s.ns)}`;
    case 'timer':
      return `timer ${formatDuration(s.periodNs)}${s.ref === DEFAULT_TIMER_REF ? '' : ` ${word(s.ref)}`}`;
    case 'fork':
    case 'thread':
      return `${s.op} ${block(items(s.program))}`;
    case 'alloc':
    case 'free':
      return `${s.op} ${formatBytes(s.bytes)}`;
    case 'exit':
      return `exit ${s.code}`;
    case 'loop': {
      const head = s.count === 'forever' ? 'loop' : `loop ${s.count}`;
      return `${head} ${block(s.body.map(formatStep))}`;
    }
  }
}

function items(p: Program): string[] {
  const out: string[] = [];
  if (p.name !== undefined) out.push(`name ${word(p.name)}`);
  if (p.nice !== undefined) out.push(`nice ${p.nice}`);
  if (p.cpus !== undefined) out.push(`cpus ${formatCpuList(p.cpus).trimEnd()}`);
  for (const s of p.steps) out.push(formatStep(s));
  return out;
}

/** The canonical text of a (validated) program. */
export function formatProgram(p: Program): string {
  return items(p).join('; ');
}
