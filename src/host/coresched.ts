/**
 * Core scheduling on the host: `prctl(PR_SCHED_CORE, cmd, pid, scope, uaddr)`
 * called through the FFI library koffi (loaded lazily, so a missing or
 * broken koffi is reported as "unsupported" instead of failing the import).
 *
 * Every argument is checked before any system call: a bad pid, scope or
 * command is a CgroupError EINVAL naming the argument. A refusal by the
 * kernel is a CgroupError with the kernel's errno and syscall 'prctl'.
 * Kernel facts (kernel-semantics.md §6.2): a kernel built without
 * CONFIG_SCHED_CORE does not know the prctl option and says EINVAL; a kernel
 * with it says ENODEV on a machine without SMT, before looking at any
 * other argument.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type ErrnoCode, codeOfErrno } from '../core/errno.js';
import { CORE_SCHED_CMDS, PR_SCHED_CORE, checkPid, cmdOf, explainErrno, scopeOf, type CoreSchedCmdName, type CoreSchedScopeName } from '../core/coresched.js';
import { CgroupError } from '../core/errors.js';

/** The raw call: returns 0, or the errno (a positive number) the kernel gave. */
export interface PrctlSys {
  schedCore(cmd: number, pid: number, scope: number, out: BigUint64Array | null): number;
}

/** How the host's binding was loaded: the binding, or why there is none. */
export type PrctlLoad = { sys: PrctlSys } | { error: string };

interface KoffiLike {
  load(path: string): { func(name: string, result: string, args: string[]): (...a: unknown[]) => unknown };
  errno(): number;
  errno(value: number): number;
}

let loaded: PrctlLoad | undefined;

/** The host's prctl through koffi, loaded once; `{ error }` when koffi or libc cannot be loaded. */
export function loadHostPrctl(): PrctlLoad {
  loaded ??= loadKoffi();
  return loaded;
}

function loadKoffi(): PrctlLoad {
  if (process.platform !== 'linux') return { error: `core scheduling is a Linux interface (this is ${process.platform})` };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiLike;
    const libc = koffi.load('libc.so.6');
    const head = ['int', 'unsigned long', 'unsigned long', 'unsigned long'];
    // Two prototypes of the one function: uaddr is 0 for every command but GET, a u64 buffer for GET.
    const plain = libc.func('prctl', 'int', [...head, 'unsigned long']);
    const withOut = libc.func('prctl', 'int', [...head, 'void *']);
    return {
      sys: {
        schedCore(cmd, pid, scope, out) {
          koffi.errno(0);
          const r = out === null ? plain(PR_SCHED_CORE, cmd, pid, scope, 0) : withOut(PR_SCHED_CORE, cmd, pid, scope, out);
          const errno = koffi.errno(); // read at once, on the calling thread
          return r === 0 ? 0 : (errno === 0 ? -1 : errno);
        },
      },
    };
  } catch (e) {
    return { error: `the FFI library koffi could not be loaded (${e instanceof Error ? e.message : String(e)})` };
  }
}

function hostSys(): PrctlSys {
  const l = loadHostPrctl();
  if ('error' in l) throw new CgroupError('ENOSYS', 'prctl', undefined, l.error);
  return l.sys;
}





/**
 * One `prctl(PR_SCHED_CORE)` call: arguments checked first (EINVAL before
 * any syscall), then the call. GET returns the cookie id (0n: no cookie);
 * the other commands return undefined.
 */
export function schedCore(cmd: CoreSchedCmdName | number, pid: number, scope: CoreSchedScopeName | number, sys?: PrctlSys): bigint | undefined {
  const c = cmdOf(cmd);
  const p = checkPid(pid);
  const s = scopeOf(scope);
  if (c === 0 && s !== 0) throw new CgroupError('EINVAL', 'prctl', undefined, 'get reads one thread\'s cookie: the scope must be thread');
  if (c === 3 && s !== 0) throw new CgroupError('EINVAL', 'prctl', undefined, 'share-from sets the calling thread\'s cookie: the scope must be thread');
  const out = c === 0 ? new BigUint64Array(1) : null;
  const errno = (sys ?? hostSys()).schedCore(c, p, s, out);
  if (errno !== 0) {
    const code = codeOfErrno(errno);
    if (code === undefined) throw new CgroupError('EINVAL', 'prctl', undefined, `the kernel returned errno ${errno}`);
    throw new CgroupError(code, 'prctl', undefined, `PR_SCHED_CORE ${nameOfCmd(c)} on pid ${p}: ${explainErrno(code, c)}`);
  }
  return out ? (out[0] ?? 0n) : undefined;
}

function nameOfCmd(c: number): string {
  return (Object.keys(CORE_SCHED_CMDS) as CoreSchedCmdName[]).find((k) => CORE_SCHED_CMDS[k] === c) ?? String(c);
}

/** The cookie id of one thread (0n: none). */
export function getCookie(pid: number, sys?: PrctlSys): bigint {
  return schedCore('get', pid, 'thread', sys) ?? 0n;
}

/** Give `pid`'s scope (default: its thread group) a new unique cookie. */
export function createCookie(pid: number, scope: CoreSchedScopeName | number = 'thread-group', sys?: PrctlSys): void {
  schedCore('create', pid, scope, sys);
}

/** Push the calling thread's cookie to `pid`'s scope (default: its thread group). */
export function shareTo(pid: number, scope: CoreSchedScopeName | number = 'thread-group', sys?: PrctlSys): void {
  schedCore('share-to', pid, scope, sys);
}

/** Pull `pid`'s cookie into the calling thread (the caller's own cookie changes, for as long as it runs). */
export function shareFrom(pid: number, sys?: PrctlSys): void {
  schedCore('share-from', pid, 'thread', sys);
}

export interface CoreSchedSupport {
  supported: boolean;
  /** Why not, for people. */
  why?: string;
  /** The errno of the probe, when the kernel refused it. */
  code?: ErrnoCode;
  /** `/sys/devices/system/cpu/smt/control` (on, off, forceoff, notsupported, notimplemented), when readable. */
  smt?: string;
}

/** Feature detection: GET on the calling thread. Never throws. */
export function coreSchedSupport(load: PrctlLoad = loadHostPrctl()): CoreSchedSupport {
  const smt = readSmt();
  const extra = smt === undefined ? {} : { smt };
  if ('error' in load) return { supported: false, why: load.error, ...extra };
  try {
    getCookie(0, load.sys);
    return { supported: true, ...extra };
  } catch (e) {
    if (!(e instanceof CgroupError)) return { supported: false, why: String(e), ...extra };
    const smtNote = e.code === 'EINVAL' && smt !== undefined && smt !== 'on'
      ? `; this machine has no active SMT either (smt/control: ${smt}), where a kernel with core scheduling says ENODEV` : '';
    return { supported: false, why: `${explainErrno(e.code, 0)}${smtNote}`, code: e.code, ...extra };
  }
}

function readSmt(): string | undefined {
  try {
    return readFileSync('/sys/devices/system/cpu/smt/control', 'utf8').trim();
  } catch {
    return undefined;
  }
}
