/** Newline-separated ids (cgroup.procs, tasks). */
export function parseIdList(text: string): number[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => Number(l));
}

export function formatIdList(ids: Iterable<number>): string {
  let s = '';
  for (const id of ids) s += `${id}\n`;
  return s;
}

/** Space-separated words (cgroup.controllers, cgroup.subtree_control). */
export function parseWords(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w !== '');
}

export function formatWords(words: Iterable<string>): string {
  return [...words].join(' ') + '\n';
}
