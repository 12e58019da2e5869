import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { CgroupError, isErrnoLike, toCgroupError } from '../core/errors.js';
import { parseMountInfo, type MountInfo } from '../core/format/mountinfo.js';
import { parseProcCgroup, type ProcCgroupLine } from '../core/format/proccgroup.js';
import { KERNEL_CONTROLLER_ORDER, type LayoutKind, type LayoutSpec, type MountSpec } from '../core/layout.js';
import { parseProcCgroups, pidCgroupFor, v1ControllerName, v2ControllerName, type KnownController } from './proc-cgroups.js';

/** A mounted hierarchy as found on the host. */
export interface HostMount extends MountSpec {
  /** Superblock device `major:minor`; every mount of one hierarchy shares it. */
  device: string;
  /** Directory of the hierarchy shown at `mountPoint` (`/` unless a sub-directory is bind-mounted). */
  root: string;
  /** Mounts of the same hierarchy that show a different directory of it. */
  binds: { mountPoint: string; root: string }[];
}

export interface HostLayout extends LayoutSpec {
  mounts: HostMount[];
  /** Controllers the kernel knows (`/proc/cgroups`), in kernel order; empty when that file is absent. */
  known: KnownController[];
}

export interface DetectOptions {
  /** Text of `/proc/self/mountinfo`; read from the host when absent. */
  mountinfo?: string;
  /** Text of `/proc/cgroups`; read from the host when absent. */
  procCgroups?: string;
  /** Text of `/proc/self/cgroup` (hierarchy ids of named v1 hierarchies); read from the host when absent. */
  procSelfCgroup?: string;
  /**
   * Prefix for every host file read (default `/`), including the symlinks
   * next to the mount points (`/sys/fs/cgroup/cpu -> cpu,cpuacct`). When
   * `mountinfo` is given and `root` is not, nothing is read from the host:
   * the result depends on the given texts only (absent ones count as empty).
   */
  root?: string;
}

const MOUNTINFO = '/proc/self/mountinfo';
const PROC_CGROUPS = '/proc/cgroups';
const PROC_SELF_CGROUP = '/proc/self/cgroup';

/** v1 controller names accepted in mount options when /proc/cgroups is not available. */
const DEFAULT_V1_NAMES = [...KERNEL_CONTROLLER_ORDER.map(v1ControllerName), 'debug'];

/** Symlinks found beside mount points: link path -> resolved absolute target. */
export type LinkMap = ReadonlyMap<string, string>;

function isCgroupMount(m: MountInfo): boolean {
  return m.fsType === 'cgroup' || m.fsType === 'cgroup2';
}

/** Visible cgroup mounts: a later mount on the same point hides the earlier one. */
function visibleCgroupMounts(all: readonly MountInfo[]): MountInfo[] {
  const top = new Map<string, MountInfo>();
  for (const m of all) top.set(m.mountPoint, m);
  return [...top.values()].filter(isCgroupMount);
}

/** v2 is 0; a v1 hierarchy's id comes from /proc/cgroups (by controller) or /proc/self/cgroup (by name). */
function hierarchyIdOf(m: HostMount, known: readonly KnownController[], self: readonly ProcCgroupLine[]): number | undefined {
  if (m.version === 2) return 0;
  const byCtrl = known.find((k) => k.name === m.controllers[0])?.hierarchy;
  return byCtrl !== undefined && byCtrl > 0 ? byCtrl : pidCgroupFor(self, m)?.hierarchyId;
}

function toHostMount(group: readonly MountInfo[], v1Names: ReadonlySet<string>, links: LinkMap): HostMount {
  const primary = group.find((m) => m.root === '/') ?? group[0]!;
  const version = primary.fsType === 'cgroup2' ? 2 : 1;
  const controllers = version === 1
    ? primary.superOptions.filter((o) => v1Names.has(o)).map(v2ControllerName)
    : [];
  const points = group.filter((m) => m.root === primary.root).map((m) => m.mountPoint);
  const aliases = [...points.slice(1)];
  for (const [link, target] of links) if (points.includes(target)) aliases.push(link);
  const out: HostMount = {
    version, mountPoint: primary.mountPoint, controllers,
    device: `${primary.major}:${primary.minor}`, root: primary.root,
    binds: group.filter((m) => m.root !== primary.root).map((m) => ({ mountPoint: m.mountPoint, root: m.root })),
  };
  const name = primary.superOptions.find((o) => o.startsWith('name='));
  if (version === 1 && name !== undefined) out.name = name.slice('name='.length);
  if (aliases.length > 0) out.aliases = aliases.sort();
  return out;
}

function kindOf(mounts: readonly HostMount[]): LayoutKind {
  const v2 = mounts.some((m) => m.version === 2);
  const v1WithControllers = mounts.some((m) => m.version === 1 && m.controllers.length > 0);
  if (v2 && !v1WithControllers) return 'unified';
  return v2 ? 'hybrid' : 'legacy';
}

/**
 * Build the layout from parsed mountinfo, /proc/cgroups and /proc/self/cgroup
 * (pure). Mounts sharing a superblock are one hierarchy: the first mount
 * showing its root directory is primary, the others are aliases. v1 mounts
 * come first, sorted by mount point, then v2. No cgroup mount at all is
 * ENODEV.
 */
