import type { Owner } from './cgroup.js';
import type { Cred } from './task.js';

export const MAY_READ = 4;
export const MAY_WRITE = 2;
export const MAY_EXEC = 1;

/**
 * generic_permission() without ACLs: root (CAP_DAC_OVERRIDE) may read and
 * write anything and search any directory; others get the owner, group or
 * other bits.
 */
export function mayAccess(owner: Owner, cred: Cred, want: number, isDir: boolean): boolean {
  if (cred.uid === 0) {
    if (want & MAY_EXEC && !isDir) return (owner.mode & 0o111) !== 0;
    return true;
  }
  const bits = cred.uid === owner.uid ? (owner.mode >> 6) & 7 : cred.gid === owner.gid ? (owner.mode >> 3) & 7 : owner.mode & 7;
  return (bits & want) === want;
}
