import { randomBytes } from 'node:crypto';
import { isErrnoLike } from '../core/errors.js';
import { parseWords } from '../core/format/lists.js';
import { isRoot } from '../host/features.js';
import { HostFs } from '../host/hostfs.js';
import type { MountSpec } from '../core/layout.js';
import { detectHostLayout, type HostLayout } from '../host/layout.js';
import type { Backend, BackendFactory } from './adapter.js';
import { HostProcs, findPython } from './host-procs.js';

/** v2 mount and v1 controller -> mount, from a detected layout. */
export function mountsOf(layout: { mounts: readonly MountSpec[] }): { v2Root: string | undefined; v1Mounts: Map<string, string> } {
  const v1Mounts = new Map<string, string>();
  let v2Root: string | undefined;
  for (const m of layout.mounts) {
    if (m.version === 2) v2Root = m.mountPoint;
    else for (const c of m.controllers) v1Mounts.set(c, m.mountPoint);
  }
  return { v2Root, v1Mounts };
}

/**
 * The host kernel, when this process may use it: Linux, root, a cgroup
 * filesystem it can create groups in, and python3 for the test processes.
 * One backend serves every case; each case works in its own
 * `cgkit-test-<random>` groups (made and removed by the runner).
 */
export function hostFactory(opts: { disabled?: string } = {}): BackendFactory {
  let why: Promise<string | undefined> | undefined;
  let layout: HostLayout | undefined;
  let python: string | undefined;
  let backend: Backend | undefined;
  let procs: HostProcs | undefined;

  async function probe(): Promise<string | undefined> {
    if (opts.disabled !== undefined) return opts.disabled;
    if (process.platform !== 'linux') return 'not Linux';
    if (!isRoot()) return 'not root';
    try {
      layout = await detectHostLayout();
    } catch (e) {
      return `no cgroup filesystem (${isErrnoLike(e) ? e.code : String(e)})`;
    }
    python = await findPython();
    if (python === undefined) return 'no python3 for the test processes';
    const fs = new HostFs();
    const { v2Root, v1Mounts } = mountsOf(layout);
    const where = v2Root ?? [...v1Mounts.values()][0];
    if (where === undefined) return 'no cgroup hierarchy with controllers';
    const probeDir = `${where}/cgkit-test-${randomBytes(6).toString('hex')}`;
    try {
      await fs.mkdir(probeDir);
      await fs.rmdir(probeDir);
    } catch (e) {
      return `cgroupfs not writable (${isErrnoLike(e) ? e.code : String(e)})`;
    }
    return undefined;
  }

  return {
    name: 'host',
    unavailable() {
      why ??= probe();
      return why;
    },
    async open() {
      if (backend !== undefined) return backend;
      if ((await this.unavailable()) !== undefined || layout === undefined || python === undefined) {
        throw new Error('host backend opened while unavailable');
      }
      const fs = new HostFs();
      const { v2Root, v1Mounts } = mountsOf(layout);
      const v2Controllers = v2Root === undefined ? [] : parseWords(await fs.readFile(`${v2Root}/cgroup.subtree_control`));
      const v2Bound = v2Root === undefined ? [] : parseWords(await fs.readFile(`${v2Root}/cgroup.controllers`));
      procs = await HostProcs.start(python);
      backend = { name: 'host', fs, procs, v2Root, v2Controllers, v2Bound, v1Mounts, close: async () => undefined };
      return backend;
    },
    async shutdown() {
      await procs?.close();
      procs = undefined;
      backend = undefined;
    },
  };
}
