import { CgroupError } from '../core/errors.js';
import { Hierarchy } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { ctrlDef, sortCtrls } from './registry.js';
import { splitPath } from './resolve.js';

/** Parsed `-o` options of a v1 cgroup mount (cgroup1_parse_param). */
export interface V1MountOptions {
  controllers: string[];
  name?: string;
  all: boolean;
  none: boolean;
  noprefix: boolean;
  cloneChildren: boolean;
  releaseAgent?: string;
}

const NAME_RE = /^[\w.-]+$/;

/** Parse `cpu,cpuacct,name=x,...`; the kernel's EINVAL cases. */
export function parseV1Options(k: Kernel, options: string): V1MountOptions {
  const o: V1MountOptions = { controllers: [], all: false, none: false, noprefix: false, cloneChildren: false };
  const bad = (why: string) => new CgroupError('EINVAL', 'mount', undefined, why);
  for (const tok of options.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (tok === 'all') o.all = true;
    else if (tok === 'none') o.none = true;
    else if (tok === 'noprefix') o.noprefix = true;
    else if (tok === 'clone_children') o.cloneChildren = true;
    else if (tok === 'xattr' || tok === 'cpuset_v2_mode' || tok === 'rw' || tok === 'relatime' || tok === 'favordynmods') continue;
    else if (tok.startsWith('name=')) {
      if (o.name !== undefined) throw bad('name= given twice');
      const name = tok.slice(5);
      if (!NAME_RE.test(name)) throw bad(`invalid hierarchy name '${name}'`);
      o.name = name;
    } else if (tok.startsWith('release_agent=')) {
      if (o.releaseAgent !== undefined) throw bad('release_agent= given twice');
      o.releaseAgent = tok.slice('release_agent='.length);
    } else {
      const d = ctrlDef(tok);
      if (!d || !k.knows(d.name) || !d.versions.includes(1)) throw bad(`unknown controller '${tok}'`);
      if (!o.controllers.includes(d.name)) o.controllers.push(d.name);
    }
  }
  if (o.all && o.controllers.length) throw bad("'all' with controller names");
  if (o.none && o.controllers.length) throw bad("'none' with controller names");
  if (!o.none && !o.all && o.controllers.length === 0 && o.name === undefined) o.all = true;
  if (o.all) o.controllers = k.known.filter((c) => c.versions.includes(1)).map((c) => c.name);
  if (o.none && o.name === undefined) throw bad("'none' needs name=");
  if (o.noprefix && o.controllers.some((c) => c !== 'cpuset')) throw bad('noprefix is for cpuset alone');
  o.controllers = sortCtrls(o.controllers);
  return o;
}

/** Can `ctrl` leave its current hierarchy? Only from v2 while it has no css below the root. */
function canRebind(k: Kernel, ctrl: string, into: Hierarchy | undefined): void {
  const h = k.hierarchyOf(ctrl);
  if (!h || h === into) return;
  if (h.version === 1) throw new CgroupError('EBUSY', 'mount', undefined, `'${ctrl}' is bound to the hierarchy at ${h.mountPoint || '(unmounted)'}`);
  for (const c of h.root.descendantsPre()) {
    if (c !== h.root && c.css.has(ctrl)) throw new CgroupError('EBUSY', 'mount', undefined, `'${ctrl}' is in use below the cgroup v2 root`);
  }
}

function moveCtrl(k: Kernel, ctrl: string, to: Hierarchy): void {
  const from = k.hierarchyOf(ctrl);
  if (from === to) return;
  for (const t of k.tasks.values()) t.css.delete(ctrl);
  if (from) {
    k.killCss(from.root, ctrl);
    from.controllers = from.controllers.filter((c) => c !== ctrl);
  }
  // v1-only controllers (cpuacct, freezer, ...) are not bound to v2: they wait unbound.
  if (to.version === 2 && !ctrlDef(ctrl)!.versions.includes(2)) return;
  to.controllers = sortCtrls([...to.controllers, ctrl]);
  const css = k.createCss(to.root, ctrlDef(ctrl)!);
  for (const t of k.tasks.values()) {
    const cg = t.cgroups.get(to);
    if (cg) t.css.set(ctrl, cg.effectiveCss(ctrl)!);
  }
  for (const t of to.root.tasks) css.def.fork?.(css, t, k.services());
}

