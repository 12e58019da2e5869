import type { CgroupFs } from '../core/fs.js';
import type { Backend, Signal, SpawnOptions, TaskState } from './adapter.js';
import { DOMAIN_CONTROLLERS, Proc, type CaseContext, type Ops, type Outcome } from './case.js';
import { Recorder, errnoOutcome, isPidListFile } from './recorder.js';

/** Pids above PID_MAX_LIMIT cannot exist: cases use one to provoke ESRCH. */
export const NO_SUCH_PID = '99999999';

/**
 * The context a case runs in: paths resolved against the case's base groups,
 * every operation recorded and checked (never thrown), tasks named in order
 * of creation.
 */
export class Context extends Recorder implements CaseContext {
  readonly v2Controllers: readonly string[];
  /** Every controller bound to v2 (the root's cgroup.controllers). */
  readonly v2Bound: readonly string[];
  private readonly rootOps: Ops;
  private procCount = 0;
  private threadCount = 0;

  constructor(
    private readonly backend: Backend,
    /** '' for the v2 base, a controller name for a v1 base -> absolute path. */
    bases: Map<string, string>,
    baseName: string,
  ) {
    super(bases, baseName);
    this.v2Controllers = backend.v2Controllers;
    this.v2Bound = backend.v2Bound;
    this.rootOps = this.opsFor(backend.fs, '', true);
  }

  mkdir(path: string, expect?: Outcome): Promise<Outcome> { return this.rootOps.mkdir(path, expect); }
  rmdir(path: string, expect?: Outcome): Promise<Outcome> { return this.rootOps.rmdir(path, expect); }
  write(path: string, data: string | Proc, expect?: Outcome): Promise<Outcome> { return this.rootOps.write(path, data, expect); }
  read(path: string, expect?: Outcome): Promise<Outcome> { return this.rootOps.read(path, expect); }
  readdir(path: string, expect?: Outcome, prefix?: string): Promise<Outcome> { return this.rootOps.readdir(path, expect, prefix); }
  stat(path: string, expect?: Outcome): Promise<Outcome> { return this.rootOps.stat(path, expect); }
  chown(path: string, uid: number, gid: number, expect?: Outcome): Promise<Outcome> { return this.rootOps.chown(path, uid, gid, expect); }
  chmod(path: string, mode: number, expect?: Outcome): Promise<Outcome> { return this.rootOps.chmod(path, mode, expect); }
  rename(from: string, to: string, expect?: Outcome): Promise<Outcome> { return this.rootOps.rename(from, to, expect); }

  as(p: Proc): Ops {
    return this.opsFor(this.backend.procs.as(p.pid), `as ${p.name}: `, false);
  }

  domainController(): string | undefined {
    return DOMAIN_CONTROLLERS.find((c) => this.v2Controllers.includes(c));
  }

  async spawn(cgroup?: string, opts: SpawnOptions & { expect?: Outcome } = {}): Promise<Proc> {
    const { expect, ...spawnOpts } = opts;
    const pid = await this.backend.procs.spawn(spawnOpts);
    const p = this.register(pid, 'process');
    const who = spawnOpts.uid === undefined ? '' : ` uid=${spawnOpts.uid} gid=${spawnOpts.gid ?? spawnOpts.uid}`;
    this.log(`spawn ${p.name}${who}`);
    if (cgroup !== undefined) await this.move(p, cgroup, expect ?? 'ok');
    return p;
  }

  move(p: Proc, cgroup: string, expect?: Outcome): Promise<Outcome> {
    return this.write(joinRel(cgroup, 'cgroup.procs'), p, expect);
  }

  async fork(p: Proc, expect?: Outcome): Promise<Proc | Outcome> {
    try {
      const pid = await this.backend.procs.fork(p.pid);
      const child = this.register(pid, 'process');
      this.step(`fork ${p.name} -> ${child.name}`, 'ok', expect);
      return child;
    } catch (e) {
      const code = errnoOutcome(e);
      this.step(`fork ${p.name}`, code, expect);
      return code;
    }
  }

  async thread(p: Proc, expect?: Outcome): Promise<Proc | Outcome> {
    try {
      const tid = await this.backend.procs.thread(p.pid);
      const t = this.register(tid, 'thread', p);
      this.step(`thread ${p.name} -> ${t.name}`, 'ok', expect);
      return t;
    } catch (e) {
      const code = errnoOutcome(e);
      this.step(`thread ${p.name}`, code, expect);
      return code;
    }
  }

  async exit(p: Proc): Promise<void> {
    if (p.kind === 'thread') await this.backend.procs.exitThread(p.pid);
    else await this.backend.procs.exit(p.pid);
    this.log(`exit ${p.name}`);
  }

  async kill(p: Proc, signal: Signal): Promise<void> {
    await this.backend.procs.kill(p.pid, signal);
    this.log(`kill ${p.name} ${signal}`);
  }

  async reap(parent: Proc, child: Proc): Promise<void> {
    await this.backend.procs.reap(parent.pid, child.pid);
    this.log(`reap ${parent.name} ${child.name}`);
  }

