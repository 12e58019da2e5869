import type { CgroupView, ControllerDef, Css, HierVersion, TaskView } from '../core/controller.js';
import type { Task } from './task.js';

/** Owner and permission bits of a kernfs node. */
export interface Owner {
  uid: number;
  gid: number;
  mode: number;
}

/** A mounted (or once mounted) cgroup hierarchy. */
export class Hierarchy {
  readonly id: number;
  readonly version: HierVersion;
  /** Controllers bound here, in the kernel's order. */
  controllers: string[];
  readonly name: string | undefined;
  /** Where it is reachable; the first is the canonical mount point. */
  mountPoints: string[];
  readonly root: Cgroup;
  /** v1 `release_agent` (root only). */
  releaseAgent = '';

  constructor(id: number, version: HierVersion, controllers: string[], name: string | undefined, mountPoints: string[], nextIno: () => number) {
    this.id = id;
    this.version = version;
    this.controllers = controllers;
    this.name = name;
    this.mountPoints = mountPoints;
    this.root = new Cgroup(this, '', null, { uid: 0, gid: 0, mode: 0o555 }, nextIno());
  }

  get mountPoint(): string {
    return this.mountPoints[0] ?? '';
  }

  /** The `hierarchy-id:controllers:` prefix of a /proc/<pid>/cgroup line. */
  procLabel(v1Names: (c: string) => string): string {
    if (this.version === 2) return '0:';
    const names = this.controllers.map(v1Names);
    if (this.name !== undefined) names.push(`name=${this.name}`);
    return `${this.id}:${names.join(',')}`;
  }
}

export class CssImpl<S> implements Css<S> {
  readonly ctrl: string;
  readonly cgroup: Cgroup;
  readonly parent: CssImpl<S> | null;
  readonly def: ControllerDef<S>;
  state: S;

  constructor(def: ControllerDef<S>, cgroup: Cgroup, parent: CssImpl<S> | null, state: S) {
    this.def = def;
    this.ctrl = def.name;
    this.cgroup = cgroup;
    this.parent = parent;
    this.state = state;
  }

  children(): CssImpl<S>[] {
    const out: CssImpl<S>[] = [];
    for (const c of this.cgroup.children.values()) {
      const css = c.css.get(this.ctrl) as CssImpl<S> | undefined;
      if (css) out.push(css);
    }
    return out;
  }
}

/** One cgroup: a directory of a hierarchy. */
export class Cgroup implements CgroupView {
  readonly hier: Hierarchy;
  name: string;
  parent: Cgroup | null;
  readonly children = new Map<string, Cgroup>();
  /** Live threads that are members of exactly this cgroup; change it only through addTask/removeTask. */
  readonly tasks = new Set<Task>();
  /** Children that are populated (the kernel's nr_populated_*_children), kept as tasks come and go. */
  private nrPopulatedChildren = 0;
  /** Live descendants, kept by mkdir/rmdir (the kernel's nr_descendants). */
  nrDescendants = 0;
  /** Exited thread-group leaders (zombies) still associated with this cgroup. */
  readonly zombies = new Set<Task>();
  /** Controller states active in this cgroup. */
  readonly css = new Map<string, CssImpl<unknown>>();
  owner: Owner;
  /** Who made it: the default owner of its interface files (cgroup_kn_set_ugid). */
  readonly creator: { uid: number; gid: number };
  /** Owners of interface files that were chowned/chmodded (absent = default). */
  readonly fileOwners = new Map<string, Owner>();
  readonly ino: number;
  /** Inode numbers of interface files, assigned on first stat. */
  readonly fileInos = new Map<string, number>();
  dead = false;
  /** Removed, but zombies still pin it. */
  dying = false;
  /** Removed descendants still pinned by zombies. */
  nrDyingDescendants = 0;
  /** Their csses, by controller. */
  readonly nrDyingSubsys = new Map<string, number>();
  /** Controllers this cgroup had a css for when it was removed. */
  dyingCtrls: string[] = [];

  // cgroup v2 state
  readonly subtreeControl = new Set<string>();
  /**
   * The resource domain (the kernel's dom_cgrp): itself, or for a threaded
   * cgroup the thread root it joined. Stored, not derived: when an ancestor
   * turns threaded, threaded descendants move to the new domain while
   * domain ones keep their own (cgroup_enable_threaded).
   */
  domCgrp: Cgroup = this;

  /** `cgroup.type` is `threaded`. */
  get threaded(): boolean {
    return this.domCgrp !== this;
  }
  /** INT_MAX stands for `max`, as in the kernel. */
  maxDepth = 0x7fffffff;
  maxDescendants = 0x7fffffff;
  freezeSelf = false;
  /** CPU time of this cgroup's tasks and descendants' (v2 cpu.stat usage), ns; the scheduler adds to it. */
  cpuUsageNs = 0;
  /** The part of cpuUsageNs run at a positive nice value (cpu.stat nice_usec). */
  cpuNiceNs = 0;
  /** Core scheduling: time siblings were forced idle while this cgroup's tasks ran (cpu.stat core_sched.force_idle_usec), ns. */
  cpuForceIdleNs = 0;
  pressureOn = true;

