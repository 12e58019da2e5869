import type { CaseContext } from '../case.js';

export const V2 = { v2: true } as const;
export const V2_DOMAIN = { v2: true, v2Domain: true } as const;

/** The domain controller a case enables (the runner checked that there is one). */
export function dom(c: CaseContext): string {
  const d = c.domainController();
  if (d === undefined) throw new Error('no domain controller on the v2 root');
  return d;
}

/** `cgroup.events` content. */
export function events(populated: 0 | 1, frozen: 0 | 1 = 0): string {
  return `populated ${populated}\nfrozen ${frozen}\n`;
}

/** A pid-list file's content for these tasks (`p1\np2\n`). */
export function list(...names: unknown[]): string {
  return names.map((n) => `${String(n)}\n`).join('');
}
