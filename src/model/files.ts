import { fileMode, type IfaceFile } from '../core/controller.js';
import { CgroupError } from '../core/errors.js';
import type { Cgroup, CssImpl } from './cgroup.js';
import { ctrlDef } from './registry.js';
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

const coreIndexes = new WeakMap<readonly CoreFile[], Map<string, CoreFile>>();
function coreIndex(core: readonly CoreFile[]): Map<string, CoreFile> {
  let m = coreIndexes.get(core);
  if (!m) coreIndexes.set(core, (m = new Map(core.map((f) => [f.name, f]))));
  return m;
}

/** Is `cg` showing the files of controller `ctrl`? On v2 only where the parent enabled it. */
function showsController(cg: Cgroup, ctrl: string): boolean {
  return cg.version !== 2 || cg.isRoot || cg.parent!.subtreeControl.has(ctrl);
}

/**
 * One interface file by name, without listing the directory: core files by
 * name, controller files by their `<controller>.` prefix (every table file
 * is named so; files.test.ts checks it).
 */
export function findFile(k: Kernel, cg: Cgroup, name: string, core: readonly CoreFile[]): CgFile | undefined {
  const cf = coreIndex(core).get(name);
  if (cf && cf.versions.includes(cg.version) && whereOk(cf.where, cg) && (!cf.visible || cf.visible(cg, k))) return cf;
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  const def = ctrlDef(name.slice(0, dot));
  const css = def ? cg.css.get(def.name) : undefined;
  if (!css || !showsController(cg, css.ctrl)) return undefined;
  for (const f of css.def.files) {
    if (f.name === name && f.versions.includes(cg.version) && whereOk(f.where, cg)) return tableFile(css, f);
  }
  return undefined;
}

/** Every interface file of a cgroup, core files first, then each controller's, by name. */
export function cgroupFiles(k: Kernel, cg: Cgroup, core: readonly CoreFile[]): Map<string, CgFile> {
  const out = new Map<string, CgFile>();
  for (const f of core) {
    if (!f.versions.includes(cg.version) || !whereOk(f.where, cg)) continue;
    if (f.visible && !f.visible(cg, k)) continue;
    out.set(f.name, f);
  }
  for (const [name, css] of cg.css) {
    if (!showsController(cg, name)) continue;
    for (const f of css.def.files) {
      if (!f.versions.includes(cg.version) || !whereOk(f.where, cg)) continue;
      out.set(f.name, tableFile(css, f));
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
