import { CgroupError } from '../errors.js';

/**
 * Range lists as in cpuset.cpus: `0-3,6,8-10`. Parsed to a sorted set of
 * integers; formatted in the kernel's canonical form (ranges merged, `%*pbl`).
 * Empty text is the empty set. `0-7:2/4` (stride groups) is accepted as the
 * kernel's bitmap_parselist accepts it.
 */
export function parseCpuList(text: string, limit = 8192): number[] {
  const t = text.trim();
  if (t === '') return [];
  const set = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/.exec(part.trim());
    if (!m) throw new CgroupError('EINVAL', 'write', undefined, `not a CPU list: '${text}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (b < a || group === 0 || used > group || used === 0) throw new CgroupError('EINVAL', 'write', undefined, `bad range '${part}'`);
    if (b >= limit) throw new CgroupError('ERANGE', 'write', undefined, `${b} is past the last CPU`);
    for (let i = a; i <= b; i++) if ((i - a) % group < used) set.add(i);
  }
  return [...set].sort((x, y) => x - y);
}

export function formatCpuList(cpus: Iterable<number>): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',') + '\n';
}
