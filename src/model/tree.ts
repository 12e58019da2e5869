import { CgroupError } from '../core/errors.js';
import { Cgroup } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { attachAll, canAttachAll } from './migrate.js';
import { checkRelease } from './populated.js';
import { ctrlDef, isThreadedCtrl } from './registry.js';
import type { Cred } from './task.js';
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
  parent.children.set(name, cg);
  for (let a: Cgroup | null = parent; a; a = a.parent) a.nrDescendants++;
  const ctrls = parent.version === 2 ? v2ChildCss(k, parent) : parent.hier.controllers;
  for (const c of ctrls) k.createCss(cg, ctrlDef(c)!);
  return cg;
}

/** rmdir: EBUSY while the cgroup has live tasks below it or child cgroups. */
export function removeCgroup(k: Kernel, cg: Cgroup): void {
  const path = cg.fsPath;
  if (cg.isRoot) throw new CgroupError('EBUSY', 'rmdir', path, 'a hierarchy root cannot be removed');
  if (cg.populated) throw new CgroupError('EBUSY', 'rmdir', path, 'the cgroup has live tasks');
  if (cg.children.size > 0) throw new CgroupError('EBUSY', 'rmdir', path, 'the cgroup has child cgroups');
  for (const c of [...cg.css.keys()].reverse()) k.killCss(cg, c);
  cg.dead = true;
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

/** Create/kill children's csses and move their tasks' css references, asking can_attach first. */
function applyControl(k: Kernel, cg: Cgroup, enable: Set<string>, disable: Set<string>): void {
  const old = new Set(cg.subtreeControl);
  for (const c of enable) cg.subtreeControl.add(c);
  for (const c of disable) cg.subtreeControl.delete(c);
  const created: [Cgroup, string][] = [];
  try {
    for (const ch of cg.children.values()) {
      const want = new Set(v2ChildCss(k, cg).filter((c) => !isThreaded(ch) || isThreadedCtrl(c)));
      for (const c of want) if (!ch.css.has(c)) {
        k.createCss(ch, ctrlDef(c)!);
        created.push([ch, c]);
      }
    }
    // Tasks below each child now use the new csses; tasks of dropped csses fall back to cg's.
    const moves = [];
    for (const ch of cg.children.values()) {
      const tasks = ch.subtreeThreads();
      if (tasks.length === 0) continue;
      for (const [cc, c] of created) {
        if (cc !== ch) continue;
        const dst = ch.css.get(c)!;
        const bySrc = new Map<typeof dst, typeof tasks>();
        for (const t of tasks) {
          const src = t.cgroups.get(cg.hier)!.effectiveCss(c);
          if (src && src !== dst && src.cgroup === cg.effectiveCss(c)?.cgroup) bySrc.set(src, [...(bySrc.get(src) ?? []), t]);
        }
        if (bySrc.size) moves.push({ dst, bySrc, set: { tasks: [...bySrc.values()].flat(), wholeProcess: true } });
      }
    }
    canAttachAll(k, moves);
    attachAll(k, moves);
  } catch (e) {
    for (const [ch, c] of created) k.killCss(ch, c);
    cg.subtreeControl.clear();
    for (const c of old) cg.subtreeControl.add(c);
    throw e;
  }
  for (const ch of cg.children.values()) {
    for (const c of [...ch.css.keys()]) {
      if (cg.subtreeControl.has(c) || ctrlDef(c)?.implicitOnV2) continue;
      if (v2ChildCss(k, cg).includes(c)) continue;
      const srcCss = ch.css.get(c)!;
      const dstCss = cg.effectiveCss(c)!;
      const tasks = ch.subtreeThreads();
      if (tasks.length) attachAll(k, [{ dst: dstCss, bySrc: new Map([[srcCss, tasks]]), set: { tasks, wholeProcess: true } }]);
      k.killCss(ch, c);
    }
  }
}
