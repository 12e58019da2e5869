/**
 * For tests of the process-event connector without a kernel: datagrams in
 * the kernel's layout (proc-events-wire.ts) and a {@link NetlinkSys} that
 * serves queued datagrams and records what was sent and closed.
 */
import type { NetlinkSys } from './proc-events-sys.js';
import { CN_IDX_PROC, CN_MSG_LEN, CN_VAL_PROC, HOST_LE, NLMSG_HDRLEN, PROC_EVENT_LEN } from './proc-events-wire.js';

/** One connector message carrying a struct proc_event: `what` and the union's 32-bit words. */
export function eventDatagram(what: number, words: number[], opts: { ack?: number; idx?: number; timestampNs?: bigint; cpu?: number; le?: boolean } = {}): Uint8Array {
  const le = opts.le ?? HOST_LE;
  const len = NLMSG_HDRLEN + CN_MSG_LEN + PROC_EVENT_LEN;
  const buf = new Uint8Array(len);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, len, le);
  dv.setUint16(4, 3, le); // NLMSG_DONE
  dv.setUint32(16, opts.idx ?? CN_IDX_PROC, le);
  dv.setUint32(20, CN_VAL_PROC, le);
  dv.setUint32(28, opts.ack ?? 0, le);
  dv.setUint16(32, PROC_EVENT_LEN, le);
  dv.setUint32(36, what >>> 0, le);
  dv.setUint32(40, opts.cpu ?? 0, le);
  dv.setBigUint64(44, opts.timestampNs ?? 0n, le);
  words.forEach((w, i) => dv.setInt32(52 + 4 * i, w | 0, le));
  return buf;
}

export const fork = (parentPid: number, parentTgid: number, childPid: number, childTgid: number): Uint8Array =>
  eventDatagram(0x1, [parentPid, parentTgid, childPid, childTgid]);
export const exec = (pid: number, tgid: number): Uint8Array => eventDatagram(0x2, [pid, tgid]);
export const exit = (pid: number, tgid: number, exitCode = 0, exitSignal = 17, parentPid = 1, parentTgid = 1): Uint8Array =>
  eventDatagram(0x80000000, [pid, tgid, exitCode, exitSignal, parentPid, parentTgid]);
export const ack = (ackNo: number, err = 0): Uint8Array => eventDatagram(0, [err], { ack: ackNo });

/** Concatenate datagrams into one (several netlink messages in one receive). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

type Item = { bytes: Uint8Array; portid: number } | { errno: number };

/**
 * A kernel in a box. `onListen` answers LISTEN (default: acknowledge with
 * err 0; undefined: stay silent). Descriptors: 10 (socket), 11 (eventfd).
 */
export class FakeNetlink implements NetlinkSys {
  socketResult = 10;
  eventfdResult = 11;
  bindResult = 0;
  onListen: ((ackNo: number) => Item[]) | undefined = (a) => [{ bytes: ack(a + 1), portid: 0 }];
  readonly sent: { op: number; ack: number }[] = [];
  readonly closed: number[] = [];
  readonly receiveBuffer: number[] = [];
  waits = 0;
  /** Make wait() throw, as koffi does when it cannot queue another call. */
  waitThrows = false;
  private readonly queue: Item[] = [];
  private pending: ((errno?: number) => void) | undefined;
  private woken = false;

  /** Queue a datagram (from `portid`, 0: the kernel) or a receive error. */
  push(...items: (Uint8Array | { errno: number } | { bytes: Uint8Array; portid: number })[]): void {
    for (const it of items) this.queue.push(it instanceof Uint8Array ? { bytes: it, portid: 0 } : it);
    this.release();
  }

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  socket(): number { return this.socketResult; }
  eventfd(): number { return this.eventfdResult; }
  setReceiveBuffer(_fd: number, bytes: number): void { this.receiveBuffer.push(bytes); }
  bind(): number { return this.bindResult; }
  send(_fd: number, msg: Uint8Array): number {
    const dv = new DataView(msg.buffer, msg.byteOffset);
    const op = dv.getUint32(36, HOST_LE);
    const ackNo = dv.getUint32(28, HOST_LE);
    this.sent.push({ op, ack: ackNo });
    if (op === 1 && this.onListen) this.push(...this.onListen(ackNo));
    return 0;
  }
  recv(_fd: number, buf: Uint8Array): { length: number; portid: number } {
    const it = this.queue.shift();
    if (it === undefined) return { length: -11, portid: 0 };
    if ('errno' in it) return { length: -it.errno, portid: 0 };
    buf.set(it.bytes.subarray(0, buf.byteLength));
    return { length: Math.min(it.bytes.byteLength, buf.byteLength), portid: it.portid };
  }
  wait(_fd: number, _wakeFd: number, done: (errno?: number) => void): void {
    if (this.pending) throw new Error('two waits at once');
    if (this.waitThrows) throw new Error('Too many asynchronous calls are running');
    this.waits++;
    this.pending = done;
    this.release();
  }
  wake(): void {
    this.woken = true;
    this.release();
  }
  close(fd: number): void {
    if (this.pending) throw new Error(`close(${fd}) while a wait is pending on it`);
    this.closed.push(fd);
  }

  private release(): void {
    const done = this.pending;
    if (!done || (this.queue.length === 0 && !this.woken)) return;
    this.pending = undefined;
    this.woken = false;
    setImmediate(() => done());
  }
}
