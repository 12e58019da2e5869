import { CoreSchedFs } from '../../coresched/coresched-fs.js';
import type { TrustGroups } from '../../coresched/trust-groups.js';
import { DEFAULT_MOUNT } from '../../coresched/types.js';
import type { ShellKernel } from './kernel.js';
import { MountingKernel, type MountSource } from './mounts.js';

/** What the shell's help says about the trust groups' mount. */
export const CORESCHED_SUMMARY = 'core scheduling trust groups: mkdir NAME, echo PID > NAME/tasks, cat NAME/cookie_id';

/** The trust groups' coreschedfs view (coresched/coresched-fs.ts) as a shell mount; `as` acts with a task's uid and gid. */
export function coreSchedMount(groups: TrustGroups, mount: string = DEFAULT_MOUNT): MountSource {
  const view = new CoreSchedFs(groups, { mount });
  return { path: view.mount, summary: CORESCHED_SUMMARY, fs: view, as: (cred) => view.as(cred) };
}

/** `kernel` with the trust groups mounted at `mount` (default /sys/kernel/coresched). */
export function withTrustGroups(kernel: ShellKernel, groups: TrustGroups, mount?: string): ShellKernel {
  return new MountingKernel(kernel, [coreSchedMount(groups, mount)]);
}
