/**
 * Reading the files of one statistics part: required files whose absence
 * means the group has no such part, optional files whose absence leaves a
 * field out. Only ENOENT counts as absence; any other failure is thrown.
 * Parse errors get the file's path.
 */
import { CgroupError, isErrnoLike } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';

export const isEnoent = (e: unknown): boolean => isErrnoLike(e) && e.code === 'ENOENT';

/** The text of `path`, or undefined when it does not exist. */
export async function readOptional(fs: CgroupFs, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if (isEnoent(e)) return undefined;
    throw e;
  }
}

export type Texts<R extends string, O extends string> = { [K in R]: string } & { [K in O]: string | undefined };

/**
 * The files `required` and `optional` of directory `dir`. Undefined when a
 * required file does not exist (the controller is not active there); ENOENT
 * when the directory itself does not exist.
 */
export async function readPart<R extends string, O extends string = never>(
  fs: CgroupFs, dir: string, required: readonly R[], optional: readonly O[] = [],
): Promise<Texts<R, O> | undefined> {
  const names = [...required, ...optional];
  const texts = await Promise.all(names.map((n) => readOptional(fs, `${dir}/${n}`)));
  if (required.some((_n, i) => texts[i] === undefined)) {
    await fs.stat(dir);
    return undefined;
  }
  return Object.fromEntries(names.map((n, i) => [n, texts[i]])) as Texts<R, O>;
}

/** Run a parser; a CgroupError without a path gets `path`. */
export function parseAt<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CgroupError && e.path === undefined) throw new CgroupError(e.code, 'read', path, e.detail);
    throw e;
  }
}

/** A required key of a keyed file. */
export function need<T>(v: T | undefined, file: string, key: string): T {
  if (v === undefined) throw new CgroupError('EINVAL', 'read', undefined, `${file} has no '${key}'`);
  return v;
}
