import type { AttachSet, CgroupView, ControllerDef, Css, HierVersion, IfaceFile, KernelServices, TaskView } from '../controller.js';
import { CgroupError } from '../errors.js';

/**
 * A small in-memory cgroup tree for exercising one controller table the way
 * the simulated kernel drives it: create + online on mkdir, parse ->
 * validate -> apply on write, can_fork/fork, can_attach/attach, exit and
 * release. Tests only; the model has its own tree.
 */

export interface FakeTask extends TaskView {
  rss: bigint;
}

export class FakeCgroup implements CgroupView {
  readonly version: HierVersion;
  readonly parent: FakeCgroup | null;
  readonly name: string;
  readonly kids: FakeCgroup[] = [];
  readonly tasks: FakeTask[] = [];
  cloneChildren = false;

  constructor(version: HierVersion, parent: FakeCgroup | null, name: string) {
    this.version = version;
    this.parent = parent;
    this.name = name;
  }

  get isRoot(): boolean { return this.parent === null; }
  get path(): string {
    if (!this.parent) return '/';
    return this.parent.isRoot ? `/${this.name}` : `${this.parent.path}/${this.name}`;
  }
  threads(): readonly TaskView[] { return this.tasks; }
  subtreeThreads(): readonly TaskView[] { return [...this.tasks, ...this.kids.flatMap((k) => k.subtreeThreads())]; }
  get populated(): boolean { return this.subtreeThreads().length > 0; }
  get nrChildren(): number { return this.kids.length; }
}

export class FakeCss<S> implements Css<S> {
  readonly ctrl: string;
  readonly cgroup: FakeCgroup;
  readonly parent: FakeCss<S> | null;
  readonly kids: FakeCss<S>[] = [];
  state!: S;

  constructor(ctrl: string, cgroup: FakeCgroup, parent: FakeCss<S> | null) {
    this.ctrl = ctrl;
    this.cgroup = cgroup;
    this.parent = parent;
  }

  children(): readonly FakeCss<S>[] { return this.kids; }
}

export class FakeKernel implements KernelServices {
  cpus: readonly number[] = [0, 1];
  mems: readonly number[] = [0];
  blockDevices: readonly string[] = ['253:0', '254:0'];
  memoryBytes = 8n << 30n;
  pageSize = 4096n;
  callerIsAdmin = true;
  readonly signals: [number, number][] = [];
  readonly frozen = new Map<string, Set<number>>();
  /** Called when a signal is sent (the harness kills the process). */
  onSignal: ((tgid: number, sig: number) => void) | undefined;

  signal(tgid: number, sig: number): void {
    this.signals.push([tgid, sig]);
    this.onSignal?.(tgid, sig);
  }
  setFrozenBy(key: string, tids: readonly number[], frozen: boolean): void {
    let s = this.frozen.get(key);
    if (!s) this.frozen.set(key, (s = new Set()));
    for (const t of tids) {
      if (frozen) s.add(t);
      else s.delete(t);
    }
  }
  isFrozen(tid: number): boolean {
    for (const s of this.frozen.values()) if (s.has(tid)) return true;
    return false;
  }
}

/** The errno code of a thrown CgroupError, 'OK' when `fn` returns. */
export function errnoOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof CgroupError) return e.code;
    throw e;
  }
}

let nextTid = 1000;

export function task(opts: Partial<FakeTask> = {}): FakeTask {
  const tid = opts.tid ?? nextTid++;
  return { tid, tgid: opts.tgid ?? tid, uid: opts.uid ?? 0, rss: opts.rss ?? 0n, kernelThread: opts.kernelThread ?? false };
}

export class Harness<S> {
  readonly def: ControllerDef<S>;
  readonly version: HierVersion;
  readonly k: FakeKernel;
  readonly root: FakeCss<S>;

  constructor(def: ControllerDef<S>, version: HierVersion, k: FakeKernel = new FakeKernel()) {
    this.def = def;
    this.version = version;
    this.k = k;
    k.onSignal = (tgid, sig) => {
      if (sig === 9) this.killProcess(tgid);
    };
    this.root = this.makeCss(new FakeCgroup(version, null, ''), null);
  }

  private makeCss(cg: FakeCgroup, parent: FakeCss<S> | null): FakeCss<S> {
    const css = new FakeCss<S>(this.def.name, cg, parent);
    css.state = this.def.create(parent, cg, this.k);
    if (parent) parent.kids.push(css);
    this.def.online?.(css, this.k);
    return css;
  }

