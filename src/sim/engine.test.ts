import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './engine.js';
import type { EventId } from './engine.js';

const isRange = (e: unknown): boolean => e instanceof RangeError;

test('events at equal times run in the order they were scheduled', () => {
  const e = new Engine();
  const log: string[] = [];
  e.at(20, () => log.push('c'));
  e.at(10, () => log.push('a'));
  e.at(20, () => log.push('d'));
  e.at(10, () => log.push('b'));
  e.at(20, () => log.push('e'));
  assert.equal(e.pending, 5);
  assert.equal(e.nextTime, 10);
  e.runUntil(100);
  assert.deepEqual(log, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(e.processed, 5);
  assert.equal(e.pending, 0);
  assert.equal(e.nextTime, undefined);
});

test('now is the event time inside a handler and the target after runUntil', () => {
  const e = new Engine();
  const seen: number[] = [];
  e.at(7, () => seen.push(e.now));
  e.at(3_000_000_000, () => seen.push(e.now));
  assert.equal(e.runUntil(5_000_000_000), 2);
  assert.deepEqual(seen, [7, 3_000_000_000]);
  assert.equal(e.now, 5_000_000_000);
});

test('runUntil includes its end time and stops before the next nanosecond', () => {
  const e = new Engine();
  const log: number[] = [];
  for (const t of [99, 100, 100, 101]) e.at(t, () => log.push(t));
  assert.equal(e.runUntil(100), 3);
  assert.deepEqual(log, [99, 100, 100]);
  assert.equal(e.now, 100);
  assert.equal(e.pending, 1);
  assert.equal(e.runUntil(100), 0, 'running to now again runs nothing new');
  assert.equal(e.runFor(1), 1);
  assert.deepEqual(log, [99, 100, 100, 101]);
});

test('events scheduled at now by a handler run in the same runUntil, after those already due', () => {
  const e = new Engine();
  const log: string[] = [];
  e.at(5, () => {
    log.push('first');
    e.after(0, () => log.push('zero-delay'));
    e.at(5, () => log.push('same-time'));
    e.at(6, () => log.push('later'));
  });
  e.at(5, () => log.push('second'));
  e.runUntil(5);
  assert.deepEqual(log, ['first', 'second', 'zero-delay', 'same-time']);
  e.runUntil(6);
  assert.deepEqual(log.at(-1), 'later');
});

test('step runs one event at a time and reports an empty queue', () => {
  const e = new Engine({ startNs: 1000 });
  assert.equal(e.step(), false);
  assert.equal(e.now, 1000);
  e.after(5, () => {});
  e.after(2, () => {});
  assert.equal(e.step(), true);
  assert.equal(e.now, 1002);
  assert.equal(e.step(), true);
  assert.equal(e.now, 1005);
  assert.equal(e.step(), false);
  assert.equal(e.processed, 2);
});

test('times must be safe integers and never in the past', () => {
  const e = new Engine();
  e.runUntil(50);
  for (const bad of [49, -1, 1.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 53)]) {
    assert.throws(() => e.at(bad, () => {}), isRange, `at(${bad})`);
    assert.throws(() => e.runUntil(bad), isRange, `runUntil(${bad})`);
  }
  for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) assert.throws(() => e.after(bad, () => {}), isRange, `after(${bad})`);
  assert.throws(() => e.after(Number.MAX_SAFE_INTEGER - 10, () => {}), isRange, 'now + delay beyond 2^53');
  assert.throws(() => new Engine({ startNs: -5 }), isRange);
  assert.throws(() => new Engine({ startNs: 0.5 }), isRange);
  assert.equal(e.pending, 0, 'rejected events are not scheduled');
  e.at(50, () => {});
  e.at(Number.MAX_SAFE_INTEGER, () => {});
  assert.equal(e.runUntil(Number.MAX_SAFE_INTEGER), 2);
});

test('a cancelled event never runs, and cancelling twice or after the run does nothing', () => {
  const e = new Engine();
  const log: string[] = [];
  const a = e.at(10, () => log.push('a'));
  const b = e.at(10, () => log.push('b'));
  const c = e.at(20, () => log.push('c'));
  assert.equal(e.isPending(b), true);
  assert.equal(e.timeOf(c), 20);
  assert.equal(e.cancel(b), true);
  assert.equal(e.cancel(b), false);
  assert.equal(e.isPending(b), false);
  assert.equal(e.timeOf(b), undefined);
  e.runUntil(15);
  assert.equal(e.cancel(a), false, 'already ran');
  assert.equal(e.cancel(c), true);
  e.runUntil(30);
  assert.deepEqual(log, ['a']);
  assert.equal(e.processed, 1);
  assert.equal(e.cancel(123456789), false, 'never issued');
  for (const bad of [-1, 1.5, Number.NaN]) assert.throws(() => e.cancel(bad), isRange);
});

test('a handler can cancel a later event due at the same time, and its own id is no longer pending', () => {
  const e = new Engine();
  const log: string[] = [];
  let self: EventId = -1;
  let victim: EventId = -1;
  self = e.at(10, () => {
    log.push('killer');
    assert.equal(e.isPending(self), false);
    assert.equal(e.cancel(self), false);
    assert.equal(e.cancel(victim), true);
  });
  victim = e.at(10, () => log.push('victim'));
  e.at(10, () => log.push('bystander'));
  e.runUntil(10);
  assert.deepEqual(log, ['killer', 'bystander']);
});

test('ids stay unique when slots are reused: a stale id never cancels a newer event', () => {
  const e = new Engine();
  const seen = new Set<EventId>();
  let ran = 0;
  for (let i = 0; i < 2000; i++) {
    const old = e.after(1, () => { ran++; });
    assert.ok(!seen.has(old));
    seen.add(old);
    e.runFor(1);
    const fresh = e.after(1, () => { ran++; });
    assert.equal(e.cancel(old), false);
    assert.equal(e.isPending(fresh), true);
    e.runFor(1);
    seen.add(fresh);
  }
  assert.equal(ran, 4000);
});

test('handlers cannot drive the engine themselves; an error in a handler leaves the engine usable', () => {
  const e = new Engine();
  e.at(1, () => e.runUntil(10));
  assert.throws(() => e.runUntil(5), /inside an event handler/);
  e.at(2, () => { e.step(); });
  assert.throws(() => e.step(), /inside an event handler/);
  e.at(3, () => { throw new Error('boom'); });
  assert.throws(() => e.runUntil(5), /boom/);
  assert.equal(e.now, 3, 'now stays at the failing event');
  let ok = false;
  e.at(4, () => { ok = true; });
  e.runUntil(5);
  assert.equal(ok, true);
  assert.equal(e.processed, 4);
});
