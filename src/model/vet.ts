import { CgroupError, type Syscall } from '../core/errors.js';
import type { Cgroup } from './cgroup.js';
import { isThreadedCtrl } from './registry.js';
import { canBeThreadRoot, domCgroup, isMixable, isThreaded, isValidDomain } from './v2-rules.js';

/**
 * cgroup_migrate_vet_dst(): can a v2 cgroup take tasks? Its domain must be
 * valid (else EOPNOTSUPP) and, unless it is the root, threaded or a possible
 * thread root, it must not have controllers enabled for its children
 * (the no-internal-process rule, EBUSY).
 */
export function vetV2Destination(dst: Cgroup, syscall: Syscall): void {
  if (!isValidDomain(domCgroup(dst), isThreadedCtrl)) {
    throw new CgroupError('ENOTSUP', syscall, dst.fsPath, 'the cgroup is not a valid domain (cgroup.type is domain invalid)');
  }
  if (isMixable(dst)) return;
  if (canBeThreadRoot(dst, isThreadedCtrl) || isThreaded(dst)) return;
  if (dst.subtreeControl.size > 0) {
    throw new CgroupError('EBUSY', syscall, dst.fsPath, 'no internal processes: the cgroup has controllers enabled in cgroup.subtree_control');
  }
}
