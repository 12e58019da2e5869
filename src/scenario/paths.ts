/**
 * Group paths of a scenario: relative to the scenario root, `/` for the root
 * itself, `/a/b` below it. No `.`/`..`, empty or blank segments.
 */

/** Normalise a group path (`/a/b/` → `/a/b`); `bad()` is called (and must throw) for an invalid one. */
export function normGroup(p: string, bad: () => Error): string {
  if (!p.startsWith('/')) throw bad();
  const segs = p.split('/').filter((s) => s !== '');
  if (segs.some((s) => s === '.' || s === '..' || /[\s\0]/.test(s))) throw bad();
  return `/${segs.join('/')}`;
}

/** `/a` + `/b/c` → `/a/b/c` (an rt-app taskgroup below the task's group). */
export function joinGroup(base: string, sub: string): string {
  const segs = [...base.split('/'), ...sub.split('/')].filter((s) => s !== '' && s !== '.');
  return `/${segs.join('/')}`;
}

export function parentOf(p: string): string | undefined {
  if (p === '/') return undefined;
  const i = p.lastIndexOf('/');
  return i === 0 ? '/' : p.slice(0, i);
}

/** The root first, down to `p` itself. */
export function ancestorsAndSelf(p: string): string[] {
  const out: string[] = [];
  for (let q: string | undefined = p; q !== undefined; q = parentOf(q)) out.unshift(q);
  return out;
}

/** Is `p` the group `g` or below it? */
export function within(p: string, g: string): boolean {
  return g === '/' || p === g || p.startsWith(`${g}/`);
}

/** `/guest/cpu.max` → group `/guest`, file `cpu.max`; `/cpu.max` → group `/`. */
export function splitFilePath(p: string): { group: string; file: string } | undefined {
  const i = p.lastIndexOf('/');
  if (i < 0) return undefined;
  const file = p.slice(i + 1);
  if (file === '' || file === '.' || file === '..') return undefined;
  return { group: i === 0 ? '/' : p.slice(0, i), file };
}

/**
 * Absolute directory of scenario group `g` under a hierarchy mounted at
 * `mount`, with the scenario root at `base` inside it (`''` in the simulator).
 */
export function absDir(mount: string, base: string, g: string): string {
  return `${mount}${base}${g === '/' ? '' : g}`;
}
