import { CgroupError } from '../errors.js';

/**
 * One line of `/proc/<pid>/mountinfo` (proc(5)):
 *
 * ```
 * 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * (1)(2)(3)   (4)   (5)         (6)       (7)      (8)(9)   (10)      (11)
 * ```
 *
 * (7) is zero or more optional fields ended by the `-` separator (8). The
 * kernel escapes space, tab, newline and backslash in (4), (5) and (10) as
 * three-digit octal (`\040`); this parser undoes that.
 */
export interface MountInfo {
  mountId: number;
  parentId: number;
  /** Device of the superblock: two mounts of one hierarchy share it. */
  major: number;
  minor: number;
  /** The directory of the filesystem that forms the root of this mount. */
  root: string;
  mountPoint: string;
  /** Per-mount options (`rw`, `relatime`). */
  mountOptions: string[];
  /** Tagged fields such as `shared:1`, `master:2`. */
  optionalFields: string[];
  fsType: string;
  source: string;
  /** Per-superblock options (`rw,cpu,cpuacct`, `name=systemd`). */
  superOptions: string[];
}

const MOUNTINFO = '/proc/self/mountinfo';

function bad(line: string, why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', MOUNTINFO, `${why}: '${line}'`);
}

/** Undo the kernel's octal escapes (`\040` is a space). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Escape like the kernel's `seq_path`/`mangle`: space, tab, newline and backslash. */
export function escapeMountField(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

function options(field: string): string[] {
  return field === '' ? [] : field.split(',').map(unescapeMountField);
}

function formatOptions(opts: readonly string[]): string {
  return opts.map(escapeMountField).join(',');
}

function nonNegInt(tok: string, line: string, what: string): number {
  if (!/^[0-9]+$/.test(tok)) throw bad(line, `${what} is not a number`);
  return Number(tok);
}

/** Parse one mountinfo line. Throws EINVAL on a malformed line. */
export function parseMountInfoLine(line: string): MountInfo {
  const f = line.split(' ');
  const sep = f.indexOf('-', 6);
  if (sep < 0 || f.length !== sep + 4) throw bad(line, 'not a mountinfo line');
  const dev = /^([0-9]+):([0-9]+)$/.exec(f[2]!);
  if (!dev) throw bad(line, 'bad major:minor');
  return {
    mountId: nonNegInt(f[0]!, line, 'mount id'),
    parentId: nonNegInt(f[1]!, line, 'parent id'),
    major: Number(dev[1]),
    minor: Number(dev[2]),
    root: unescapeMountField(f[3]!),
    mountPoint: unescapeMountField(f[4]!),
    mountOptions: options(f[5]!),
    optionalFields: f.slice(6, sep),
    fsType: f[sep + 1]!,
    source: unescapeMountField(f[sep + 2]!),
    superOptions: options(f[sep + 3]!),
  };
}

/** Parse all of `/proc/<pid>/mountinfo`; blank lines are skipped. */
export function parseMountInfo(text: string): MountInfo[] {
  return text.split('\n').filter((l) => l !== '').map(parseMountInfoLine);
}

export function formatMountInfoLine(m: MountInfo): string {
  return [
    m.mountId, m.parentId, `${m.major}:${m.minor}`,
    escapeMountField(m.root), escapeMountField(m.mountPoint), formatOptions(m.mountOptions),
    ...m.optionalFields, '-', m.fsType, escapeMountField(m.source), formatOptions(m.superOptions),
  ].join(' ');
}

export function formatMountInfo(ms: Iterable<MountInfo>): string {
  let s = '';
  for (const m of ms) s += formatMountInfoLine(m) + '\n';
  return s;
}
