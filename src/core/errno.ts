/**
 * Linux errno values with the code names Node reports for them on Linux and
 * the C library's strerror text (what a shell prints after "write error: ").
 * EOPNOTSUPP and ENOTSUP are one number (95) on Linux; Node names it ENOTSUP.
 */
export const ERRNO = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  ESRCH: [3, 'No such process'],
  EINTR: [4, 'Interrupted system call'],
  EIO: [5, 'Input/output error'],
  ENXIO: [6, 'No such device or address'],
  E2BIG: [7, 'Argument list too long'],
  EBADF: [9, 'Bad file descriptor'],
  ECHILD: [10, 'No child processes'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EACCES: [13, 'Permission denied'],
  EFAULT: [14, 'Bad address'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  EXDEV: [18, 'Invalid cross-device link'],
  ENODEV: [19, 'No such device'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  ENFILE: [23, 'Too many open files in system'],
  EMFILE: [24, 'Too many open files'],
  ENOSPC: [28, 'No space left on device'],
  EROFS: [30, 'Read-only file system'],
  EPIPE: [32, 'Broken pipe'],
  ERANGE: [34, 'Numerical result out of range'],
  EDEADLK: [35, 'Resource deadlock avoided'],
  ENAMETOOLONG: [36, 'File name too long'],
  ENOSYS: [38, 'Function not implemented'],
  ENOTEMPTY: [39, 'Directory not empty'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  EOVERFLOW: [75, 'Value too large for defined data type'],
  ENOTUNIQ: [76, 'Name not unique on network'],
  ENOTSUP: [95, 'Operation not supported'],
  ETIMEDOUT: [110, 'Connection timed out'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrnoCode = keyof typeof ERRNO;

const byNumber = new Map<number, ErrnoCode>(
  (Object.keys(ERRNO) as ErrnoCode[]).map((c) => [ERRNO[c][0], c]),
);

export function errnoOf(code: ErrnoCode): number {
  return ERRNO[code][0];
}

export function strerror(code: string): string {
  return isErrnoCode(code) ? ERRNO[code][1] : code;
}

export function isErrnoCode(code: unknown): code is ErrnoCode {
  return typeof code === 'string' && Object.hasOwn(ERRNO, code);
}

/** Code for a (positive) errno number, as Node names it on Linux. */
export function codeOfErrno(errno: number): ErrnoCode | undefined {
  return byNumber.get(Math.abs(errno));
}
