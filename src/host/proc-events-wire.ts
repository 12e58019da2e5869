/**
 * The bytes of the process-event connector, from the kernel's UAPI headers
 * (include/uapi/linux/netlink.h, connector.h, cn_proc.h). All fields are in
 * host byte order. A datagram from the kernel holds netlink messages:
 *
 *   struct nlmsghdr  (16)  u32 len, u16 type (NLMSG_DONE = 3 for the connector), u16 flags, u32 seq, u32 pid
 *   struct cn_msg    (20)  u32 idx, u32 val (CN_IDX_PROC = CN_VAL_PROC = 1), u32 seq, u32 ack, u16 len, u16 flags
 *   struct proc_event      u32 what, u32 cpu, u64 timestamp_ns (at 8: the u64 is 8-aligned), union at 16:
 *     fork: pid parent_pid, parent_tgid, child_pid, child_tgid
 *     exec: pid process_pid, process_tgid
 *     exit: pid process_pid, process_tgid, u32 exit_code, u32 exit_signal, pid parent_pid, parent_tgid
 *     ack (what = NONE): u32 err
 *
 * "pid" in the kernel is the thread id, "tgid" the process id. For a new
 * thread the fork event's parent is the real parent of the whole process
 * (the kernel gives a CLONE_THREAD child its creator's parent), not the
 * thread that created it. `exit_code` is the wait status (`status << 8`,
 * or the signal number, +0x80 when it dumped core); `exit_signal` is the
 * signal the parent gets (SIGCHLD for processes, -1 for threads).
 * `timestamp_ns` is CLOCK_MONOTONIC, the clock of `process.hrtime`.
 * Pure functions; no I/O.
 */
import { endianness } from 'node:os';

export const NETLINK_CONNECTOR = 11;
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;

export const PROC_EVENT_NONE = 0;
export const PROC_EVENT_FORK = 0x1;
export const PROC_EVENT_EXEC = 0x2;
export const PROC_EVENT_EXIT = 0x80000000;

const NLMSG_DONE = 3;
const NLMSG_OVERRUN = 4;
export const NLMSG_HDRLEN = 16;
export const CN_MSG_LEN = 20;
/** what, cpu, timestamp_ns: the part of struct proc_event before the union. */
const EVENT_HEAD = 16;
/** sizeof(struct proc_event): the head and the largest union member (24 bytes). */
export const PROC_EVENT_LEN = 40;

export const HOST_LE = endianness() === 'LE';

interface EventBase {
  /** CPU the event was sent from. */
  readonly cpu: number;
  /** When the kernel made the event, CLOCK_MONOTONIC nanoseconds (compare with `process.hrtime.bigint()`). */
  readonly timestampNs: bigint;
}

/** A task was created: a process when childPid === childTgid, else a thread of childTgid. */
export interface ProcForkEvent extends EventBase {
  readonly kind: 'fork';
  readonly parentPid: number;
  readonly parentTgid: number;
  readonly childPid: number;
  readonly childTgid: number;
}

/** A task ran execve(). */
export interface ProcExecEvent extends EventBase {
  readonly kind: 'exec';
  readonly pid: number;
  readonly tgid: number;
}

/** A task exited (one event per thread). */
export interface ProcExitEvent extends EventBase {
  readonly kind: 'exit';
  readonly pid: number;
  readonly tgid: number;
  /** The kernel's exit_code: a wait status. */
  readonly exitCode: number;
  /** Exit status (0..255) when the task exited normally, else null. */
  readonly status: number | null;
  /** Terminating signal when a signal killed it, else null. */
  readonly signal: number | null;
  /** Signal sent to the parent: SIGCHLD (17) for a process, -1 for a thread. */
  readonly exitSignal: number;
  readonly parentPid: number;
  readonly parentTgid: number;
}

export type ProcEvent = ProcForkEvent | ProcExecEvent | ProcExitEvent;

/** What a datagram holds: task events, the kernel's answers to LISTEN/IGNORE, overruns. */
export type WireMessage =
  | ProcEvent
  | { readonly kind: 'ack'; readonly ack: number; readonly err: number }
  | { readonly kind: 'overrun' };

