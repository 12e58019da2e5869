/**
 * The pending-event set of the simulator: a 4-ary min-heap keyed on
 * `(time, seq)`, stored as parallel typed arrays (no object per event), with
 * O(log n) insertion, removal of the minimum and removal of any event by id.
 *
 * Each pending event occupies a slot (its handler, its heap position and a
 * generation number). An event id is `generation * SLOTS + slot`, so an id
 * stays unique after its slot is reused: cancelling an event that already
 * ran, or was already cancelled, finds a different generation and does
 * nothing. A slot whose generation is used up is retired, never reused, so no
 * id is ever issued twice.
 *
 * Memory is bounded by the largest number of events pending at once: removed
 * events free their slot and heap cell immediately (there are no tombstones).
 *
 * Taking the minimum leaves a hole at the root instead of refilling it at
 * once. When the next operation is an insertion — the usual case, a handler
 * scheduling its successor — the new event goes into the hole and sifts down,
 * which saves the insertion's sift-up (about 5% in src/bench/engine-bench.ts).
 * Any other operation fills the hole first.
 */

/** What runs when an event fires. */
export type Handler = () => void;

/** Identifies one scheduled event; see {@link EventQueue.remove}. */
export type EventId = number;

/** Slots available; ids are below `SLOTS * GENERATIONS` = 2^53. */
const SLOTS = 2 ** 26;
const GENERATIONS = 2 ** 27;
/**
 * The heap is 2^SHIFT-ary. Measured with 1k / 64k / 1M pending, 4 children
 * per node ran 5–15% more events per second than 2 or 8 at every size.
 */
const SHIFT = 2;
const ARITY = 1 << SHIFT;
const INITIAL = 64;

export class EventQueue {
  // The heap: cell i holds the event (heapTime[i], heapSeq[i]) living in slot heapSlot[i].
  private heapTime = new Float64Array(INITIAL);
  private heapSeq = new Float64Array(INITIAL);
  private heapSlot = new Int32Array(INITIAL);
  private count = 0;
  // The slots: handler, heap position (-1 when free) and generation.
  private handlers: (Handler | undefined)[] = [];
  private slotPos = new Int32Array(INITIAL);
  private slotGen = new Uint32Array(INITIAL);
  private freeSlots = new Int32Array(INITIAL);
  private freeCount = 0;
  private slotsUsed = 0;
  private nextSeq = 0;
  /** True when cell 0 is vacant (counted in `count`): the minimum was taken and nothing refilled it yet. */
  private hole = false;

  /** Number of pending events. */
  get size(): number {
    return this.hole ? this.count - 1 : this.count;
  }

  /** Time of the earliest pending event; only meaningful when `size > 0`. */
  minTime(): number {
    if (this.hole) this.fillHole();
    return this.heapTime[0]!;
  }

  /** Adds an event; `time` must already be validated by the caller. */
  insert(time: number, fn: Handler): EventId {
    const seq = this.nextSeq++;
    if (seq >= Number.MAX_SAFE_INTEGER) throw new RangeError('event sequence counter exhausted');
    const slot = this.allocSlot();
    this.handlers[slot] = fn;
    if (this.hole) {
      this.hole = false;
      this.siftDown(0, time, seq, slot);
    } else {
      if (this.count === this.heapTime.length) this.growHeap();
      this.siftUp(this.count++, time, seq, slot);
    }
    return this.slotGen[slot]! * SLOTS + slot;
  }

  /**
   * Removes the earliest event and returns its handler (the caller reads
   * `minTime()` first); undefined when the queue is empty.
   */
  popMin(): Handler | undefined {
    if (this.hole) this.fillHole();
    if (this.count === 0) return undefined;
    this.hole = true;
    return this.releaseSlot(this.heapSlot[0]!);
  }

