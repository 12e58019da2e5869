/**
 * A scratch css for checking setting writes against the controller tables
 * before anything reaches a real group: a fresh non-root css whose parent
 * is a fresh root css, with the state the table's `create` gives. A write
 * runs the table's parse, validate and apply on it, so a sequence of
 * writes is checked in order (cpu.max after cpu.max.burst sees the burst).
 * Nothing here does I/O.
 */
import type { CgroupView, Css, HierVersion, IfaceFile, KernelServices, TaskView } from '../core/controller.js';
import { controllerByName, type AnyControllerDef } from '../core/controllers/index.js';
import { CgroupError } from '../core/errors.js';

/** CPUs and memory nodes the checks assume (cpuset lists are refused past them). */
export interface Machine {
  readonly cpus: readonly number[];
  readonly mems: readonly number[];
}

const range = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);

/** Without a machine: CPUs 0..1023 and nodes 0..63, wide enough for any host cgkit runs on. */
export const DEFAULT_MACHINE: Machine = { cpus: range(1024), mems: range(64) };

class ProbeCgroup implements CgroupView {
  readonly threads = (): readonly TaskView[] => [];
  readonly subtreeThreads = (): readonly TaskView[] => [];
  readonly populated = false;
  readonly cloneChildren = false;
  nrChildren = 0;
  constructor(readonly version: HierVersion, readonly isRoot: boolean, readonly path: string) {}
}

class ProbeCss implements Css<unknown> {
  readonly kids: ProbeCss[] = [];
  state: unknown;
  constructor(readonly ctrl: string, readonly cgroup: ProbeCgroup, readonly parent: ProbeCss | null) {}
  children(): readonly ProbeCss[] {
    return this.kids;
  }
}

function services(m: Machine): KernelServices {
  return {
    cpus: m.cpus,
    mems: m.mems,
    blockDevices: [],
    memoryBytes: 1n << 40n,
    pageSize: 4096n,
    signal: () => undefined,
    setFrozenBy: () => undefined,
    isFrozen: () => false,
    callerIsAdmin: true,
  };
}

/** One controller's scratch group on one hierarchy version. */
export class Probe {
  readonly def: AnyControllerDef;
  readonly css: Css<unknown>;
  readonly k: KernelServices;

  constructor(readonly controller: string, readonly version: HierVersion, machine: Machine = DEFAULT_MACHINE) {
    const def = controllerByName.get(controller);
    if (!def) throw new RangeError(`no controller table for '${controller}'`);
    this.def = def;
    this.k = services(machine);
    const rootCg = new ProbeCgroup(version, true, '/');
    const root = new ProbeCss(def.name, rootCg, null);
    root.state = def.create(null, rootCg, this.k);
    def.online?.(root, this.k);
    const cg = new ProbeCgroup(version, false, '/probe');
    const css = new ProbeCss(def.name, cg, root);
    css.state = def.create(root, cg, this.k);
    root.kids.push(css);
    rootCg.nrChildren = 1;
    def.online?.(css, this.k);
    this.css = css;
  }

  /** The table entry of `file` on this version, when the controller has one. */
  file(name: string): IfaceFile<unknown> | undefined {
    return this.def.files.find((f) => f.name === name && f.versions.includes(this.version));
  }

  /**
   * parse, validate and apply `text` as a write of `file`, like the kernel
   * does; a refusal is the table's CgroupError with its errno. Returns the
   * parsed value.
   */
  write(name: string, text: string): unknown {
    const f = this.file(name);
    if (!f?.apply) throw new CgroupError('ENOTSUP', 'write', name, `cgroup v${this.version} has no writable ${name}`);
    const v = f.parse ? f.parse(text, this.css) : text;
    f.validate?.(this.css, v, this.k);
    f.apply(this.css, v, this.k);
    return v;
  }
}