  async charge(p: Proc, bytes: number, expect?: Outcome): Promise<Outcome> {
    return this.op(`charge ${p.name} ${bytes}`, expect, () => this.backend.procs.charge(p.pid, bytes));
  }

  async state(p: Proc, expect?: TaskState): Promise<TaskState> {
    const s = await this.backend.procs.state(p.pid);
    this.step(`state ${p.name}`, s, expect);
    return s;
  }

  async procCgroup(p: Proc, expect?: Outcome): Promise<Outcome> {
    const path = `/proc/${p.pid}/cgroup`;
    const out = await this.attempt(() => this.backend.fs.readFile(path));
    const norm = out.ok ? this.cgroupLines(out.value) : out.code;
    this.step(`cgroup-of ${p.name}`, JSON.stringify(norm), expect === undefined ? undefined : JSON.stringify(expect));
    return norm;
  }

  async poll(path: string, expected: Outcome, timeoutMs = 5000): Promise<Outcome> {
    const abs = this.resolve(path);
    const deadline = Date.now() + timeoutMs;
    let got: Outcome;
    for (;;) {
      const out = await this.attempt(() => this.backend.fs.readFile(abs));
      got = out.ok ? this.normalize(abs, path, out.value) : out.code;
      if (got === expected || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    this.step(`poll ${path}`, JSON.stringify(got), JSON.stringify(expected));
    return got;
  }

  async readKeys(path: string, expect?: Outcome): Promise<Outcome> {
    return this.readWith(path, 'keys', (s) => s.split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]).join(' '), expect);
  }

  async readWith(path: string, label: string, derive: (content: string) => string, expect?: Outcome): Promise<Outcome> {
    const out = await this.attempt(() => this.backend.fs.readFile(this.resolve(path)));
    const got = out.ok ? derive(out.value) : out.code;
    this.step(`read ${path} (${label})`, JSON.stringify(got), expect === undefined ? undefined : JSON.stringify(expect));
    return got;
  }

  check(label: string, actual: string, expect: Outcome): void {
    this.step(`check ${label}`, JSON.stringify(actual), JSON.stringify(expect));
  }

  private register(pid: number, kind: 'process' | 'thread', leader?: Proc): Proc {
    const name = kind === 'process' ? `p${++this.procCount}` : `t${++this.threadCount}`;
    const p = new Proc(name, pid, kind, leader);
    this.names.set(pid, name);
    return p;
  }

  private opsFor(fs: CgroupFs, who: string, root: boolean): Ops {
    return {
      mkdir: (path, expect) => this.op(`${who}mkdir ${path}`, expect, () => fs.mkdir(this.resolve(path))),
      rmdir: (path, expect) => this.op(`${who}rmdir ${path}`, expect, () => fs.rmdir(this.resolve(path))),
      write: (path, data, expect) => {
        const text = data instanceof Proc ? String(data.pid) : data;
        this.guardWrite(path, text, root);
        const shown = data instanceof Proc ? data.name : JSON.stringify(data);
        return this.op(`${who}write ${path} ${shown}`, expect, () => fs.writeFile(this.resolve(path), text));
      },
      read: (path, expect) => this.readOp(`${who}read ${path}`, expect, async () => {
        const abs = this.resolve(path);
        return this.normalize(abs, path, await fs.readFile(abs));
      }),
      readdir: (path, expect, prefix) => this.readOp(`${who}readdir ${path}${prefix === undefined ? '' : ` ${prefix}*`}`, expect, async () => {
        const names = (await fs.readdir(this.resolve(path))).filter((n) => prefix === undefined || n.startsWith(prefix));
        return names.sort().join(' ');
      }),
      stat: (path, expect) => this.readOp(`${who}stat ${path}`, expect, async () => {
        const s = await fs.stat(this.resolve(path));
        return `${s.isDirectory ? 'dir' : 'file'} ${s.mode.toString(8)} ${s.uid}:${s.gid}`;
      }),
      chown: (path, uid, gid, expect) => this.op(`${who}chown ${path} ${uid}:${gid}`, expect, () => fs.chown(this.resolve(path), uid, gid)),
      chmod: (path, mode, expect) => this.op(`${who}chmod ${path} ${mode.toString(8)}`, expect, () => fs.chmod(this.resolve(path), mode)),
      rename: (from, to, expect) => this.op(`${who}rename ${from} ${to}`, expect, () => fs.rename(this.resolve(from), this.resolve(to))),
    };
  }

  /**
   * Host safety: a pid written to a pid-list file must be a task of this case
   * (or one that cannot exist); `0` only from a task acting for itself.
   */
  private guardWrite(path: string, text: string, root: boolean): void {
    if (!isPidListFile(path)) return;
    const t = text.trim();
    if (!/^\d+$/.test(t)) return;
    const n = Number(t);
    if (n === 0 && !root) return;
    if (this.names.has(n) || t === NO_SUCH_PID) return;
    throw new Error(`conformance case tried to move pid ${t}, which it did not create (${path})`);
  }
}

export function joinRel(dir: string, file: string): string {
  if (dir === '' || dir.endsWith(':')) return `${dir}${file}`;
  return `${dir}/${file}`;
}
