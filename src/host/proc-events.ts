/**
 * The kernel's process-event connector: fork, exec and exit of every task
 * on the machine, as typed events. A netlink socket of protocol
 * NETLINK_CONNECTOR joins multicast group CN_IDX_PROC and sends
 * PROC_CN_MCAST_LISTEN; the kernel then sends one `struct proc_event` per
 * event (layouts: proc-events-wire.ts). Needs CONFIG_CONNECTOR and
 * CONFIG_PROC_EVENTS, the initial user and pid namespaces, and on older
 * kernels CAP_NET_ADMIN (see {@link ProcEvents.open} for each refusal).
 *
 * Receiving. The socket is non-blocking. A `poll()` on it and on an eventfd
 * runs as a koffi asynchronous call, i.e. on one thread of libuv's pool, so
 * Node's event loop never blocks; when it returns, the main thread drains
 * the socket and arms the next poll. Chosen over a timer that polls the
 * socket because an event is handled as soon as it arrives (the hand-over
 * from the pool thread adds about 0.1 ms, instead of up to a period) and an
 * idle watcher costs no wake-ups. (Measured on a 2-vCPU VM, fork to
 * delivery: median 0.7-0.8 ms with idle CPUs, about 0.6 ms of it the kernel
 * waking a thread blocked in poll(); with both CPUs busy a median of
 * 0.05-0.1 ms but a p90 of up to 3 ms and a maximum of 7 ms.) The price: while a watcher is open it holds one of the
 * pool's threads (4 unless UV_THREADPOOL_SIZE says otherwise) and keeps the
 * process alive, as `fs.watch` does. `close()` writes the eventfd, the poll
 * returns at once, and only then are the descriptors closed (never while
 * another thread polls them); after that nothing is pending.
 *
 * When the receive buffer overflows the kernel drops events and the next
 * receive fails with ENOBUFS: subscribers get `{ kind: 'overrun' }` and
 * should rescan /proc.
 */
import { randomInt } from 'node:crypto';
import { CgroupError } from '../core/errors.js';
import { codeOfErrno, type ErrnoCode } from '../core/errno.js';
import {
  HOST_LE, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN, mcastMessage, parseDatagram, type ProcEvent,
} from './proc-events-wire.js';
import { loadNetlinkSys, type NetlinkSys } from './proc-events-sys.js';

export type { ProcEvent, ProcExecEvent, ProcExitEvent, ProcForkEvent } from './proc-events-wire.js';
export type { NetlinkSys } from './proc-events-sys.js';

const EINTR = 4;
const EAGAIN = 11;
const EPERM = 1;
const ENOBUFS = 105;
const EPROTONOSUPPORT = 93;
const EAFNOSUPPORT = 97;
/** Datagrams handled per turn of the event loop before yielding. */
const DRAIN_BATCH = 256;

/** What a subscriber receives: a task event, a loss of events, or the end of the stream. */
export type ProcEventMessage =
  | ProcEvent
  /** The kernel dropped events (the receive buffer was full): rescan what you track. */
  | { readonly kind: 'overrun' }
  /** The connector failed; no more events will come (the watcher is closed). */
  | { readonly kind: 'error'; readonly error: CgroupError };

export interface ProcEventsOptions {
  /** The system calls (default: libc through koffi). */
  sys?: NetlinkSys;
  /** Receive buffer asked for (default 4 MiB; the kernel doubles it and, without CAP_NET_ADMIN, caps it at net.core.rmem_max). */
  receiveBufferBytes?: number;
  /** How long to wait for the kernel's acknowledgement of LISTEN (default 2000 ms). */
  ackTimeoutMs?: number;
}

/** A stream of the kernel's process events. Open with {@link ProcEvents.open}; always `close()`. */
export class ProcEvents {
  private readonly subscribers = new Set<(e: ProcEventMessage) => void>();
  private readonly buf = new Uint8Array(8192);
  private polling = false;
  /** Why the stream ended, when it failed. */
  private failure: CgroupError | undefined;
  /** LISTEN was sent: IGNORE is owed at close. */
  private listening = false;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closedPromise: Promise<void> | undefined;
  private finish: (() => void) | undefined;
  private ackWait: { ack: number; settle: (result: CgroupError | undefined) => void } | undefined;

  private constructor(private readonly sys: NetlinkSys, private readonly fd: number, private readonly wakeFd: number) {}

