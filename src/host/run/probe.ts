/**
 * Can scenarios run for real here? Root, a writable hierarchy carrying the
 * cpu controller, and the CPUs this process may use (its affinity, within
 * the root cpuset). The answer is the host as a run needs it, or the reason
 * it cannot run.
 */
import { execFileSync } from 'node:child_process';
import { CgroupError } from '../../core/errors.js';
import { parseCpuList } from '../../core/format/cpulist.js';
import { isRoot } from '../features.js';
import { HostFs } from '../hostfs.js';
import { detectHostLayout, type HostLayout } from '../layout.js';
import { whyNotWritable } from '../live.js';
import { mountOfController } from '../../core/mounts.js';

export interface HostRunEnv {
  fs: HostFs;
  layout: HostLayout;
  /** Host CPUs a run may use, ascending. */
  allowedCpus: number[];
  /** `taskset` (util-linux), or undefined when it is not installed. */
  taskset: string | undefined;
}

/** The path of `taskset` when it runs, else undefined. */
export function findTaskset(): string | undefined {
  for (const p of ['/usr/bin/taskset', '/bin/taskset', '/usr/local/bin/taskset']) {
    try {
      execFileSync(p, ['--version'], { timeout: 10_000, stdio: 'ignore' });
      return p;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

export async function probeHostRun(): Promise<HostRunEnv | string> {
  if (process.platform !== 'linux') return 'running scenarios on the host needs Linux';
  if (!isRoot()) return 'running scenarios on the host needs root (cgkit makes and removes cgroups)';
  let layout: HostLayout;
  try {
    layout = await detectHostLayout();
  } catch (e) {
    if (e instanceof CgroupError) return `no cgroup filesystem found: ${e.message}`;
    throw e;
  }
  const cpu = mountOfController(layout, 'cpu');
  const cpuMount = layout.mounts.find((m) => m === cpu);
  if (!cpuMount || (cpuMount.version === 2 && !(await rootHasCpu(layout)))) return 'no cgroup hierarchy carries the cpu controller';
  const why = await whyNotWritable(cpuMount);
  if (why !== undefined) return `cannot make groups in ${cpuMount.mountPoint}: ${why}`;
  const fs = new HostFs();
  const status = await fs.readFile('/proc/self/status');
  const line = status.split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  let allowed = line === undefined ? [] : parseCpuList(line.slice(line.indexOf(':') + 1).trim());
  const cpuset = mountOfController(layout, 'cpuset');
  if (cpuset) {
    const file = cpuset.version === 1 ? 'cpuset.effective_cpus' : 'cpuset.cpus.effective';
    const root = await fs.readFile(`${cpuset.mountPoint}/${file}`).then((t) => parseCpuList(t.trim()), () => undefined);
    if (root !== undefined) allowed = allowed.filter((c) => root.includes(c));
  }
  if (allowed.length === 0) return 'this process may run on no CPU';
  return { fs, layout, allowedCpus: allowed, taskset: findTaskset() };
}

async function rootHasCpu(layout: HostLayout): Promise<boolean> {
  const v2 = layout.mounts.find((m) => m.version === 2);
  if (!v2) return false;
  try {
    const text = await new HostFs().readFile(`${v2.mountPoint}/cgroup.subtree_control`);
    return text.split(/\s+/).includes('cpu');
  } catch {
    return false;
  }
}