  mkdir(parent: FakeCss<S>, name: string, opts: { cloneChildren?: boolean } = {}): FakeCss<S> {
    const cg = new FakeCgroup(this.version, parent.cgroup, name);
    cg.cloneChildren = opts.cloneChildren ?? false;
    parent.cgroup.kids.push(cg);
    return this.makeCss(cg, parent);
  }

  rmdir(css: FakeCss<S>): void {
    if (css.cgroup.populated || css.kids.length > 0) throw new CgroupError('EBUSY', 'rmdir');
    this.def.offline?.(css, this.k);
    const p = css.parent!;
    p.kids.splice(p.kids.indexOf(css), 1);
    p.cgroup.kids.splice(p.cgroup.kids.indexOf(css.cgroup), 1);
  }

  file(css: FakeCss<S>, name: string): IfaceFile<S> {
    const f = this.def.files.find((x) => x.name === name && x.versions.includes(this.version) &&
      (x.where === 'nonRoot' ? !css.cgroup.isRoot : x.where === 'rootOnly' ? css.cgroup.isRoot : true));
    if (!f) throw new CgroupError('ENOENT', 'open', name);
    return f;
  }

  /** Names of the files this css shows. */
  fileNames(css: FakeCss<S>): string[] {
    return this.def.files
      .filter((x) => x.versions.includes(this.version) && (x.where === 'nonRoot' ? !css.cgroup.isRoot : x.where === 'rootOnly' ? css.cgroup.isRoot : true))
      .map((f) => f.name).sort();
  }

  read(css: FakeCss<S>, name: string): string {
    const f = this.file(css, name);
    if (!f.read) throw new CgroupError('EINVAL', 'read', name);
    return f.read(css, this.k);
  }

  write(css: FakeCss<S>, name: string, text: string): void {
    const f = this.file(css, name);
    if (!f.apply) throw new CgroupError('EINVAL', 'write', name);
    const v = f.parse ? f.parse(text, css) : text;
    f.validate?.(css, v, this.k);
    f.apply(css, v, this.k);
  }

  /** 'OK' or the errno code of a write. */
  tryWrite(css: FakeCss<S>, name: string, text: string): string {
    return errnoOf(() => this.write(css, name, text));
  }

  /** fork(): can_fork, then the task joins and fork runs. */
  fork(css: FakeCss<S>, t: FakeTask = task()): FakeTask {
    this.def.canFork?.(css, this.k);
    css.cgroup.tasks.push(t);
    this.def.fork?.(css, t, this.k);
    return t;
  }

  /** Move tasks from wherever they are into `dst`. */
  move(dst: FakeCss<S>, tasks: readonly FakeTask[], wholeProcess = true): void {
    const set: AttachSet = { tasks, wholeProcess };
    this.def.canAttach?.(dst, set, this.k);
    const bySrc = new Map<FakeCss<S>, FakeTask[]>();
    for (const t of tasks) {
      const src = this.cssOf(t);
      if (!src) throw new Error(`task ${t.tid} is in no cgroup`);
      src.cgroup.tasks.splice(src.cgroup.tasks.indexOf(t), 1);
      dst.cgroup.tasks.push(t);
      bySrc.set(src, [...(bySrc.get(src) ?? []), t]);
    }
    for (const [src, list] of bySrc) this.def.attach?.(dst, src, { tasks: list, wholeProcess }, this.k);
  }

  /** exit + release of one thread. */
  exit(t: FakeTask): void {
    const css = this.cssOf(t);
    if (!css) return;
    css.cgroup.tasks.splice(css.cgroup.tasks.indexOf(t), 1);
    this.def.exit?.(css, t, this.k);
    this.def.release?.(css, t, this.k);
  }

  killProcess(tgid: number): void {
    for (const t of this.allTasks().filter((x) => x.tgid === tgid)) this.exit(t);
  }

  allCss(from: FakeCss<S> = this.root): FakeCss<S>[] {
    return [from, ...from.kids.flatMap((c) => this.allCss(c))];
  }

  allTasks(): FakeTask[] {
    return this.root.cgroup.subtreeThreads() as FakeTask[];
  }

  cssOf(t: TaskView): FakeCss<S> | undefined {
    return this.allCss().find((c) => c.cgroup.tasks.some((x) => x.tid === t.tid));
  }
}