  /** Removes a pending event; false when `id` is not pending (already ran, cancelled, or never issued). */
  remove(id: EventId): boolean {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`not an event id: ${String(id)}`);
    const slot = id % SLOTS;
    if (slot >= this.slotsUsed) return false;
    const pos = this.slotPos[slot]!;
    if (pos < 0 || this.slotGen[slot] !== (id - slot) / SLOTS) return false;
    if (this.hole) this.fillHole();
    this.removeAt(this.slotPos[slot]!);
    this.releaseSlot(slot);
    return true;
  }

  /** True when `id` names a pending event. */
  has(id: EventId): boolean {
    if (!Number.isSafeInteger(id) || id < 0) return false;
    const slot = id % SLOTS;
    return slot < this.slotsUsed && this.slotPos[slot]! >= 0 && this.slotGen[slot] === (id - slot) / SLOTS;
  }

  /** Time of a pending event, or undefined when `id` is not pending. */
  timeOf(id: EventId): number | undefined {
    return this.has(id) ? this.heapTime[this.slotPos[id % SLOTS]!] : undefined;
  }

  /** Refills a vacant root with the last cell. */
  private fillHole(): void {
    this.hole = false;
    this.removeAt(0);
  }

  /** Removes the heap cell `pos`, filling it with the last cell. */
  private removeAt(pos: number): void {
    const last = --this.count;
    if (pos === last) return;
    const t = this.heapTime[last]!;
    const s = this.heapSeq[last]!;
    const slot = this.heapSlot[last]!;
    const p = (pos - 1) >> SHIFT;
    if (pos > 0 && (t < this.heapTime[p]! || (t === this.heapTime[p]! && s < this.heapSeq[p]!))) {
      this.siftUp(pos, t, s, slot);
    } else {
      this.siftDown(pos, t, s, slot);
    }
  }

  /** Places (t, s, slot) at or above the hole `i`. */
  private siftUp(i: number, t: number, s: number, slot: number): void {
    const ht = this.heapTime, hs = this.heapSeq, hslot = this.heapSlot, pos = this.slotPos;
    while (i > 0) {
      const p = (i - 1) >> SHIFT;
      const pt = ht[p]!;
      if (pt < t || (pt === t && hs[p]! < s)) break;
      ht[i] = pt;
      hs[i] = hs[p]!;
      const ps = hslot[p]!;
      hslot[i] = ps;
      pos[ps] = i;
      i = p;
    }
    ht[i] = t;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i;
  }

  /** Places (t, s, slot) at or below the hole `i`. */
  private siftDown(i: number, t: number, s: number, slot: number): void {
    const ht = this.heapTime, hs = this.heapSeq, hslot = this.heapSlot, pos = this.slotPos;
    const n = this.count;
    for (;;) {
      const first = (i << SHIFT) + 1;
      if (first >= n) break;
      // The smallest of up to four children.
      let c = first;
      let ct = ht[c]!;
      let cs = hs[c]!;
      const end = first + ARITY < n ? first + ARITY : n;
      for (let j = first + 1; j < end; j++) {
        const jt = ht[j]!;
        if (jt < ct || (jt === ct && hs[j]! < cs)) {
          c = j;
          ct = jt;
          cs = hs[j]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      ht[i] = ct;
      hs[i] = cs;
      const cslot = hslot[c]!;
      hslot[i] = cslot;
      pos[cslot] = i;
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotsUsed === SLOTS) throw new RangeError(`more than ${SLOTS} events pending`);
    if (this.slotsUsed === this.slotPos.length) this.growSlots();
    return this.slotsUsed++;
  }

  /** Frees a slot: bumps its generation so its old id goes stale, and returns its handler. */
  private releaseSlot(slot: number): Handler | undefined {
    const fn = this.handlers[slot];
    this.handlers[slot] = undefined;
    this.slotPos[slot] = -1;
    const gen = this.slotGen[slot]! + 1;
    if (gen < GENERATIONS) {
      this.slotGen[slot] = gen;
      this.freeSlots[this.freeCount++] = slot;
    }
    // else: every id of this slot has been issued; it stays out of use.
    return fn;
  }

  private growHeap(): void {
    const n = this.heapTime.length * 2;
    this.heapTime = grow(this.heapTime, new Float64Array(n));
    this.heapSeq = grow(this.heapSeq, new Float64Array(n));
    this.heapSlot = grow(this.heapSlot, new Int32Array(n));
  }

  private growSlots(): void {
    const n = Math.min(this.slotPos.length * 2, SLOTS);
    this.slotPos = grow(this.slotPos, new Int32Array(n));
    this.slotGen = grow(this.slotGen, new Uint32Array(n));
    this.freeSlots = grow(this.freeSlots, new Int32Array(n));
  }
}

function grow<A extends Float64Array | Int32Array | Uint32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
