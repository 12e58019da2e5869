import { CgroupError } from '../core/errors.js';
import { Cgroup, type CssImpl } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { attachAll, canAttachAll, planMoves } from './migrate.js';
import { checkRelease } from './populated.js';
import { ctrlDef, isThreadedCtrl } from './registry.js';
import type { Cred, Task } from './task.js';
import { canBeThreadRoot, isMixable, isThreadRoot, isThreaded, isValidDomain, domCgroup } from './v2-rules.js';

/** Controllers that get a css in every v2 cgroup (perf_event). */
function implicitV2(k: Kernel): string[] {
  return k.known.filter((c) => c.implicitOnV2 && k.dfl.controllers.includes(c.name)).map((c) => c.name);
}

/** Controllers a v2 child of `parent` has a css for: the parent's subtree_control plus implicit ones and dependencies. */
export function v2ChildCss(k: Kernel, parent: Cgroup): string[] {
  const want = new Set<string>([...parent.subtreeControl, ...implicitV2(k)]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of [...want]) for (const d of ctrlDef(c)?.dependsOn ?? []) {
      if (!want.has(d) && k.dfl.controllers.includes(d)) {
        want.add(d);
        grew = true;
      }
    }
  }
  return k.dfl.controllers.filter((c) => want.has(c));
}

/**
 * mkdir in a cgroup hierarchy: EAGAIN when an ancestor's
 * cgroup.max.descendants or cgroup.max.depth would be passed.
 */
export function makeCgroup(k: Kernel, parent: Cgroup, name: string, cred: Cred): Cgroup {
  const path = `${parent.fsPath}/${name}`;
  if (parent.dead) throw new CgroupError('ENODEV', 'mkdir', path);
  if (name.includes('\n')) throw new CgroupError('EINVAL', 'mkdir', path, 'a cgroup name may not contain a newline');
  let level = 1;
  for (let a: Cgroup | null = parent; a; a = a.parent, level++) {
    if (a.nrDescendants >= a.maxDescendants) throw new CgroupError('EAGAIN', 'mkdir', path, `${a.path} has reached cgroup.max.descendants`);
    if (level > a.maxDepth) throw new CgroupError('EAGAIN', 'mkdir', path, `${a.path} has reached cgroup.max.depth`);
  }
  const owner = { uid: cred.uid, gid: cred.gid, mode: 0o755 };
  const cg = new Cgroup(parent.hier, name, parent, owner, k.ino());
  const ctrls = parent.version === 2 ? v2ChildCss(k, parent) : parent.hier.controllers;
  // A child is in its parent's list before its css are created: state that is
  // computed over the parent's children (cpuset's effective CPUs) must see it.
  parent.children.set(name, cg);
  try {
    for (const c of ctrls) k.createCss(cg, ctrlDef(c)!);
  } catch (e) {
    for (const c of [...cg.css.keys()].reverse()) k.killCss(cg, c);
    parent.children.delete(name);
    throw e;
  }
  for (let a: Cgroup | null = parent; a; a = a.parent) a.nrDescendants++;
  return cg;
}

/** rmdir: EBUSY while the cgroup has live tasks below it or child cgroups. */
export function removeCgroup(k: Kernel, cg: Cgroup): void {
  const path = cg.fsPath;
  if (cg.isRoot) throw new CgroupError('EBUSY', 'rmdir', path, 'a hierarchy root cannot be removed');
  if (cg.populated) throw new CgroupError('EBUSY', 'rmdir', path, 'the cgroup has live tasks');
  if (cg.children.size > 0) throw new CgroupError('EBUSY', 'rmdir', path, 'the cgroup has child cgroups');
  const ctrls = [...cg.css.keys()];
  for (const c of [...ctrls].reverse()) k.killCss(cg, c);
  cg.dead = true;
  k.markDying(cg, ctrls);
  const parent = cg.parent!;
  parent.children.delete(cg.name);
  for (let a: Cgroup | null = parent; a; a = a.parent) a.nrDescendants--;
  checkRelease(k, parent);
}

/** v1 rename(2): only within the same parent (else EIO, as cgroup1_rename says); v2 has none (EPERM). */
export function renameCgroup(cg: Cgroup, newParent: Cgroup, newName: string): void {
  const path = cg.fsPath;
  if (cg.version === 2) throw new CgroupError('EPERM', 'rename', path, 'cgroup v2 directories cannot be renamed');
  if (cg.isRoot) throw new CgroupError('EBUSY', 'rename', path);
  if (newParent !== cg.parent) throw new CgroupError('EIO', 'rename', path, 'a cgroup can only be renamed within its parent');
  if (newName.includes('\n')) throw new CgroupError('EINVAL', 'rename', path);
  if (newParent.children.has(newName)) {
    if (newParent.children.get(newName) === cg) return;
    throw new CgroupError('EEXIST', 'rename', `${newParent.fsPath}/${newName}`);
  }
  newParent.children.delete(cg.name);
  cg.name = newName;
  newParent.children.set(newName, cg);
}

/**
 * Parse a `cgroup.subtree_control` write: `+name`/`-name` tokens; the last
 * one for a name wins; an unknown or v1-only name or a token without a sign
 * is EINVAL for the whole write.
 */
