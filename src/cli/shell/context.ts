import type { CgroupFs } from '../../core/fs.js';
import { isErrnoLike } from '../../core/errors.js';
import { strerror } from '../../core/errno.js';
import type { ShellKernel } from './kernel.js';
import { resolvePath } from './paths.js';

/** State that lives as long as the shell. */
export interface ShellState {
  readonly kernel: ShellKernel;
  /** The mount the shell starts in and `cd` with no argument returns to. */
  readonly home: string;
  cwd: string;
  readonly json: boolean;
  /** `$!`: the last pid or tid created by spawn, fork or thread. */
  lastPid: number | undefined;
  /** `$?` */
  lastStatus: number;
  readonly vars: Map<string, string>;
}

/** What one command runs with. */
export interface Ctx {
  readonly state: ShellState;
  /** The filesystem as root, or as the task given to `as`. */
  readonly fs: CgroupFs;
  /** Set inside `as PID ...`. */
  readonly asPid: number | undefined;
  out(text: string): void;
  err(line: string): void;
}

/** A command: returns its exit status (0 = success). */
export type Builtin = (ctx: Ctx, args: string[]) => Promise<number>;

export interface CommandSpec {
  readonly run: Builtin;
  readonly usage: string;
  readonly summary: string;
  /** Works on files only: allowed after `as PID`. */
  readonly file: boolean;
  /** A shell builtin (bash prints `bash: NAME: ...` for its errors). */
  readonly builtin?: boolean;
}

export function abs(ctx: Ctx, p: string): string {
  return resolvePath(ctx.state.cwd, p);
}

/** The errno text of an error, or its message when it carries no errno. */
export function errText(e: unknown): string {
  if (isErrnoLike(e)) return strerror(e.code === 'EOPNOTSUPP' ? 'ENOTSUP' : e.code);
  return e instanceof Error ? e.message : String(e);
}

export function errCode(e: unknown): string | undefined {
  return isErrnoLike(e) ? e.code : undefined;
}

/** Errors that come from the kernel (errno-shaped); anything else is a bug and propagates. */
export function kernelError(e: unknown): boolean {
  return isErrnoLike(e);
}

/** Pull `-x` style flags off the front of `args` (stops at `--` or the first operand). */
export function flags(args: string[], allowed: string): { set: Set<string>; rest: string[]; bad?: string } {
  const set = new Set<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    for (const ch of a.slice(1)) {
      if (!allowed.includes(ch)) return { set, rest: [], bad: ch };
      set.add(ch);
    }
  }
  return { set, rest: args.slice(i) };
}

/** Parse a non-negative decimal integer (as a pid, uid, or code is written). */
export function parseId(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function quote(s: string): string {
  return `'${s}'`;
}
