import { fileMode, type IfaceFile } from '../core/controller.js';
import { CgroupError } from '../core/errors.js';
import type { Cgroup, CssImpl } from './cgroup.js';
import type { Kernel } from './kernel.js';
import type { Cred, Task } from './task.js';

/** Who is doing a file operation. */
export interface FileCtx {
  k: Kernel;
  cred: Cred;
  /** The acting task (for `0` in cgroup.procs, /proc/self). */
  actor: Task;
  /** Absolute path of the file. */
  path: string;
}

/** An interface file of one cgroup, ready to read or write. */
export interface CgFile {
  name: string;
  mode: number;
  read?(cg: Cgroup, ctx: FileCtx): string;
  write?(cg: Cgroup, text: string, ctx: FileCtx): void;
}

/** Core files are declared like controller files: a name, where it exists, and handlers. */
export interface CoreFile extends CgFile {
  versions: readonly (1 | 2)[];
  where: 'all' | 'nonRoot' | 'rootOnly';
  /** Present only while this returns true (the PSI files follow cgroup.pressure). */
  visible?(cg: Cgroup, k: Kernel): boolean;
}

function whereOk(where: string | undefined, cg: Cgroup): boolean {
  return where === 'nonRoot' ? !cg.isRoot : where === 'rootOnly' ? cg.isRoot : true;
}

/** Tables do not know paths: errors they raise get the file's path here. */
function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CgroupError && e.path === undefined) throw new CgroupError(e.code, e.syscall, path, e.detail);
    throw e;
  }
}

/** Wrap a controller table file as a file of one cgroup: parse, validate, apply. */
function tableFile(css: CssImpl<unknown>, f: IfaceFile<unknown>): CgFile {
  const out: CgFile = { name: f.name, mode: fileMode(f) };
  if (f.read) {
    const read = f.read;
    out.read = (_cg, ctx) => withPath(ctx.path, () => read.call(f, css, ctx.k.services(ctx.cred)));
  }
  if (f.apply) {
    out.write = (_cg, text, ctx) => withPath(ctx.path, () => {
      const svc = ctx.k.services(ctx.cred);
      const v = f.parse ? f.parse(text, css) : text;
      f.validate?.(css, v, svc);
      f.apply!(css, v, svc);
    });
  }
  return out;
}

/** Every interface file of a cgroup, core files first, then each controller's, by name. */
export function cgroupFiles(k: Kernel, cg: Cgroup, core: readonly CoreFile[]): Map<string, CgFile> {
  const out = new Map<string, CgFile>();
  for (const f of core) {
    if (!f.versions.includes(cg.version) || !whereOk(f.where, cg)) continue;
    if (f.visible && !f.visible(cg, k)) continue;
    out.set(f.name, f);
  }
  const visible = cg.version === 2 && !cg.isRoot ? new Set(cg.parent!.subtreeControl) : undefined;
  for (const [name, css] of cg.css) {
    if (visible && !visible.has(name)) continue;
    for (const f of css.def.files) {
      if (!f.versions.includes(cg.version) || !whereOk(f.where, cg)) continue;
      out.set(f.name, tableFile(css, f));
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