/**
 * The messages of one datagram (`len` bytes of `buf`). Messages that are
 * not process events (other connector ids, other event types: uid, gid,
 * sid, ptrace, comm, coredump), and truncated ones, are skipped.
 */
export function parseDatagram(buf: Uint8Array, len: number, le = HOST_LE): WireMessage[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, Math.min(len, buf.byteLength));
  const out: WireMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= dv.byteLength) {
    const msgLen = dv.getUint32(off, le);
    const type = dv.getUint16(off + 4, le);
    if (msgLen < NLMSG_HDRLEN || off + msgLen > dv.byteLength) break;
    // NLMSG_NOOP, NLMSG_ERROR (answers to requests cgkit never makes) and unknown types carry nothing for us.
    if (type === NLMSG_OVERRUN) out.push({ kind: 'overrun' });
    else if (type === NLMSG_DONE && msgLen >= NLMSG_HDRLEN + CN_MSG_LEN) {
      const m = parseCnMsg(dv, off + NLMSG_HDRLEN, off + msgLen, le);
      if (m) out.push(m);
    }
    off += (msgLen + 3) & ~3; // NLMSG_ALIGN
  }
  return out;
}

function parseCnMsg(dv: DataView, at: number, end: number, le: boolean): WireMessage | undefined {
  if (dv.getUint32(at, le) !== CN_IDX_PROC || dv.getUint32(at + 4, le) !== CN_VAL_PROC) return undefined;
  const ack = dv.getUint32(at + 12, le);
  const dataLen = dv.getUint16(at + 16, le);
  const ev = at + CN_MSG_LEN;
  if (dataLen < EVENT_HEAD || ev + dataLen > end) return undefined;
  const what = dv.getUint32(ev, le);
  const cpu = dv.getUint32(ev + 4, le);
  const timestampNs = dv.getBigUint64(ev + 8, le);
  const d = ev + EVENT_HEAD;
  const room = dataLen - EVENT_HEAD;
  const i32 = (k: number): number => dv.getInt32(d + 4 * k, le);
  switch (what) {
    case PROC_EVENT_NONE:
      return room >= 4 ? { kind: 'ack', ack, err: dv.getUint32(d, le) } : undefined;
    case PROC_EVENT_FORK:
      return room >= 16 ? { kind: 'fork', cpu, timestampNs, parentPid: i32(0), parentTgid: i32(1), childPid: i32(2), childTgid: i32(3) } : undefined;
    case PROC_EVENT_EXEC:
      return room >= 8 ? { kind: 'exec', cpu, timestampNs, pid: i32(0), tgid: i32(1) } : undefined;
    case PROC_EVENT_EXIT: {
      if (room < 24) return undefined;
      const exitCode = dv.getUint32(d + 8, le);
      const sig = exitCode & 0x7f;
      return {
        kind: 'exit', cpu, timestampNs, pid: i32(0), tgid: i32(1), exitCode,
        status: sig === 0 ? (exitCode >> 8) & 0xff : null,
        signal: sig === 0 ? null : sig,
        exitSignal: i32(3), parentPid: i32(4), parentTgid: i32(5),
      };
    }
    default:
      return undefined;
  }
}

/** The message that sends `op` (LISTEN or IGNORE) to the process-event connector, with `ack` for the answer. */
export function mcastMessage(op: typeof PROC_CN_MCAST_LISTEN | typeof PROC_CN_MCAST_IGNORE, ack: number, le = HOST_LE): Uint8Array {
  const len = NLMSG_HDRLEN + CN_MSG_LEN + 4;
  const buf = new Uint8Array(len);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, len, le); // nlmsg_len
  dv.setUint16(4, NLMSG_DONE, le); // nlmsg_type
  // nlmsg_flags, nlmsg_seq, nlmsg_pid: 0 (the kernel fills in the sender's port)
  dv.setUint32(16, CN_IDX_PROC, le);
  dv.setUint32(20, CN_VAL_PROC, le);
  // cn_msg.seq 0
  dv.setUint32(28, ack >>> 0, le);
  dv.setUint16(32, 4, le); // cn_msg.len: the enum proc_cn_mcast_op
  dv.setUint32(36, op, le);
  return buf;
}
