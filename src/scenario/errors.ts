import { strerror } from '../core/errno.js';
import { isErrnoLike } from '../core/errors.js';

/**
 * A scenario that cannot be loaded or run as written: bad YAML, a value the
 * schema or the kernel refuses, an unknown task. The message starts with
 * `file:line:` when the line is known. The CLI exits with status 2.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly file: string;
  readonly line: number | undefined;
  /** The kernel's errno code when the kernel refused (`ERANGE`). */
  readonly code: string | undefined;
  readonly reason: string;

  constructor(file: string, line: number | undefined, reason: string, opts: { code?: string; cause?: unknown } = {}) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${reason}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.file = file;
    this.line = line;
    this.reason = reason;
    this.code = opts.code;
  }
}

/**
 * `what` failed with `e`: a ScenarioError naming the errno when the kernel
 * refused (`writing /guest/cpu.weight "0": ERANGE (Numerical result out of
 * range; cpu.weight is 1..10000)`); anything else is rethrown.
 */
export function kernelRefused(file: string, line: number, what: string, e: unknown): ScenarioError {
  if (e instanceof ScenarioError) return e;
  if (!isErrnoLike(e)) throw e;
  const detail = (e as { detail?: unknown }).detail;
  const why = typeof detail === 'string' && detail !== '' ? `${strerror(e.code)}; ${detail}` : strerror(e.code);
  return new ScenarioError(file, line, `${what}: ${e.code} (${why})`, { code: e.code, cause: e });
}