  // cgroup v1 state
  notifyOnRelease = false;
  cloneChildrenFlag = false;
  /** cgroup.clone_children of the parent when this one was made. */
  readonly cloneChildren: boolean;

  constructor(hier: Hierarchy, name: string, parent: Cgroup | null, owner: Owner, ino: number) {
    this.hier = hier;
    this.name = name;
    this.parent = parent;
    this.owner = owner;
    this.creator = { uid: owner.uid, gid: owner.gid };
    this.ino = ino;
    this.cloneChildren = parent?.cloneChildrenFlag ?? false;
    if (parent) {
      this.notifyOnRelease = parent.notifyOnRelease;
      this.cloneChildrenFlag = parent.cloneChildrenFlag;
    }
  }

  /** Owner and mode of one of its interface files: as chowned/chmodded, else its creator with the file's default mode. */
  fileOwner(name: string, defaultMode: number): Owner {
    return this.fileOwners.get(name) ?? { uid: this.creator.uid, gid: this.creator.gid, mode: defaultMode };
  }

  get version(): HierVersion {
    return this.hier.version;
  }

  get isRoot(): boolean {
    return this.parent === null;
  }

  /** v2: freezing is hierarchical: this cgroup or an ancestor asked for it. */
  get frozenV2(): boolean {
    for (let c: Cgroup | null = this; c; c = c.parent) if (c.freezeSelf) return true;
    return false;
  }

  /** Path inside the hierarchy (`/` or `/a/b`). */
  get path(): string {
    if (!this.parent) return '/';
    const parts: string[] = [];
    for (let c: Cgroup | null = this; c && c.parent; c = c.parent) parts.push(c.name);
    return '/' + parts.reverse().join('/');
  }

  /** Absolute path under the hierarchy's mount point. */
  get fsPath(): string {
    return this.isRoot ? this.hier.mountPoint : this.hier.mountPoint + this.path;
  }

  threads(): readonly TaskView[] {
    return [...this.tasks];
  }

  subtreeThreads(): Task[] {
    const out: Task[] = [];
    for (const c of this.descendantsPre()) for (const t of c.tasks) out.push(t);
    return out;
  }

  get hasTasks(): boolean {
    return this.tasks.size > 0;
  }

  get populated(): boolean {
    return this.tasks.size > 0 || this.nrPopulatedChildren > 0;
  }

  /** Add a live task; returns this cgroup and the ancestors that became populated. */
  addTask(t: Task): Cgroup[] {
    if (this.tasks.has(t)) return [];
    const was = this.populated;
    this.tasks.add(t);
    if (was) return [];
    const flips: Cgroup[] = [this];
    for (let p = this.parent; p; p = p.parent) {
      const pw = p.populated;
      p.nrPopulatedChildren++;
      if (pw) break;
      flips.push(p);
    }
    return flips;
  }

  /** Remove a live task; returns this cgroup and the ancestors that became empty. */
  removeTask(t: Task): Cgroup[] {
    if (!this.tasks.delete(t) || this.populated) return [];
    const flips: Cgroup[] = [this];
    for (let p = this.parent; p; p = p.parent) {
      p.nrPopulatedChildren--;
      if (p.populated) break;
      flips.push(p);
    }
    return flips;
  }

  get nrChildren(): number {
    return this.children.size;
  }

  /** This cgroup and all its descendants, parents before children. */
  *descendantsPre(): Generator<Cgroup> {
    yield this;
    for (const c of this.children.values()) yield* c.descendantsPre();
  }

  /** Children-first order, for teardown. */
  *descendantsPost(): Generator<Cgroup> {
    for (const c of this.children.values()) yield* c.descendantsPost();
    yield this;
  }

  *ancestorsAndSelf(): Generator<Cgroup> {
    for (let c: Cgroup | null = this; c; c = c.parent) yield c;
  }

  get depth(): number {
    let d = 0;
    for (let c = this.parent; c; c = c.parent) d++;
    return d;
  }

  isDescendantOf(anc: Cgroup): boolean {
    for (let c: Cgroup | null = this; c; c = c.parent) if (c === anc) return true;
    return false;
  }

  /**
   * The css a task of this cgroup is charged to for `ctrl`: this cgroup's
   * own, else the nearest ancestor's (v2 controllers not enabled here).
   */
  effectiveCss(ctrl: string): CssImpl<unknown> | undefined {
    for (let c: Cgroup | null = this; c; c = c.parent) {
      const css = c.css.get(ctrl);
      if (css) return css;
    }
    return undefined;
  }

  /** Processes (thread-group ids) with a thread in this cgroup, in first-seen order. */
  procs(): number[] {
    const seen = new Set<number>();
    for (const t of this.tasks) seen.add(t.tgid);
    return [...seen];
  }
}
