import type { Socket } from 'node:net';
import { codeOfErrno } from '../core/errno.js';
import { CgroupError, type Syscall } from '../core/errors.js';
import type { CgroupFs, CgroupStat, DirEntry } from '../core/fs.js';

/** One answer from a worker: the fields of its JSON line. */
export type Reply = Record<string, unknown> & { errno?: number };

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The connection to one worker process (see `WORKER_SCRIPT`): requests answered in order. */
export class WorkerConn {
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  closed = false;

  constructor(readonly pid: number, private readonly socket: Socket, rest: string) {
    socket.on('data', (d: Buffer) => this.onData(d.toString()));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    if (rest !== '') this.onData(rest);
  }

  request(msg: Record<string, unknown>): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error(`worker ${this.pid} is gone`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${this.pid} did not answer ${String(msg.op)} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(`${JSON.stringify({ ...msg, id })}\n`);
    });
  }

  /** A request that gets no answer (`exit`). */
  send(msg: Record<string, unknown>): void {
    if (!this.closed) this.socket.write(`${JSON.stringify(msg)}\n`);
  }

  close(): void {
    this.socket.destroy();
    this.onClose();
  }

  private onData(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const reply = JSON.parse(line) as Reply & { id: number };
      const p = this.pending.get(reply.id);
      if (p === undefined) continue;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      p.resolve(reply);
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`worker ${this.pid} closed its connection`));
    }
    this.pending.clear();
  }
}

/** A reply's errno as the CgroupError the kernel's answer amounts to. */
export function replyError(r: Reply, syscall: Syscall, path?: string): CgroupError | undefined {
  if (r.errno === undefined) return undefined;
  return new CgroupError(codeOfErrno(r.errno) ?? 'EIO', syscall, path, `errno ${r.errno} from a test process`);
}

/** `CgroupFs` performed by a worker process: its credentials, its pid as "0". */
export class WorkerFs implements CgroupFs {
  constructor(private readonly conn: () => WorkerConn) {}

  private async call(op: string, syscall: Syscall, path: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    const r = await this.conn().request({ op, path, ...extra });
    const err = replyError(r, syscall, path);
    if (err !== undefined) throw err;
    return r;
  }

  async mkdir(path: string, mode = 0o777): Promise<void> { await this.call('mkdir', 'mkdir', path, { mode }); }
  async rmdir(path: string): Promise<void> { await this.call('rmdir', 'rmdir', path); }
  async readdir(path: string): Promise<string[]> {
    return (await this.readdirEntries(path)).map((e) => e.name);
  }
  async readdirEntries(path: string): Promise<DirEntry[]> {
    const r = await this.call('readdir', 'scandir', path);
    return (r.entries as [string, boolean][]).map(([name, isDirectory]) => ({ name, isDirectory }));
  }
  async readFile(path: string): Promise<string> {
    return (await this.call('read', 'read', path)).data as string;
  }
  async writeFile(path: string, data: string): Promise<void> { await this.call('write', 'write', path, { data }); }
  async stat(path: string): Promise<CgroupStat> {
    const r = await this.call('stat', 'stat', path);
    const mode = r.mode as number;
    const type = mode & 0o170000;
    return { isDirectory: type === 0o040000, isFile: type === 0o100000, mode: mode & 0o7777, uid: r.uid as number, gid: r.gid as number, ino: r.ino as number };
  }
  async chown(path: string, uid: number, gid: number): Promise<void> { await this.call('chown', 'chown', path, { uid, gid }); }
  async chmod(path: string, mode: number): Promise<void> { await this.call('chmod', 'chmod', path, { mode }); }
  async rename(from: string, to: string): Promise<void> { await this.call('rename', 'rename', from, { to }); }
}
