/**
 * Groups on the simulated kernel for the settings and statistics tests:
 * one logical group placed in every hierarchy it spans, with controllers
 * enabled on v2 and v1 cpusets given CPUs and nodes so tasks can join.
 */
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import { placeGroup, type GroupDirs } from './group-dirs.js';
import { SimKernel } from './sim-kernel.js';

export type TestLayout = 'unified' | 'hybrid';
export const LAYOUTS: readonly TestLayout[] = ['unified', 'hybrid'];
/** The simulated machine: 2 CPUs, 1 node. */
export const MACHINE = { cpus: [0, 1], mems: [0] };
const V2_CONTROLLERS = '+cpu +cpuset +memory +pids +io';

export interface SimGroup {
  k: SimKernel;
  dirs: GroupDirs;
}

/** Make `path` (and its parents) in every hierarchy it spans. */
export async function makeGroup(k: SimKernel, path: string, controllers?: readonly string[]): Promise<GroupDirs> {
  const dirs = placeGroup(k.layout, path, controllers);
  const segs = dirs.path.split('/').filter((s) => s !== '');
  for (const d of dirs.dirs) {
    let at = d.mount.mountPoint;
    for (const s of segs) {
      if (d.version === 2 && d.controllers.length > 0) await k.fs.writeFile(`${at}/cgroup.subtree_control`, V2_CONTROLLERS);
      at = `${at}/${s}`;
      await k.fs.mkdir(at).catch((e: unknown) => {
        if (!(e instanceof CgroupError && e.code === 'EEXIST')) throw e;
      });
      if (d.version === 1 && d.controllers.includes('cpuset')) {
        await k.fs.writeFile(`${at}/cpuset.cpus`, '0-1');
        await k.fs.writeFile(`${at}/cpuset.mems`, '0');
      }
    }
  }
  return dirs;
}

export async function simGroup(layout: TestLayout, path = '/g', controllers?: readonly string[]): Promise<SimGroup> {
  const k = new SimKernel({ layout });
  return { k, dirs: await makeGroup(k, path, controllers) };
}

/**
 * Start `program` as a process that lives in the group in every hierarchy.
 * It starts in the first one and is moved into the others at once; memory
 * it charges before it is moved stays with the root, so programs that
 * allocate should sleep first.
 */
export async function spawnIn(g: SimGroup, program: string): Promise<number> {
  const [first, ...rest] = g.dirs.dirs;
  const pid = g.k.spawn({ cgroup: first!.dir, program });
  for (const d of rest) await g.k.fs.writeFile(`${d.dir}/cgroup.procs`, `${pid}`);
  return pid;
}

/** Every readable file of every directory of the group, by path (read errors as `!CODE`). */
export async function snapshot(fs: CgroupFs, dirs: GroupDirs): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const d of dirs.dirs) {
    for (const e of await fs.readdirEntries(d.dir)) {
      if (e.isDirectory) continue;
      const p = `${d.dir}/${e.name}`;
      out.set(p, await fs.readFile(p).catch((x: unknown) => `!${x instanceof CgroupError ? x.code : String(x)}`));
    }
  }
  return out;
}

/** The CgroupError a promise or function ends with. */
export async function failure(f: Promise<unknown> | (() => unknown)): Promise<CgroupError> {
  let e: unknown;
  try {
    await (typeof f === 'function' ? f() : f);
  } catch (x) {
    e = x;
  }
  assert.ok(e instanceof CgroupError, `expected a CgroupError, got ${String(e)}`);
  return e;
}
