/**
 * The vocabulary of trust groups: fork properties, credentials, group names
 * and the permission rule. Pure functions; every refusal is a CgroupError
 * with the errno the coreschedfs view reports.
 */
import { CgroupError, type Syscall } from '../core/errors.js';

/** What a fork from a task of a group does (the seed's `properties`). */
export const PROPERTIES = ['NEW_COOKIE_FOR_CHILD', 'SAME_COOKIE_FOR_CHILD', 'ROOT_COOKIE_FOR_CHILD'] as const;
export type ForkProperty = (typeof PROPERTIES)[number];
export const DEFAULT_PROPERTY: ForkProperty = 'SAME_COOKIE_FOR_CHILD';

/** The root group: the system-wide trust group of untagged tasks (cookie 0). */
export const ROOT = '/';

/** Default mount point of the coreschedfs view. */
export const DEFAULT_MOUNT = '/sys/kernel/coresched';

/** Who asks: the manager checks group permissions and task ownership against it. */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
}
export const ROOT_CRED: Cred = { uid: 0, gid: 0 };

/** Names of the files in a group directory; no group may take one of them. */
export const GROUP_FILES = ['cookie_id', 'cookie', 'properties', 'tasks', 'procs', 'cgroup'] as const;
export type GroupFile = (typeof GROUP_FILES)[number];

/** A property named in a write (surrounding whitespace, such as echo's newline, ignored). */
export function parseProperty(text: string, syscall: Syscall = 'write', path?: string): ForkProperty {
  const v = text.trim();
  if ((PROPERTIES as readonly string[]).includes(v)) return v as ForkProperty;
  throw new CgroupError('EINVAL', syscall, path, `unknown property ${JSON.stringify(v)}: one of ${PROPERTIES.join(', ')}`);
}

/** A thread or process id written to `tasks`/`procs`: one positive decimal integer. */
export function parseTid(text: string, path?: string): number {
  const v = text.trim();
  if (!/^[0-9]{1,10}$/.test(v) || Number(v) === 0 || Number(v) > 0x7fffffff) {
    throw new CgroupError('EINVAL', 'write', path, `expected one task id (a positive integer), not ${JSON.stringify(v)}`);
  }
  return Number(v);
}

/**
 * A trust group's name: a directory name in the view. Not empty, `.` or
 * `..`; no `/`, NUL, control characters or whitespace (listings are one
 * name per line); at most 255 bytes; not all digits (those are the `<tid>`
 * directories). A name equal to a file of the root directory is refused
 * with EEXIST by the caller, as mkdir of an existing entry is.
 */
export function checkGroupName(name: unknown, syscall: Syscall = 'mkdir', path?: string): string {
  const bad = (why: string, code: 'EINVAL' | 'ENAMETOOLONG' = 'EINVAL'): never => {
    throw new CgroupError(code, syscall, path, why);
  };
  if (typeof name !== 'string') return bad('a group name must be a string');
  if (name === '') bad('a group name must not be empty');
  if (name === '.' || name === '..') bad(`'${name}' is not a group name`);
  if (/[\s/]/u.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) bad(`group name ${JSON.stringify(name)} has a '/', a space or a control character`);
  if (Buffer.byteLength(name) > 255) bad('a group name has at most 255 bytes', 'ENAMETOOLONG');
  if (/^[0-9]+$/.test(name)) bad(`group name '${name}' is all digits: such names are the task directories (<tid>)`);
  return name;
}

/** A file or directory mode: an integer 0..0o7777. */
export function checkMode(mode: unknown, syscall: Syscall = 'chmod', path?: string): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new CgroupError('EINVAL', syscall, path, `mode must be an integer from 0 to 0o7777, not ${String(mode)}`);
  }
  return mode;
}

/** A uid or gid: an integer 0..2^32-2. */
export function checkId(id: unknown, what: string, syscall: Syscall = 'chown', path?: string): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xfffffffe) {
    throw new CgroupError('EINVAL', syscall, path, `${what} must be an integer from 0 to 4294967294, not ${String(id)}`);
  }
  return id;
}

/** Owner and mode of a directory (a group, or the root). */
export interface Owner {
  uid: number;
  gid: number;
  mode: number;
}

/** Unix permission bits without ACLs: root may write anything; others get the owner, group or other bits. */
export function mayWrite(owner: Owner, cred: Cred): boolean {
  if (cred.uid === 0) return true;
  const bits = cred.uid === owner.uid ? owner.mode >> 6 : cred.gid === owner.gid ? owner.mode >> 3 : owner.mode;
  return (bits & 2) !== 0;
}

/** The mode of a writable file in a group directory: the directory's read/write bits. */
export function fileMode(dirMode: number): number {
  return dirMode & 0o666;
}