function checkMountPoint(k: Kernel, mountPoint: string): string {
  const norm = '/' + splitPath(mountPoint, 'mount').join('/');
  for (const h of k.mounted()) {
    for (const mp of h.mountPoints) {
      if (mp === norm) throw new CgroupError('EBUSY', 'mount', mountPoint, 'something is mounted there already');
      if (norm.startsWith(mp + '/')) throw new CgroupError('EINVAL', 'mount', mountPoint, 'cannot mount inside a cgroup hierarchy');
    }
  }
  return norm;
}

/**
 * mount -t cgroup2 / -t cgroup -o OPTIONS none MOUNTPOINT. A v1 set of
 * controllers that matches an existing hierarchy reuses it; controllers in
 * use elsewhere are EBUSY; new hierarchies take their controllers from v2
 * (which must not use them below its root).
 */
export function mountCgroup(k: Kernel, fstype: 'cgroup' | 'cgroup2', mountPoint: string, options = ''): Hierarchy {
  const mp = checkMountPoint(k, mountPoint);
  if (fstype === 'cgroup2') {
    k.dfl.mountPoints.push(mp);
    return k.dfl;
  }
  const o = parseV1Options(k, options);
  const same = o.name !== undefined
    ? k.hierarchies.find((h) => h.version === 1 && h.name === o.name)
    : k.hierarchies.find((h) => h.version === 1 && h.name === undefined && h.controllers.join() === o.controllers.join());
  if (same) {
    if (o.name !== undefined && !o.none && same.controllers.join() !== o.controllers.join()) {
      throw new CgroupError('EBUSY', 'mount', mountPoint, `hierarchy name=${o.name} exists with other controllers`);
    }
    same.mountPoints.push(mp);
    return same;
  }
  for (const c of o.controllers) canRebind(k, c, undefined);
  const id = Math.max(0, ...k.hierarchies.map((h) => h.id)) + 1;
  const h = new Hierarchy(id, 1, [], o.name, [mp], () => k.ino());
  k.hierarchies.push(h);
  if (o.releaseAgent !== undefined) h.releaseAgent = o.releaseAgent;
  h.root.cloneChildrenFlag = o.cloneChildren;
  for (const t of k.tasks.values()) {
    if (t.exited) continue;
    h.root.addTask(t);
    t.cgroups.set(h, h.root);
  }
  for (const c of o.controllers) moveCtrl(k, c, h);
  return h;
}

/**
 * umount: the mount point goes; a v1 hierarchy with only its root is then
 * destroyed and its controllers return to v2; one with children stays alive.
 */
export function umountCgroup(k: Kernel, mountPoint: string): void {
  const norm = '/' + splitPath(mountPoint, 'mount').join('/');
  const h = k.hierarchies.find((x) => x.mountPoints.includes(norm));
  if (!h) throw new CgroupError('EINVAL', 'mount', mountPoint, 'not a cgroup mount point');
  h.mountPoints = h.mountPoints.filter((m) => m !== norm);
  if (h.version === 2 || h.mountPoints.length > 0 || h.root.children.size > 0) return;
  for (const c of [...h.controllers]) moveCtrl(k, c, k.dfl);
  for (const t of h.root.tasks) t.cgroups.delete(h);
  k.hierarchies.splice(k.hierarchies.indexOf(h), 1);
}

/** mount -o remount,OPTIONS: rebinding needs a hierarchy with only its root (EBUSY), and the same name (EINVAL). */
export function remountCgroup(k: Kernel, mountPoint: string, options: string): void {
  const norm = '/' + splitPath(mountPoint, 'mount').join('/');
  const h = k.hierarchies.find((x) => x.version === 1 && x.mountPoints.includes(norm));
  if (!h) throw new CgroupError('EINVAL', 'mount', mountPoint, 'not a cgroup v1 mount point');
  const o = parseV1Options(k, options);
  if (o.name !== h.name) throw new CgroupError('EINVAL', 'mount', mountPoint, 'the hierarchy name cannot change');
  const add = o.controllers.filter((c) => !h.controllers.includes(c));
  const drop = h.controllers.filter((c) => !o.controllers.includes(c));
  if (add.length === 0 && drop.length === 0) return;
  if (h.root.children.size > 0) throw new CgroupError('EBUSY', 'mount', mountPoint, 'the hierarchy has child cgroups');
  for (const c of add) canRebind(k, c, h);
  for (const c of drop) moveCtrl(k, c, k.dfl);
  for (const c of add) moveCtrl(k, c, h);
}
