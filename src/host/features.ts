import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { isErrnoLike, toCgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import { parseWords } from '../core/format/lists.js';

/**
 * Which optional v2 interface files the running kernel offers. Looked up in
 * a non-root v2 cgroup, because `cgroup.kill`, `cgroup.freeze` and
 * `cgroup.events` never exist on a root.
 */
export interface V2Features {
  /** `cgroup.kill` (Linux 5.14). */
  kill: boolean;
  /** `cgroup.freeze` (Linux 5.2). */
  freeze: boolean;
  /** `cgroup.pressure`, the per-cgroup PSI switch (Linux 6.5). */
  pressureSwitch: boolean;
  /** `cgroup.stat.local` (`frozen_usec`). */
  statLocal: boolean;
  /** PSI files (`<resource>.pressure`). */
  psi: { cpu: boolean; memory: boolean; io: boolean; irq: boolean };
}

/** Read the feature set from the file names of `group`, a non-root v2 cgroup the caller owns. */
export async function detectV2Features(fs: CgroupFs, group: string): Promise<V2Features> {
  const names = new Set(await fs.readdir(group));
  return {
    kill: names.has('cgroup.kill'),
    freeze: names.has('cgroup.freeze'),
    pressureSwitch: names.has('cgroup.pressure'),
    statLocal: names.has('cgroup.stat.local'),
    psi: {
      cpu: names.has('cpu.pressure'),
      memory: names.has('memory.pressure'),
      io: names.has('io.pressure'),
      irq: names.has('irq.pressure'),
    },
  };
}

export interface KernelCgroupInfo {
  /** `/sys/kernel/cgroup/features`: mount options and behaviours v2 supports (`nsdelegate`, `memory_recursiveprot`). */
  features: string[];
  /** `/sys/kernel/cgroup/delegate`: files a delegatee may be given. */
  delegate: string[];
}

async function wordsOf(path: string): Promise<string[]> {
  try {
    return parseWords(await readFile(path, 'utf8'));
  } catch (e) {
    if (isErrnoLike(e) && e.code === 'ENOENT') return [];
    throw toCgroupError(e, 'open', path);
  }
}

/** What `/sys/kernel/cgroup` says about v2 (empty lists on kernels without it). */
export async function kernelCgroupInfo(root = '/'): Promise<KernelCgroupInfo> {
  const at = (p: string): string => posix.join(root, p);
  return {
    features: await wordsOf(at('/sys/kernel/cgroup/features')),
    delegate: await wordsOf(at('/sys/kernel/cgroup/delegate')),
  };
}

/** Does this process run with effective uid 0? */
export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/**
 * May this process create and change entries in `dir` (write and search
 * permission, filesystem not read-only)? A missing `dir` is `false`.
 */
export async function canWrite(dir: string, root = '/'): Promise<boolean> {
  const p = posix.join(root, dir);
  try {
    await access(p, constants.W_OK | constants.X_OK);
    return true;
  } catch (e) {
    if (isErrnoLike(e) && ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR'].includes(e.code)) return false;
    throw toCgroupError(e, 'open', dir);
  }
}
