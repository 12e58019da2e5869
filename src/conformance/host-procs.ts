import { spawn as spawnChild } from 'node:child_process';
import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import type { ProcessAdapter, Signal, SpawnOptions, TaskState } from './adapter.js';
import { hasExited, procStat, stateOf, waitFor } from './procfs.js';
import { WORKER_SCRIPT } from './worker-script.js';
import { WorkerConn, WorkerFs, replyError } from './worker-conn.js';

const HELLO_TIMEOUT_MS = 10_000;

/** The first Python 3 found, or undefined. */
export async function findPython(): Promise<string | undefined> {
  const dirs = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':').filter((d) => d !== '')];
  for (const d of dirs) {
    const p = `${d}/python3`;
    try {
      await access(p);
      return p;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Real processes for the host backend. Each is a worker (see
 * `WORKER_SCRIPT`) connected to this adapter over a Unix socket.
 * Every process made here is tracked with its start time, so a signal only
 * ever goes to the very process this adapter made, never to a reused pid.
 */
export class HostProcs implements ProcessAdapter {
  private readonly conns = new Map<number, WorkerConn>();
  private readonly waiters = new Map<number, (c: WorkerConn) => void>();
  /** pid -> start time, for every process made here. */
  private readonly tracked = new Map<number, string>();
  /** tid -> its process. */
  private readonly threadOwner = new Map<number, number>();

  private constructor(private readonly server: Server, private readonly dir: string, private readonly socketPath: string, private readonly python: string) {
    server.on('connection', (s) => this.onConnection(s));
  }

  /**
   * Listen on a Unix socket in a fresh private directory; the directory is
   * searchable and the socket writable by all, so workers running as
   * another uid can connect.
   */
  static async start(python: string): Promise<HostProcs> {
    const dir = await mkdtemp(join(tmpdir(), 'cgkit-conformance-'));
    await chmod(dir, 0o711);
    const path = join(dir, 'workers.sock');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o666);
    server.unref();
    return new HostProcs(server, dir, path, python);
  }

  async spawn(opts: SpawnOptions = {}): Promise<number> {
    const uid = opts.uid ?? -1;
    const gid = opts.gid ?? opts.uid ?? -1;
    const child = spawnChild(this.python, ['-c', WORKER_SCRIPT, this.socketPath, String(uid), String(gid)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((r) => child.once('error', r));
      throw err;
    }
    child.on('error', () => undefined);
    await this.track(pid);
    await this.hello(pid);
    return pid;
  }

  async fork(pid: number): Promise<number> {
    const r = await this.conn(pid).request({ op: 'fork' });
    const err = replyError(r, 'fork');
    if (err !== undefined) throw err;
    const child = r.pid as number;
    await this.track(child);
    await this.hello(child);
    return child;
  }

  async thread(pid: number): Promise<number> {
    const r = await this.conn(pid).request({ op: 'thread' });
    const err = replyError(r, 'clone');
    if (err !== undefined) throw err;
    const tid = r.tid as number;
    this.threadOwner.set(tid, pid);
    return tid;
  }

  async exit(pid: number): Promise<void> {
    this.conn(pid).send({ op: 'exit', code: 0 });
    await waitFor(`process ${pid} to exit`, () => hasExited(pid));
  }

  async exitThread(tid: number): Promise<void> {
    const pid = this.threadOwner.get(tid);
    if (pid === undefined) throw new Error(`${tid} is not a thread made by this suite`);
    const r = await this.conn(pid).request({ op: 'exit_thread', tid });
    const err = replyError(r, 'kill');
    if (err !== undefined) throw err;
    await waitFor(`thread ${tid} to exit`, async () => (await procStat(`/proc/${pid}/task/${tid}/stat`)) === undefined);
  }

  async kill(pid: number, signal: Signal): Promise<void> {
    if (!(await this.isOurs(pid))) throw new Error(`refusing to signal ${pid}: not a live process of this suite`);
    process.kill(pid, signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await waitFor(`process ${pid} to die`, () => hasExited(pid));
    else if (signal === 'SIGSTOP') await waitFor(`process ${pid} to stop`, async () => (await this.state(pid)) === 'stopped');
    else await waitFor(`process ${pid} to continue`, async () => (await this.state(pid)) !== 'stopped');
  }

  async reap(parent: number, child: number): Promise<void> {
    const r = await this.conn(parent).request({ op: 'reap', pid: child });
    const err = replyError(r, 'kill');
    if (err !== undefined) throw err;
    await waitFor(`process ${child} to be reaped`, async () => (await this.state(child)) === 'gone');
  }

  async state(pid: number): Promise<TaskState> {
    const s = await procStat(`/proc/${pid}/stat`);
    if (s === undefined || s.startTime !== this.tracked.get(pid)) return 'gone';
    return stateOf(s);
  }

  async charge(pid: number, bytes: number): Promise<void> {
    try {
      await this.conn(pid).request({ op: 'alloc', bytes });
    } catch (e) {
      // The memory cgroup's OOM killer chose this very process. Its socket
      // closes as the kill lands, a moment before the exit completes.
      const died = await waitFor(`process ${pid} to finish exiting`, () => hasExited(pid), 5000).then(() => true, () => false);
      if (died) throw new CgroupError('ENOMEM', 'write', undefined, `process ${pid} was killed charging ${bytes} bytes`);
      throw e;
    }
  }

  as(pid: number): CgroupFs {
    return new WorkerFs(() => this.conn(pid));
  }

  async releaseAll(): Promise<void> {
    const pids = [...this.tracked.keys()];
    for (const pid of pids) {
      if (await this.isOurs(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone between the check and the signal
        }
      }
    }
    for (const pid of pids) {
      // A zombie child of a killed worker is reparented and reaped by init.
      await waitFor(`process ${pid} to be gone`, async () => (await this.state(pid)) === 'gone', 10_000);
    }
    for (const pid of pids) {
      this.conns.get(pid)?.close();
      this.conns.delete(pid);
      this.tracked.delete(pid);
    }
    this.threadOwner.clear();
  }

  async close(): Promise<void> {
    await this.releaseAll();
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Alive (or stopped), and the same process this adapter made. */
  private async isOurs(pid: number): Promise<boolean> {
    const st = await this.state(pid);
    return st === 'alive' || st === 'stopped';
  }

  private async track(pid: number): Promise<void> {
    const s = await procStat(`/proc/${pid}/stat`);
    if (s === undefined) throw new Error(`test process ${pid} died at start`);
    this.tracked.set(pid, s.startTime);
  }

  private conn(pid: number): WorkerConn {
    const c = this.conns.get(pid);
    if (c === undefined) throw new Error(`no test process ${pid}`);
    return c;
  }

  private hello(pid: number): Promise<WorkerConn> {
    const have = this.conns.get(pid);
    if (have !== undefined) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(pid);
        reject(new Error(`test process ${pid} did not connect within ${HELLO_TIMEOUT_MS} ms`));
      }, HELLO_TIMEOUT_MS);
      this.waiters.set(pid, (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  private onConnection(s: Socket): void {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      s.off('data', onData);
      const { hello } = JSON.parse(buf.slice(0, nl)) as { hello: number };
      const conn = new WorkerConn(hello, s, buf.slice(nl + 1));
      this.conns.set(hello, conn);
      const w = this.waiters.get(hello);
      this.waiters.delete(hello);
      w?.(conn);
    };
    s.on('data', onData);
  }
}
