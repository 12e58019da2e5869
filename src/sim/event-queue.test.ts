import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventQueue } from './event-queue.js';
import type { EventId } from './event-queue.js';

/** The queue's internal array lengths (its memory), read for the bound checks below. */
function capacity(q: EventQueue): { heap: number; slots: number } {
  const inner = q as unknown as { heapTime: Float64Array; slotPos: Int32Array; handlers: unknown[] };
  return { heap: inner.heapTime.length, slots: Math.max(inner.slotPos.length, inner.handlers.length) };
}

test('memory follows the number pending, not the number ever scheduled or cancelled', () => {
  const q = new EventQueue();
  const noop = (): void => {};
  let t = 0;
  const live: EventId[] = [];
  for (let i = 0; i < 200_000; i++) {
    live.push(q.insert(t + (i % 13), noop));
    if (live.length > 20) q.remove(live.shift()!); // false when it was popped already
    if (i % 3 === 0 && q.size > 0) {
      t = q.minTime();
      q.popMin();
    }
  }
  assert.ok(q.size <= 21);
  const cap = capacity(q);
  assert.ok(cap.heap <= 64 && cap.slots <= 64, `capacity grew to ${JSON.stringify(cap)}`);
});

test('the queue grows past its initial size and keeps order', () => {
  const q = new EventQueue();
  const order: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const tag = i;
    q.insert((i * 7919) % 1000, () => order.push(tag));
  }
  assert.ok(capacity(q).heap >= 5000);
  let last = -1;
  let lastTag = -1;
  while (q.size > 0) {
    const t = q.minTime();
    assert.ok(t >= last);
    q.popMin()!();
    const tag = order.at(-1)!;
    if (t === last) assert.ok(tag > lastTag, 'equal times come out in insertion order');
    last = t;
    lastTag = tag;
  }
  assert.equal(order.length, 5000);
  assert.equal(q.popMin(), undefined);
});

type Op = { kind: 'insert'; time: number } | { kind: 'remove'; pick: number } | { kind: 'pop' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), time: fc.integer({ min: 0, max: 40 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('pop' as const) }), weight: 2 },
);

test('property: pops follow (time, insertion order) after any mix of inserts, removals and pops', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
    const q = new EventQueue();
    // Reference: the pending events as [time, seq, id], kept in a plain array.
    const ref: [number, number, EventId][] = [];
    const issued: EventId[] = [];
    let seq = 0;
    for (const op of ops) {
      if (op.kind === 'insert') {
        const s = seq++;
        const id = q.insert(op.time, () => s);
        issued.push(id);
        ref.push([op.time, s, id]);
      } else if (op.kind === 'remove') {
        if (issued.length === 0) continue;
        const id = issued[op.pick % issued.length]!;
        const i = ref.findIndex((r) => r[2] === id);
        assert.equal(q.remove(id), i >= 0);
        if (i >= 0) ref.splice(i, 1);
      } else {
        ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const want = ref.shift();
        const t = q.size > 0 ? q.minTime() : undefined;
        const fn = q.popMin() as (() => number) | undefined;
        assert.equal(fn === undefined, want === undefined);
        if (want && fn) {
          assert.equal(t, want[0]);
          assert.equal(fn(), want[1]);
        }
      }
      assert.equal(q.size, ref.length);
      for (const r of ref) assert.equal(q.timeOf(r[2]), r[0]);
    }
  }), { numRuns: 300 });
});
