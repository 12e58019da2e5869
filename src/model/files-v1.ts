import { CgroupError } from '../core/errors.js';
import { parseWriteU64 } from '../core/format/int.js';
import { formatIdList } from '../core/format/lists.js';
import type { Cgroup } from './cgroup.js';
import type { CoreFile, FileCtx } from './files.js';
import { writeV1Procs } from './procs-write.js';

const V1: CoreFile['versions'] = [1];
const PATH_MAX = 4096;

function flag(text: string, ctx: FileCtx): boolean {
  return parseWriteU64(text, { path: ctx.path }) !== 0n;
}

function live(cg: Cgroup, ctx: FileCtx): void {
  if (cg.dead) throw new CgroupError('ENODEV', 'write', ctx.path);
}

/** A 0/1 file written as any u64 (non-zero sets it), as the kernel's write_u64 handlers take it. */
function flagFile(name: string, get: (cg: Cgroup) => boolean, set: (cg: Cgroup, v: boolean) => void): CoreFile {
  return {
    name, versions: V1, where: 'all', mode: 0o644,
    read: (cg) => `${get(cg) ? 1 : 0}\n`,
    write: (cg, text, ctx) => {
      const v = flag(text, ctx);
      live(cg, ctx);
      set(cg, v);
    },
  };
}

const sorted = (xs: Iterable<number>) => [...new Set(xs)].sort((a, b) => a - b);

/** The cgroup v1 core files (cgroup1_base_files). */
export const V1_CORE_FILES: CoreFile[] = [
  {
    name: 'tasks', versions: V1, where: 'all', mode: 0o644,
    read: (cg) => formatIdList(sorted([...cg.tasks].map((t) => t.tid))),
    write: (cg, text, ctx) => writeV1Procs(cg, text, ctx, false),
  },
  {
    name: 'cgroup.procs', versions: V1, where: 'all', mode: 0o644,
    read: (cg) => formatIdList(sorted([...cg.tasks].map((t) => t.tgid))),
    write: (cg, text, ctx) => writeV1Procs(cg, text, ctx, true),
  },
  flagFile('notify_on_release', (cg) => cg.notifyOnRelease, (cg, v) => { cg.notifyOnRelease = v; }),
  flagFile('cgroup.clone_children', (cg) => cg.cloneChildrenFlag, (cg, v) => { cg.cloneChildrenFlag = v; }),
  {
    name: 'release_agent', versions: V1, where: 'rootOnly', mode: 0o644,
    read: (cg) => `${cg.hier.releaseAgent}\n`,
    write: (cg, text, ctx) => {
      if (ctx.cred.uid !== 0) throw new CgroupError('EPERM', 'write', ctx.path, 'setting release_agent needs CAP_SYS_ADMIN in the initial namespace');
      const agent = text.replace(/\s+$/, '').replace(/^\s+/, '');
      if (agent.length > PATH_MAX - 1) throw new CgroupError('EINVAL', 'write', ctx.path, 'path too long');
      cg.hier.releaseAgent = agent;
    },
  },
  { name: 'cgroup.sane_behavior', versions: V1, where: 'rootOnly', mode: 0o444, read: () => '0\n' },
];
