import type { CssImpl } from './cgroup.js';

const PAGE = 4096n;
const pagesOf = (bytes: bigint) => (bytes <= 0n ? 0n : (bytes + PAGE - 1n) / PAGE);

type MemCss = CssImpl<unknown>;

/**
 * The test's own ledger of memory charges, kept from the operations alone,
 * following the rules the memory table documents: a charge of `bytes` is
 * whole pages charged to the memory css of the process's leader at that
 * moment, and stays with that css when the process moves; an uncharge
 * gives back at most what the process holds (its rss), from its current
 * css first, then from the groups it charged before in the order it first
 * charged them; a process's charges go when its leader exits. A css's
 * usage is then the pages charged to it or to any css below it (parent
 * links are fixed at creation, so removed groups still count upward).
 */
export class MemoryShadow {
  /** tgid -> css -> pages, in the order each css was first charged. */
  private readonly ledger = new Map<number, Map<MemCss, bigint>>();
  /** tgid -> bytes held (the model's rss, which limits an uncharge). */
  private readonly rss = new Map<number, bigint>();

  charged(tgid: number, css: MemCss | undefined, bytes: bigint): void {
    this.rss.set(tgid, (this.rss.get(tgid) ?? 0n) + bytes);
    const pages = pagesOf(bytes);
    if (!css || pages === 0n) return;
    const m = this.ledger.get(tgid) ?? new Map<MemCss, bigint>();
    this.ledger.set(tgid, m);
    m.set(css, (m.get(css) ?? 0n) + pages);
  }

  uncharged(tgid: number, css: MemCss | undefined, bytes: bigint): void {
    const rss = this.rss.get(tgid) ?? 0n;
    const amount = bytes > rss ? rss : bytes;
    this.rss.set(tgid, rss - amount);
    const m = this.ledger.get(tgid);
    if (!css || !m) return;
    let want = pagesOf(amount);
    for (const c of [css, ...[...m.keys()].filter((x) => x !== css)]) {
      const have = m.get(c) ?? 0n;
      const take = want < have ? want : have;
      want -= take;
      if (have - take > 0n) m.set(c, have - take);
      else m.delete(c);
    }
  }

  /** Forget processes whose leader is no longer live. */
  prune(isLive: (tgid: number) => boolean): void {
    for (const tgid of new Set([...this.ledger.keys(), ...this.rss.keys()])) {
      if (isLive(tgid)) continue;
      this.ledger.delete(tgid);
      this.rss.delete(tgid);
    }
  }

  /** Bytes charged to `css` or below. */
  usage(css: MemCss): bigint {
    let pages = 0n;
    for (const m of this.ledger.values()) {
      for (const [c, n] of m) {
        for (let x: MemCss | null = c; x; x = x.parent) {
          if (x !== css) continue;
          pages += n;
          break;
        }
      }
    }
    return pages * PAGE;
  }
}
