import { CgroupError } from '../core/errors.js';
import type { ProcCgroupLine } from '../core/format/proccgroup.js';

/** One controller the running kernel knows, from `/proc/cgroups`. */
export interface KnownController {
  /** Name as v2 spells it (`io`). */
  name: string;
  /** Name as /proc/cgroups and v1 mount options spell it (`blkio`). */
  v1Name: string;
  /** v1 hierarchy id it is bound to; 0 when on v2 (or unmounted). Absent if the kernel omits the column. */
  hierarchy?: number;
  /** Number of cgroups with this controller's css. Absent if the kernel omits the column. */
  numCgroups?: number;
  /** False when disabled on the kernel command line (`cgroup_disable=`). */
  enabled: boolean;
}

const PROC_CGROUPS = '/proc/cgroups';

/** v1 spelling to v2 spelling: only `blkio` differs. */
export function v2ControllerName(v1Name: string): string {
  return v1Name === 'blkio' ? 'io' : v1Name;
}

/** v2 spelling to v1 spelling. */
export function v1ControllerName(name: string): string {
  return name === 'io' ? 'blkio' : name;
}

function bad(why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', PROC_CGROUPS, why);
}

function column(cols: readonly string[], row: readonly string[], key: string, line: string): number | undefined {
  const i = cols.indexOf(key);
  if (i < 0) return undefined;
  const v = row[i];
  if (v === undefined || !/^[0-9]+$/.test(v)) throw bad(`bad ${key} in '${line}'`);
  return Number(v);
}

/**
 * Parse `/proc/cgroups`. Columns are found by the header's names
 * (`#subsys_name hierarchy num_cgroups enabled`), not by position, so a
 * kernel that drops a column still parses.
 */
export function parseProcCgroups(text: string): KnownController[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0];
  if (head === undefined || !head.startsWith('#')) throw bad('missing header line');
  const cols = head.slice(1).trim().split(/\s+/);
  if (cols[0] !== 'subsys_name' || !cols.includes('enabled')) throw bad(`unexpected header '${head}'`);
  return lines.slice(1).map((line) => {
    const row = line.trim().split(/\s+/);
    if (row.length !== cols.length) throw bad(`expected ${cols.length} columns: '${line}'`);
    const v1Name = row[0]!;
    const k: KnownController = { name: v2ControllerName(v1Name), v1Name, enabled: column(cols, row, 'enabled', line) === 1 };
    const hierarchy = column(cols, row, 'hierarchy', line);
    const numCgroups = column(cols, row, 'num_cgroups', line);
    if (hierarchy !== undefined) k.hierarchy = hierarchy;
    if (numCgroups !== undefined) k.numCgroups = numCgroups;
    return k;
  });
}

/** Format like the kernel (tab separated, all four columns; missing numbers print as 0). */
export function formatProcCgroups(ks: Iterable<KnownController>): string {
  let s = '#subsys_name\thierarchy\tnum_cgroups\tenabled\n';
  for (const k of ks) s += `${k.v1Name}\t${k.hierarchy ?? 0}\t${k.numCgroups ?? 0}\t${k.enabled ? 1 : 0}\n`;
  return s;
}

/**
 * The line of a `/proc/<pid>/cgroup` (parsed by `parseProcCgroup`) that
 * belongs to a mounted hierarchy: v2 is hierarchy 0; a v1 mount is matched
 * by its controllers (v2 spelling) and `name=`.
 */
export function pidCgroupFor(lines: readonly ProcCgroupLine[], mount: { version: 1 | 2; controllers: readonly string[]; name?: string }): ProcCgroupLine | undefined {
  if (mount.version === 2) return lines.find((l) => l.hierarchyId === 0);
  const want = [...mount.controllers.map(v1ControllerName), ...(mount.name === undefined ? [] : [`name=${mount.name}`])].sort().join(',');
  return lines.find((l) => l.hierarchyId !== 0 && [...l.controllers].sort().join(',') === want);
}