  /**
   * Open the connector and wait until the kernel acknowledged LISTEN.
   * Refusals, as CgroupError (syscall 'watch', the system call in `detail`):
   * - koffi or libc missing: ENOSYS;
   * - no CONFIG_CONNECTOR: socket() says EPROTONOSUPPORT, reported as ENOTSUP;
   * - bind() to the group says EPERM where the connector keeps its groups to
   *   CAP_NET_ADMIN (older kernels; recent ones let any user join the
   *   process-event group, checked as uid 65534 on Linux 6.18);
   * - an acknowledgement with an error (kernels that checked CAP_NET_ADMIN
   *   on LISTEN answer EPERM this way);
   * - no acknowledgement in time: ETIMEDOUT — the kernel has no
   *   CONFIG_PROC_EVENTS (no `cn_proc` in /proc/net/connector), or cgkit
   *   runs outside the initial user or pid namespace, where LISTEN is
   *   ignored without an answer.
   */
  static async open(opts: ProcEventsOptions = {}): Promise<ProcEvents> {
    const sys = opts.sys ?? hostSys();
    const fd = sys.socket();
    if (fd < 0) {
      const errno = -fd;
      if (errno === EPROTONOSUPPORT || errno === EAFNOSUPPORT) {
        throw new CgroupError('ENOTSUP', 'watch', undefined, `socket(AF_NETLINK, NETLINK_CONNECTOR) failed with ${errno === EPROTONOSUPPORT ? 'EPROTONOSUPPORT' : 'EAFNOSUPPORT'} (errno ${errno}): this kernel has no netlink connector (CONFIG_CONNECTOR)`);
      }
      throw sysError(errno, 'socket(AF_NETLINK, NETLINK_CONNECTOR)');
    }
    const wakeFd = sys.eventfd();
    if (wakeFd < 0) {
      sys.close(fd);
      throw sysError(-wakeFd, 'eventfd');
    }
    const pe = new ProcEvents(sys, fd, wakeFd);
    try {
      sys.setReceiveBuffer(fd, opts.receiveBufferBytes ?? 4 << 20);
      const bound = sys.bind(fd);
      if (bound !== 0) {
        throw sysError(bound, 'bind() to the process-event group (CN_IDX_PROC)',
          bound === EPERM ? 'this kernel lets only CAP_NET_ADMIN join connector groups (run as root)' : undefined);
      }
      pe.arm();
      if (pe.failure) throw pe.failure;
      await pe.listen(opts.ackTimeoutMs ?? 2000);
      return pe;
    } catch (e) {
      await pe.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Receive every event from now on; returns the unsubscribe function. */
  subscribe(fn: (e: ProcEventMessage) => void): () => void {
    if (this.state !== 'open') throw new CgroupError('EBADF', 'watch', undefined, 'the process-event connector was closed');
    const entry = (e: ProcEventMessage): void => fn(e); // its own entry: the same function may subscribe twice
    this.subscribers.add(entry);
    return () => { this.subscribers.delete(entry); };
  }

  /** Tell the kernel to stop (IGNORE), wake the poll, close both descriptors. Idempotent. */
  close(): Promise<void> {
    if (this.closedPromise) return this.closedPromise;
    this.state = 'closing';
    this.ackWait?.settle(new CgroupError('EBADF', 'watch', undefined, 'closed while waiting for the kernel to acknowledge LISTEN'));
    // The kernel counts listeners globally and does not uncount a socket that just closes. Only after
    // a LISTEN: older kernels decrement the count on any IGNORE, and would uncount someone else.
    if (this.listening) this.sys.send(this.fd, mcastMessage(PROC_CN_MCAST_IGNORE, 0, HOST_LE));
    this.closedPromise = new Promise((resolve) => {
      this.finish = () => {
        this.finish = undefined; // once: a descriptor closed twice could be someone else's by then
        this.sys.close(this.fd);
        this.sys.close(this.wakeFd);
        this.state = 'closed';
        this.subscribers.clear();
        resolve();
      };
      if (this.polling) this.sys.wake(this.wakeFd);
      else this.finish();
    });
    return this.closedPromise;
  }

  /** Send LISTEN with a fresh ack number; resolve on the kernel's answer (ack + 1). */
  private listen(timeoutMs: number): Promise<void> {
    const ack = randomInt(1, 0x7fffffff);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.ackWait?.settle(new CgroupError('ETIMEDOUT', 'watch', undefined,
        `the kernel did not acknowledge PROC_CN_MCAST_LISTEN within ${timeoutMs} ms: no process events on this kernel (CONFIG_PROC_EVENTS; see /proc/net/connector), or not in the initial user and pid namespaces`)), timeoutMs);
      this.ackWait = {
        ack: (ack + 1) >>> 0,
        settle: (result) => {
          clearTimeout(timer);
          this.ackWait = undefined;
          if (result === undefined) resolve();
          else reject(result);
        },
      };
      const sent = this.sys.send(this.fd, mcastMessage(PROC_CN_MCAST_LISTEN, ack, HOST_LE));
      this.listening = sent === 0;
      if (sent !== 0) this.ackWait.settle(sysError(sent, 'send(PROC_CN_MCAST_LISTEN)'));
    });
  }

  /** Start one poll on the pool; its completion drains the socket on the main thread. */
  private arm(): void {
    this.polling = true;
    try {
      this.sys.wait(this.fd, this.wakeFd, (err) => this.polled(err));
    } catch (e) {
      // koffi refuses a call it cannot queue (max_async_calls): no completion will come.
      this.polling = false;
      this.fail(new CgroupError('EAGAIN', 'watch', undefined, `poll() could not be started: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private polled(err: number | undefined): void {
    this.polling = false;
    if (this.state !== 'open') {
      this.finish?.();
      return;
    }
    if (err !== undefined && err !== EINTR) {
      this.fail(sysError(err, 'poll'));
      return;
    }
    this.drain();
    if (this.state === 'open') this.arm();
    else this.finish?.();
  }

  private drain(): void {
    for (let i = 0; i < DRAIN_BATCH && this.state === 'open'; i++) {
      const r = this.sys.recv(this.fd, this.buf);
      if (r.length < 0) {
        const errno = -r.length;
        if (errno === EAGAIN) return;
        if (errno === ENOBUFS) {
          this.emit({ kind: 'overrun' });
          continue;
        }
        if (errno === EINTR) continue;
        this.fail(sysError(errno, 'recvfrom'));
        return;
      }
      if (r.portid !== 0) continue; // only the kernel (port 0) speaks for the connector
      for (const m of parseDatagram(this.buf, r.length, HOST_LE)) {
        if (m.kind === 'ack') {
          if (this.ackWait !== undefined && m.ack === this.ackWait.ack) {
            this.ackWait.settle(m.err === 0 ? undefined : sysError(m.err, 'PROC_CN_MCAST_LISTEN', m.err === EPERM
              ? 'this kernel lets only CAP_NET_ADMIN listen to process events (run as root)'
              : 'the kernel acknowledged it with an error'));
          }
        } else {
          this.emit(m);
        }
      }
    }
  }

  private emit(e: ProcEventMessage): void {
    for (const fn of [...this.subscribers]) {
      if (this.state !== 'open' && e.kind !== 'error') return; // a subscriber closed the stream
      try {
        fn(e);
      } catch (err) {
        // A subscriber's exception surfaces as an uncaught exception, like an EventEmitter listener's, without breaking the drain.
        process.nextTick(() => { throw err; });
      }
    }
  }

  private fail(error: CgroupError): void {
    this.failure ??= error;
    this.emit({ kind: 'error', error });
    this.ackWait?.settle(error);
    void this.close();
  }
}

function hostSys(): NetlinkSys {
  const l = loadNetlinkSys();
  if ('error' in l) throw new CgroupError('ENOSYS', 'watch', undefined, l.error);
  return l.sys;
}

/** A refused system call as CgroupError (errno numbers the core table lacks become EINVAL, the number kept in the text). */
function sysError(errno: number, call: string, why?: string): CgroupError {
  const code = codeOfErrno(errno);
  const tail = why === undefined ? '' : `: ${why}`;
  return new CgroupError(code ?? 'EINVAL', 'watch', undefined, `${call} failed with ${code ?? `errno ${errno}`}${tail}`);
}

export interface ProcEventsSupport {
  supported: boolean;
  why?: string;
  code?: ErrnoCode;
}

/** Feature detection: open the connector (LISTEN acknowledged) and close it again. Never throws. */
export async function procEventsSupport(opts: ProcEventsOptions = {}): Promise<ProcEventsSupport> {
  try {
    const pe = await ProcEvents.open(opts);
    await pe.close();
    return { supported: true };
  } catch (e) {
    if (e instanceof CgroupError) return { supported: false, why: e.detail ?? e.message, code: e.code };
    return { supported: false, why: String(e) };
  }
}
