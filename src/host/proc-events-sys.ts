/**
 * The system calls behind the process-event connector, through the FFI
 * library koffi (loaded lazily: a missing or broken koffi is reported, not
 * thrown at import). {@link NetlinkSys} is the seam tests replace.
 * Constants from the kernel's UAPI headers (socket.h, netlink.h, eventfd.h,
 * poll.h), as on x86-64, arm64 and the other architectures koffi supports
 * (mips, alpha, sparc and parisc number SOCK_NONBLOCK differently).
 */
import { createRequire } from 'node:module';
import { CN_IDX_PROC, HOST_LE, NETLINK_CONNECTOR } from './proc-events-wire.js';

/** What the connector needs of the kernel. Errors are errno numbers: a call returns 0 / a descriptor, or the errno. */
export interface NetlinkSys {
  /** socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR): the descriptor, or -errno. */
  socket(): number;
  /** eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC): the descriptor, or -errno. */
  eventfd(): number;
  /** Ask for a receive buffer of `bytes` (SO_RCVBUFFORCE, else SO_RCVBUF); best effort. */
  setReceiveBuffer(fd: number, bytes: number): void;
  /** bind() with nl_groups = CN_IDX_PROC: 0, or the errno. */
  bind(fd: number): number;
  /** sendto() the kernel (port 0): 0, or the errno. */
  send(fd: number, msg: Uint8Array): number;
  /** One datagram into `buf` without blocking: its length or -errno (-EAGAIN: nothing queued), and the sender's port (0: the kernel). */
  recv(fd: number, buf: Uint8Array): { length: number; portid: number };
  /** Wait off the main thread until `fd` or `wakeFd` is readable, then call `done` on the main thread (errno set on failure). */
  wait(fd: number, wakeFd: number, done: (errno?: number) => void): void;
  /** Make a pending wait() return (adds 1 to the eventfd). */
  wake(wakeFd: number): void;
  close(fd: number): void;
}

export type NetlinkLoad = { sys: NetlinkSys } | { error: string };

type CFunc = ((...a: unknown[]) => number) & { async(...a: unknown[]): void };
interface KoffiLike {
  load(path: string): { func(name: string, result: string, args: string[]): CFunc };
  errno(): number;
  errno(value: number): number;
}

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const POLLIN = 1;
const SOCKADDR_NL_LEN = 12;

let loaded: NetlinkLoad | undefined;
/** pollfd arrays of the poll() calls running on the pool. */
const inFlight = new Set<Uint8Array>();

/** The host's system calls through koffi, loaded once; `{ error }` when koffi or libc cannot be loaded. */
export function loadNetlinkSys(): NetlinkLoad {
  loaded ??= loadKoffi();
  return loaded;
}

function loadKoffi(): NetlinkLoad {
  if (process.platform !== 'linux') return { error: `the process-event connector is a Linux interface (this is ${process.platform})` };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiLike;
    return { sys: bind(koffi) };
  } catch (e) {
    return { error: `the FFI library koffi could not be loaded (${e instanceof Error ? e.message : String(e)})` };
  }
}

function bind(koffi: KoffiLike): NetlinkSys {
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('socket', 'int', ['int', 'int', 'int']);
  const eventfd = libc.func('eventfd', 'int', ['unsigned int', 'int']);
  const setsockopt = libc.func('setsockopt', 'int', ['int', 'int', 'int', 'void *', 'uint32_t']);
  const bindFn = libc.func('bind', 'int', ['int', 'void *', 'uint32_t']);
  const sendto = libc.func('sendto', 'intptr_t', ['int', 'void *', 'size_t', 'int', 'void *', 'uint32_t']);
  const recvfrom = libc.func('recvfrom', 'intptr_t', ['int', 'void *', 'size_t', 'int', 'void *', 'void *']);
  const poll = libc.func('poll', 'int', ['void *', 'unsigned long', 'int']);
  const write = libc.func('write', 'intptr_t', ['int', 'void *', 'size_t']);
  const close = libc.func('close', 'int', ['int']);

  /** Run `call`; its result, or -errno when it returned a negative number. */
  const sys = (call: () => number): number => {
    koffi.errno(0);
    const r = call();
    if (r >= 0) return r;
    const errno = koffi.errno(); // read at once, on the calling thread
    return -(errno === 0 ? 5 : errno); // EIO when libc left no errno
  };
  const errnoOf = (r: number): number => (r < 0 ? -r : 0);
  const addr = (groups: number): Uint8Array => {
    const a = new Uint8Array(SOCKADDR_NL_LEN);
    const dv = new DataView(a.buffer);
    dv.setUint16(0, AF_NETLINK, HOST_LE); // nl_family; nl_pad, nl_pid 0
    dv.setUint32(8, groups, HOST_LE);
    return a;
  };
  const kernel = addr(0);
  const src = new Uint8Array(SOCKADDR_NL_LEN);
  const srcLen = new Uint32Array(1);
  const one = new BigUint64Array([1n]);

  return {
    socket: () => sys(() => socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR)),
    eventfd: () => sys(() => eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
    setReceiveBuffer(fd, bytes) {
      const v = new Int32Array([Math.min(bytes, 0x3fffffff)]);
      if (sys(() => setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4)) < 0) sys(() => setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4));
    },
    bind: (fd) => errnoOf(sys(() => bindFn(fd, addr(CN_IDX_PROC), SOCKADDR_NL_LEN))),
    send: (fd, msg) => errnoOf(sys(() => sendto(fd, msg, msg.byteLength, 0, kernel, SOCKADDR_NL_LEN))),
    recv(fd, buf) {
      srcLen[0] = SOCKADDR_NL_LEN;
      src.fill(0);
      const length = sys(() => recvfrom(fd, buf, buf.byteLength, 0, src, srcLen));
      return { length, portid: new DataView(src.buffer).getUint32(4, HOST_LE) };
    },
    wait(fd, wakeFd, done) {
      const fds = new Uint8Array(16); // two struct pollfd { int fd; short events; short revents; }
      const dv = new DataView(fds.buffer);
      dv.setInt32(0, fd, HOST_LE);
      dv.setInt16(4, POLLIN, HOST_LE);
      dv.setInt32(8, wakeFd, HOST_LE);
      dv.setInt16(12, POLLIN, HOST_LE);
      // koffi hands the worker a bare pointer into `fds` and keeps no reference to it: without this
      // one, the garbage collector may free the array while poll() still runs and writes revents.
      inFlight.add(fds);
      poll.async(fds, 2, -1, (err: unknown, r: number) => {
        inFlight.delete(fds);
        // koffi restores the worker's errno while this callback runs.
        if (err) done(5);
        else done(r < 0 ? (koffi.errno() || 5) : undefined);
      });
    },
    wake(wakeFd) {
      sys(() => write(wakeFd, one, 8));
    },
    close(fd) {
      close(fd);
    },
  };
}
