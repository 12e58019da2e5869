import { CgroupError } from '../errors.js';

/**
 * Newline-separated ids (cgroup.procs, cgroup.threads, v1 tasks), one
 * decimal id per line. A line that is not a plain non-negative decimal
 * integer is an error, never NaN.
 */
export function parseIdList(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '') continue;
    if (!/^[0-9]+$/.test(l) || !Number.isSafeInteger(Number(l))) {
      throw new CgroupError('EINVAL', 'read', undefined, `not an id: ${JSON.stringify(raw)}`);
    }
    out.push(Number(l));
  }
  return out;
}

export function formatIdList(ids: Iterable<number>): string {
  let s = '';
  for (const id of ids) s += `${id}\n`;
  return s;
}

/**
 * Space-separated words (cgroup.controllers, cgroup.subtree_control,
 * cpuacct.usage_percpu). The kernel prints `a b c\n`, and nothing at all —
 * not even a newline — when the list is empty (an empty
 * cgroup.subtree_control reads as the empty file). cpuacct.usage_percpu
 * leaves a space before its newline; parsing ignores it.
 */
export function parseWords(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w !== '');
}

export function formatWords(words: Iterable<string>): string {
  const ws = [...words];
  return ws.length === 0 ? '' : ws.join(' ') + '\n';
}
