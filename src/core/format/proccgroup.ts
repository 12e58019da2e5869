import { CgroupError } from '../errors.js';

/**
 * /proc/<pid>/cgroup: one line per hierarchy, `ID:CONTROLLERS:PATH`.
 * v1 lines name their controllers (`4:memory:/a`, `9:name=systemd:/`,
 * `3:cpu,cpuacct:/`); the v2 line is `0::/path`. The path is everything
 * after the second colon (a group name may contain `:`); it is relative to
 * the reader's cgroup namespace and is kept exactly as printed (the kernel
 * appends ` (deleted)` for a zombie whose group was removed).
 */
export interface ProcCgroupLine {
  hierarchyId: number;
  /** Empty on the v2 line. */
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const out: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9]+):([^:]*):(\/.*)$/.exec(line);
    if (!m || !Number.isSafeInteger(Number(m[1]))) {
      throw new CgroupError('EINVAL', 'read', undefined, `not a /proc/<pid>/cgroup line: ${JSON.stringify(line)}`);
    }
    out.push({ hierarchyId: Number(m[1]), controllers: m[2] === '' ? [] : m[2]!.split(','), path: m[3]! });
  }
  return out;
}

export function formatProcCgroup(lines: Iterable<ProcCgroupLine>): string {
  let s = '';
  for (const l of lines) s += `${l.hierarchyId}:${l.controllers.join(',')}:${l.path}\n`;
  return s;
}
