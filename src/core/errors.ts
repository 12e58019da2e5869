import { type ErrnoCode, errnoOf, isErrnoCode, strerror } from './errno.js';

/** The system call an error is reported for, as Node's fs errors name them. */
export type Syscall =
  | 'mkdir' | 'rmdir' | 'scandir' | 'open' | 'read' | 'write' | 'stat' | 'lstat'
  | 'chown' | 'chmod' | 'rename' | 'watch' | 'fork' | 'clone' | 'kill' | 'mount'
  | 'prctl' | 'spawn' | 'realpath' | 'readlink' | 'access' | 'wait'
  | 'clock_nanosleep' | 'sched_setattr' | 'setpriority' | 'sched_setaffinity' | 'execve' | 'poll' | 'setpgid';

/**
 * The one error type of cgkit. It has the shape of Node's `fs` errors
 * (`code`, `errno` as a negative number, `syscall`, `path`), so a `catch`
 * that handles a host error handles a simulated-kernel error the same way.
 */
export class CgroupError extends Error {
  override readonly name = 'CgroupError';
  readonly code: ErrnoCode;
  /** Negative errno, as Node reports it (`-16` for EBUSY). */
  readonly errno: number;
  readonly syscall: Syscall;
  readonly path: string | undefined;
  /** Why, for people; code compares `code`, never this text. */
  readonly detail: string | undefined;

  constructor(code: ErrnoCode, syscall: Syscall, path?: string, detail?: string) {
    const where = path === undefined ? '' : ` '${path}'`;
    const why = detail === undefined ? '' : ` (${detail})`;
    super(`${code}: ${strerror(code)}, ${syscall}${where}${why}`);
    this.code = code;
    this.errno = -errnoOf(code);
    this.syscall = syscall;
    this.path = path;
    this.detail = detail;
  }
}

/** Shorthand used by the model and the tables: `throw fail('EBUSY', 'rmdir', p)`. */
export function fail(code: ErrnoCode, syscall: Syscall, path?: string, detail?: string): CgroupError {
  return new CgroupError(code, syscall, path, detail);
}

/** Node fs errors and CgroupErrors alike: anything with an errno code. */
export interface ErrnoLike {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export function isErrnoLike(e: unknown): e is ErrnoLike {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}

/** Turn a Node fs error into a CgroupError (kept as is when it already is one). */
export function toCgroupError(e: unknown, syscall: Syscall, path?: string): CgroupError {
  if (e instanceof CgroupError) return e;
  if (isErrnoLike(e) && isErrnoCode(e.code)) {
    return new CgroupError(e.code, (e.syscall as Syscall | undefined) ?? syscall, e.path ?? path);
  }
  if (isErrnoLike(e) && e.code === 'EOPNOTSUPP') return new CgroupError('ENOTSUP', syscall, path);
  throw e;
}