export function buildHostLayout(
  mountinfo: readonly MountInfo[], known: readonly KnownController[], links: LinkMap = new Map(), self: readonly ProcCgroupLine[] = [],
): HostLayout {
  const v1Names = new Set(known.length > 0 ? known.map((k) => k.v1Name) : DEFAULT_V1_NAMES);
  const byDevice = new Map<string, MountInfo[]>();
  for (const m of visibleCgroupMounts(mountinfo)) {
    const key = `${m.fsType} ${m.major}:${m.minor}`;
    byDevice.set(key, [...(byDevice.get(key) ?? []), m]);
  }
  const mounts = [...byDevice.values()].map((g) => toHostMount(g, v1Names, links))
    .sort((a, b) => a.version - b.version || (a.mountPoint < b.mountPoint ? -1 : a.mountPoint > b.mountPoint ? 1 : 0));
  if (mounts.length === 0) throw new CgroupError('ENODEV', 'read', MOUNTINFO, 'no cgroup or cgroup2 filesystem is mounted');
  for (const m of mounts) {
    const id = hierarchyIdOf(m, known, self);
    if (id !== undefined) m.hierarchyId = id;
  }
  return { kind: kindOf(mounts), mounts, known: [...known] };
}

function hostPath(root: string, p: string): string {
  return root === '/' ? p : posix.join(root, p);
}

function parseKnown(text: string | undefined): KnownController[] {
  return text === undefined ? [] : parseProcCgroups(text);
}

/** Directories holding the mount points, where symlink aliases may sit. */
function linkDirs(mounts: readonly MountInfo[]): string[] {
  return [...new Set(visibleCgroupMounts(mounts).map((m) => posix.dirname(m.mountPoint)))];
}

function orAbsent<T>(read: () => T, syscall: 'open' | 'scandir' | 'read', path: string): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isErrnoLike(e) && e.code === 'ENOENT') return undefined;
    throw toCgroupError(e, syscall, path);
  }
}

async function orAbsentAsync<T>(read: () => Promise<T>, syscall: 'open' | 'scandir' | 'read', path: string): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (isErrnoLike(e) && e.code === 'ENOENT') return undefined;
    throw toCgroupError(e, syscall, path);
  }
}

function required<T>(v: T | undefined, path: string): T {
  if (v === undefined) throw new CgroupError('ENOENT', 'open', path);
  return v;
}

/** Host files are read unless mountinfo text is injected without a root. */
function readsHost(opts: DetectOptions): boolean {
  return opts.mountinfo === undefined || opts.root !== undefined;
}

/** Synchronous detection, for constructors that cannot await (`new SimKernel({ layout: 'host' })`). */
export function detectHostLayoutSync(opts: DetectOptions = {}): HostLayout {
  const root = opts.root ?? '/';
  const read = (p: string): string | undefined => (readsHost(opts) ? orAbsent(() => readFileSync(hostPath(root, p), 'utf8'), 'open', p) : undefined);
  const mounts = parseMountInfo(opts.mountinfo ?? required(read(MOUNTINFO), MOUNTINFO));
  const procText = opts.procCgroups ?? read(PROC_CGROUPS);
  const selfText = opts.procSelfCgroup ?? read(PROC_SELF_CGROUP);
  const links = new Map<string, string>();
  for (const dir of readsHost(opts) ? linkDirs(mounts) : []) {
    const ents = orAbsent(() => readdirSync(hostPath(root, dir), { withFileTypes: true }), 'scandir', dir) ?? [];
    for (const e of ents.filter((x) => x.isSymbolicLink())) {
      const link = posix.join(dir, e.name);
      const target = orAbsent(() => readlinkSync(hostPath(root, link), 'utf8'), 'read', link);
      if (target !== undefined) links.set(link, posix.resolve(dir, target));
    }
  }
  return buildHostLayout(mounts, parseKnown(procText), links, selfText === undefined ? [] : parseProcCgroup(selfText));
}

/** Detect the host's cgroup layout from /proc/self/mountinfo and /proc/cgroups. */
export async function detectHostLayout(opts: DetectOptions = {}): Promise<HostLayout> {
  const root = opts.root ?? '/';
  const read = async (p: string): Promise<string | undefined> => (readsHost(opts) ? orAbsentAsync(() => readFile(hostPath(root, p), 'utf8'), 'open', p) : undefined);
  const mounts = parseMountInfo(opts.mountinfo ?? required(await read(MOUNTINFO), MOUNTINFO));
  const procText = opts.procCgroups ?? await read(PROC_CGROUPS);
  const selfText = opts.procSelfCgroup ?? await read(PROC_SELF_CGROUP);
  const links = new Map<string, string>();
  for (const dir of readsHost(opts) ? linkDirs(mounts) : []) {
    const ents = await orAbsentAsync(() => readdir(hostPath(root, dir), { withFileTypes: true }), 'scandir', dir) ?? [];
    for (const e of ents.filter((x) => x.isSymbolicLink())) {
      const link = posix.join(dir, e.name);
      const target = await orAbsentAsync(() => readlink(hostPath(root, link), 'utf8'), 'read', link);
      if (target !== undefined) links.set(link, posix.resolve(dir, target));
    }
  }
  return buildHostLayout(mounts, parseKnown(procText), links, selfText === undefined ? [] : parseProcCgroup(selfText));
}