export function parseSubtreeControl(k: Kernel, text: string, path: string): { enable: Set<string>; disable: Set<string> } {
  const enable = new Set<string>();
  const disable = new Set<string>();
  for (const tok of text.trim().split(' ')) {
    if (tok === '') continue;
    const def = ctrlDef(tok.slice(1));
    const sign = tok[0];
    if (!def || !k.knows(def.name) || def.name !== tok.slice(1) || !def.versions.includes(2) || (sign !== '+' && sign !== '-')) {
      throw new CgroupError('EINVAL', 'write', path, `'${tok}' is not '+' or '-' followed by a cgroup v2 controller`);
    }
    if (sign === '+') {
      enable.add(def.name);
      disable.delete(def.name);
    } else {
      disable.add(def.name);
      enable.delete(def.name);
    }
  }
  return { enable, disable };
}

/** cgroup_subtree_control_write(): the checks in the kernel's order, then the css changes. */
export function writeSubtreeControl(k: Kernel, cg: Cgroup, text: string): void {
  const path = `${cg.fsPath}/cgroup.subtree_control`;
  const { enable, disable } = parseSubtreeControl(k, text, path);
  if (cg.dead) throw new CgroupError('ENODEV', 'write', path);
  const available = cg.isRoot ? k.dfl.controllers.filter((c) => !ctrlDef(c)?.implicitOnV2) : [...cg.parent!.subtreeControl].filter((c) => !isThreaded(cg) || isThreadedCtrl(c));
  for (const c of k.known.map((d) => d.name)) {
    if (enable.has(c)) {
      if (cg.subtreeControl.has(c)) enable.delete(c);
      else if (!available.includes(c)) throw new CgroupError('ENOENT', 'write', path, `'${c}' is not in cgroup.controllers`);
    } else if (disable.has(c)) {
      if (!cg.subtreeControl.has(c)) disable.delete(c);
      else for (const ch of cg.children.values()) {
        if (ch.subtreeControl.has(c)) throw new CgroupError('EBUSY', 'write', path, `child ${ch.name} still has '${c}' enabled`);
      }
    }
  }
  if (enable.size === 0 && disable.size === 0) return;
  vetEnable(cg, enable, path);
  applyControl(k, cg, enable, disable);
}

function vetEnable(cg: Cgroup, enable: Set<string>, path: string): void {
  if (enable.size === 0) return;
  const domainEnable = [...enable].some((c) => !isThreadedCtrl(c));
  if (!isValidDomain(domCgroup(cg), isThreadedCtrl)) throw new CgroupError('ENOTSUP', 'write', path, 'the cgroup is not a valid domain');
  if (isMixable(cg)) return;
  if (domainEnable) {
    if (isThreadRoot(cg, isThreadedCtrl) || isThreaded(cg)) throw new CgroupError('ENOTSUP', 'write', path, 'domain controllers cannot be enabled in a threaded subtree');
  } else if (canBeThreadRoot(cg, isThreadedCtrl) || isThreaded(cg)) {
    return;
  }
  if (cg.hasTasks) throw new CgroupError('EBUSY', 'write', path, 'no internal processes: the cgroup has processes of its own');
}

/** The controllers a v2 cgroup has a css for: its parent's subtree_control (threaded ones only, if threaded), implicit ones, dependencies. */
export function v2CssOf(k: Kernel, cg: Cgroup): string[] {
  if (!cg.parent) return cg.hier.controllers;
  const all = v2ChildCss(k, cg.parent);
  return cg.threaded ? all.filter(isThreadedCtrl) : all;
}

/**
 * Bring the csses of `cgs` in line with v2CssOf() after a subtree_control
 * or cgroup.type change, the kernel's cgroup_apply_control(): create the new
 * csses, move every live task below to its new css (can_attach first, all or
 * nothing), then kill the csses no longer wanted. On failure `undo` restores
 * the setting and nothing else has changed.
 */
export function syncCss(k: Kernel, cgs: Iterable<Cgroup>, undo: () => void): void {
  const created: [Cgroup, string][] = [];
  const dropped = new Set<CssImpl<unknown>>();
  const list = [...cgs];
  try {
    for (const cg of list) {
      const want = new Set(v2CssOf(k, cg));
      for (const c of want) if (!cg.css.has(c)) {
        k.createCss(cg, ctrlDef(c)!);
        created.push([cg, c]);
      }
      for (const [c, css] of cg.css) if (!want.has(c)) dropped.add(css);
    }
    const target = (t: Task, c: string) => {
      for (let x: Cgroup | null = t.cgroups.get(k.dfl)!; x; x = x.parent) {
        const css = x.css.get(c);
        if (css && !dropped.has(css)) return css;
      }
      return undefined;
    };
    const tasks = list.flatMap((cg) => cg.subtreeThreads());
    const moves = planMoves(tasks, k.dfl.controllers, target, true);
    canAttachAll(k, moves);
    attachAll(k, moves);
  } catch (e) {
    for (const [cg, c] of created) k.killCss(cg, c);
    undo();
    throw e;
  }
  for (const css of dropped) k.killCss(css.cgroup, css.ctrl);
}

/** +/- controllers in a cgroup's subtree_control: its children's csses change. */
function applyControl(k: Kernel, cg: Cgroup, enable: Set<string>, disable: Set<string>): void {
  const old = new Set(cg.subtreeControl);
  for (const c of enable) cg.subtreeControl.add(c);
  for (const c of disable) cg.subtreeControl.delete(c);
  syncCss(k, cg.children.values(), () => {
    cg.subtreeControl.clear();
    for (const c of old) cg.subtreeControl.add(c);
  });
}
