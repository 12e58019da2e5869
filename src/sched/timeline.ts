/**
 * The run queue's timeline: queued entities ordered by virtual deadline, the
 * kernel's augmented rbtree rebuilt as an AVL tree (height ≤ 1.44·log2(n+2),
 * so insert, remove and the pick descent are O(log n) in the worst case).
 *
 * Order: deadline, then insertion order among equal deadlines — the order in
 * which rb_add_augmented_cached() lays out equal keys (a new node goes to the
 * right of its equals). Augmentation per node, as `min_vruntime_update()`:
 * the minimum vruntime and the minimum slice of its subtree. The pick
 * (eevdf.ts) descends on these fields directly. An entity's vruntime, slice
 * and deadline must not change while it is in the tree.
 */
import type { SchedEntity } from './entity.js';

function less(a: SchedEntity, b: SchedEntity): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

function h(n: SchedEntity | null): number {
  return n === null ? 0 : n.height;
}

/** Recomputes height and the two subtree minima from the children. */
function pull(n: SchedEntity): void {
  const l = n.left;
  const r = n.right;
  let hv = 0;
  let mv = n.vruntime;
  let ms = n.slice;
  if (l !== null) {
    hv = l.height;
    if (l.minVruntime < mv) mv = l.minVruntime;
    if (l.minSlice < ms) ms = l.minSlice;
  }
  if (r !== null) {
    if (r.height > hv) hv = r.height;
    if (r.minVruntime < mv) mv = r.minVruntime;
    if (r.minSlice < ms) ms = r.minSlice;
  }
  n.height = hv + 1;
  n.minVruntime = mv;
  n.minSlice = ms;
}

function rotateRight(n: SchedEntity): SchedEntity {
  const l = n.left!;
  n.left = l.right;
  l.right = n;
  pull(n);
  pull(l);
  return l;
}

function rotateLeft(n: SchedEntity): SchedEntity {
  const r = n.right!;
  n.right = r.left;
  r.left = n;
  pull(n);
  pull(r);
  return r;
}

function rebalance(n: SchedEntity): SchedEntity {
  pull(n);
  const bf = h(n.left) - h(n.right);
  if (bf > 1) {
    const l = n.left!;
    if (h(l.left) < h(l.right)) n.left = rotateLeft(l);
    return rotateRight(n);
  }
  if (bf < -1) {
    const r = n.right!;
    if (h(r.right) < h(r.left)) n.right = rotateRight(r);
    return rotateLeft(n);
  }
  return n;
}

function insertAt(n: SchedEntity | null, se: SchedEntity): SchedEntity {
  if (n === null) return se;
  if (less(se, n)) n.left = insertAt(n.left, se);
  else n.right = insertAt(n.right, se);
  return rebalance(n);
}

/** Detaches the leftmost node of `n`'s subtree into `out[0]` and returns the new subtree. */
function removeMin(n: SchedEntity, out: SchedEntity[]): SchedEntity | null {
  if (n.left === null) {
    out[0] = n;
    return n.right;
  }
  n.left = removeMin(n.left, out);
  return rebalance(n);
}

const scratch: SchedEntity[] = [];

function removeAt(n: SchedEntity | null, se: SchedEntity): SchedEntity | null {
  if (n === null) throw new Error(`entity ${se.id} is not in the timeline`);
  if (n === se) {
    if (n.left === null) return n.right;
    if (n.right === null) return n.left;
    const right = removeMin(n.right, scratch);
    const succ = scratch[0]!;
    succ.left = n.left;
    succ.right = right;
    return rebalance(succ);
  }
  if (less(se, n)) n.left = removeAt(n.left, se);
  else n.right = removeAt(n.right, se);
  return rebalance(n);
}

export class Timeline {
  root: SchedEntity | null = null;
  size = 0;
  private nextSeq = 0;

  insert(se: SchedEntity): void {
    if (se.height !== 0) throw new Error(`entity ${se.id} is already in a timeline`);
    se.left = null;
    se.right = null;
    se.seq = this.nextSeq++;
    pull(se);
    this.root = insertAt(this.root, se);
    this.size++;
  }

  remove(se: SchedEntity): void {
    if (se.height === 0) throw new Error(`entity ${se.id} is not in a timeline`);
    this.root = removeAt(this.root, se);
    se.left = null;
    se.right = null;
    se.height = 0;
    this.size--;
  }

  /** The entity with the earliest deadline (rb_first_cached). */
  first(): SchedEntity | null {
    let n = this.root;
    if (n === null) return null;
    while (n.left !== null) n = n.left;
    return n;
  }

  /** In-order list (earliest deadline first). O(n); for tests and debugging. */
  toArray(): SchedEntity[] {
    const out: SchedEntity[] = [];
    const walk = (n: SchedEntity | null): void => {
      if (n === null) return;
      walk(n.left);
      out.push(n);
      walk(n.right);
    };
    walk(this.root);
    return out;
  }

  /** Checks order, balance, heights, augmentation and size; returns the first violation or null. O(n). */
  check(): string | null {
    let count = 0;
    let prev: SchedEntity | null = null;
    const visit = (n: SchedEntity | null): string | null => {
      if (n === null) return null;
      const e = visit(n.left);
      if (e) return e;
      count++;
      if (prev !== null && !less(prev, n)) return `order: ${prev.id} before ${n.id}`;
      prev = n;
      const hl = h(n.left);
      const hr = h(n.right);
      if (Math.abs(hl - hr) > 1) return `balance at ${n.id}`;
      if (n.height !== Math.max(hl, hr) + 1) return `height at ${n.id}`;
      const mv = Math.min(n.vruntime, n.left?.minVruntime ?? Infinity, n.right?.minVruntime ?? Infinity);
      const ms = Math.min(n.slice, n.left?.minSlice ?? Infinity, n.right?.minSlice ?? Infinity);
      if (n.minVruntime !== mv) return `minVruntime at ${n.id}`;
      if (n.minSlice !== ms) return `minSlice at ${n.id}`;
      return visit(n.right);
    };
    const e = visit(this.root);
    if (e) return e;
    return count === this.size ? null : `size ${this.size} but ${count} nodes`;
  }
}
