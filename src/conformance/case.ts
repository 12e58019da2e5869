import type { Signal, SpawnOptions, TaskState } from './adapter.js';

/**
 * A conformance case: one kernel rule, checked by a short script of
 * filesystem and process operations. Every operation is recorded in a
 * transcript (contents normalized, errors as errno codes); the case states
 * what it expects inline, and where the host ran too, both transcripts must
 * be identical.
 */
export interface Case {
  /** Unique, `area/what` (`v2-threaded/procs-unreadable`). */
  id: string;
  title: string;
  /** The kernel rule the case checks, in one sentence. */
  rule: string;
  needs: Needs;
  run(c: CaseContext): Promise<void>;
}

export interface Needs {
  /** The cgroup v2 hierarchy. */
  v2?: true;
  /** Controllers the v2 root must offer. */
  v2Controllers?: string[];
  /** A domain controller on the v2 root (see `DOMAIN_CONTROLLERS`), for the no-internal-process rule. */
  v2Domain?: true;
  /** v1 hierarchies, by controller. */
  v1?: string[];
}

/**
 * A task made by the case. Its name (`p1`, `t1`) stands for its pid in
 * transcripts; `${p}` in a template gives the name, which is how expected
 * `cgroup.procs` contents are written.
 */
export class Proc {
  constructor(
    readonly name: string,
    readonly pid: number,
    readonly kind: 'process' | 'thread',
    /** For a thread, its process. */
    readonly leader?: Proc,
  ) {}

  toString(): string {
    return this.name;
  }
}

/**
 * The outcome of one operation: `'ok'`, an errno code (`'EBUSY'`), or for
 * reads the normalized content. Expected values are given the same way.
 */
export type Outcome = string;

/**
 * Paths are relative to the case's base group: `a/b/cgroup.procs` in the v2
 * hierarchy, `cpu:a/cpu.shares` in the v1 hierarchy of `cpu`, `cpu:` for the
 * v1 base itself, `''` for the v2 base. `/proc/...` paths are absolute.
 */
export interface Ops {
  mkdir(path: string, expect?: Outcome): Promise<Outcome>;
  rmdir(path: string, expect?: Outcome): Promise<Outcome>;
  /** One write(2). A `Proc` is written as its pid. */
  write(path: string, data: string | Proc, expect?: Outcome): Promise<Outcome>;
  /** Content, normalized: in pid-list files each pid is replaced by its name (v2 lists sorted by name). */
  read(path: string, expect?: Outcome): Promise<Outcome>;
  /** Entry names, sorted; `prefix` keeps only names starting with it. */
  readdir(path: string, expect?: Outcome, prefix?: string): Promise<Outcome>;
  /** `dir 755 0:0` / `file 644 1000:1000`. */
  stat(path: string, expect?: Outcome): Promise<Outcome>;
  chown(path: string, uid: number, gid: number, expect?: Outcome): Promise<Outcome>;
  chmod(path: string, mode: number, expect?: Outcome): Promise<Outcome>;
  rename(from: string, to: string, expect?: Outcome): Promise<Outcome>;
}

export interface CaseContext extends Ops {
  /** The same operations with a task's credentials (on the host: performed by that process). */
  as(p: Proc): Ops;
  /** What the v2 root offers. */
  readonly v2Controllers: readonly string[];
  readonly v2Bound: readonly string[];
  /**
   * A new process (optionally with uid/gid), then moved into `cgroup` by
   * writing its pid to that group's `cgroup.procs` as root (spawn-then-move).
   * `expect` is the outcome of that move.
   */
  spawn(cgroup?: string, opts?: SpawnOptions & { expect?: Outcome }): Promise<Proc>;
  /** Write the task's pid to `<cgroup>/cgroup.procs` as root. */
  move(p: Proc, cgroup: string, expect?: Outcome): Promise<Outcome>;
  /** A child of `p`; an errno code when the kernel refuses the fork. */
  fork(p: Proc, expect?: Outcome): Promise<Proc | Outcome>;
  /** A new thread of `p`; an errno code when refused. */
  thread(p: Proc, expect?: Outcome): Promise<Proc | Outcome>;
  exit(p: Proc): Promise<void>;
  kill(p: Proc, signal: Signal): Promise<void>;
  reap(parent: Proc, child: Proc): Promise<void>;
  state(p: Proc, expect?: TaskState): Promise<TaskState>;
  /** `p` touches `bytes` of new memory (charged to its memory cgroup); ENOMEM when it is OOM-killed for it. */
  charge(p: Proc, bytes: number, expect?: Outcome): Promise<Outcome>;
  /** The lines of `/proc/<pid>/cgroup` that name the case's groups, base shown as `<base>`. */
  procCgroup(p: Proc, expect?: Outcome): Promise<Outcome>;
  /** Read until the content equals `expected` (asynchronous kernel work: freezing) or time runs out. */
  poll(path: string, expected: Outcome, timeoutMs?: number): Promise<Outcome>;
  /** The keys of a flat keyed file, space separated, in file order. */
  readKeys(path: string, expect?: Outcome): Promise<Outcome>;
  /** A value derived from a file's content (for contents that vary run to run). */
  readWith(path: string, label: string, derive: (content: string) => string, expect?: Outcome): Promise<Outcome>;
  /** Record and check a value the case computed itself. */
  check(label: string, actual: string, expect: Outcome): void;
  /** A domain controller the v2 root offers (hugetlb, memory or io), or undefined. */
  domainController(): string | undefined;
}

/** A domain (non-threaded) v2 controller, in order of preference. */
export const DOMAIN_CONTROLLERS = ['hugetlb', 'memory', 'io', 'rdma', 'misc'] as const;

/** The task a `fork`/`thread` made; a refusal there means the case cannot go on. */
export function must(x: Proc | Outcome): Proc {
  if (x instanceof Proc) return x;
  throw new Error(`expected a new task, the kernel said ${x}`);
}
