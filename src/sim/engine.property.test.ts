/**
 * The engine against a reference that keeps every event in a plain array and
 * scans it for the smallest (time, seq) at each step: random programs of
 * at/after/cancel/step/runUntil, whose handlers themselves schedule and
 * cancel, must give the same log on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine } from './engine.js';

interface Api {
  readonly now: number;
  readonly pending: number;
  readonly processed: number;
  at(t: number, fn: () => void): number;
  after(d: number, fn: () => void): number;
  cancel(id: number): boolean;
  step(): boolean;
  runUntil(t: number): number;
}

class Reference implements Api {
  now = 0;
  processed = 0;
  private seq = 0;
  private events: { t: number; seq: number; fn: () => void }[] = [];

  get pending(): number {
    return this.events.length;
  }
  at(t: number, fn: () => void): number {
    if (t < this.now) throw new RangeError('past');
    this.events.push({ t, seq: this.seq, fn });
    return this.seq++;
  }
  after(d: number, fn: () => void): number {
    return this.at(this.now + d, fn);
  }
  cancel(id: number): boolean {
    const i = this.events.findIndex((e) => e.seq === id);
    if (i < 0) return false;
    this.events.splice(i, 1);
    return true;
  }
  private minIndex(): number {
    let best = -1;
    this.events.forEach((e, i) => {
      const b = this.events[best];
      if (!b || e.t < b.t || (e.t === b.t && e.seq < b.seq)) best = i;
    });
    return best;
  }
  step(): boolean {
    const i = this.minIndex();
    if (i < 0) return false;
    const [e] = this.events.splice(i, 1);
    this.now = e!.t;
    this.processed++;
    e!.fn();
    return true;
  }
  runUntil(t: number): number {
    const before = this.processed;
    for (let i = this.minIndex(); i >= 0 && this.events[i]!.t <= t; i = this.minIndex()) this.step();
    this.now = t;
    return this.processed - before;
  }
}

/** What a handler does when it runs. */
type Reaction = { kind: 'after'; d: number } | { kind: 'at'; dt: number } | { kind: 'cancel'; pick: number };
/** What the test driver does between runs. */
type Op = Reaction | { kind: 'step' } | { kind: 'run'; dt: number } | { kind: 'past'; back: number };

const reactionArb: fc.Arbitrary<Reaction> = fc.oneof(
  fc.record({ kind: fc.constant('after' as const), d: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('at' as const), dt: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: reactionArb, weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('step' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('run' as const), dt: fc.integer({ min: 0, max: 40 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('past' as const), back: fc.integer({ min: 1, max: 5 }) }), weight: 1 },
);

/** Runs a program on one engine and returns everything observable, in order. */
function execute(api: Api, ops: Op[], reactions: Reaction[][]): string[] {
  const log: string[] = [];
  const ids: number[] = [];
  const schedule = (r: Reaction, generation: number): void => {
    if (r.kind === 'cancel') {
      if (ids.length > 0) {
        const k = r.pick % ids.length;
        log.push(`cancel ${k} ${api.cancel(ids[k]!)}`);
      }
      return;
    }
    const label = ids.length;
    const fn = (): void => {
      log.push(`run ${label} @${api.now}`);
      // Bounded cascade: events scheduled by handlers schedule more only a few generations deep.
      if (generation >= 3) return;
      for (const child of reactions[label % reactions.length] ?? []) schedule(child, generation + 1);
    };
    ids.push(r.kind === 'after' ? api.after(r.d, fn) : api.at(api.now + r.dt, fn));
  };
  for (const op of ops) {
    if (op.kind === 'step') log.push(`step ${api.step()}`);
    else if (op.kind === 'run') log.push(`ran ${api.runUntil(api.now + op.dt)}`);
    else if (op.kind === 'past') {
      if (api.now >= op.back) assert.throws(() => api.at(api.now - op.back, () => {}), RangeError);
    } else {
      schedule(op, 0);
    }
    log.push(`now ${api.now} pending ${api.pending} processed ${api.processed}`);
  }
  log.push(`drain ${api.runUntil(api.now + 1000)}`);
  return log;
}

test('property: the engine runs every program exactly as the reference does', () => {
  fc.assert(fc.property(
    fc.array(opArb, { maxLength: 120 }),
    fc.array(fc.array(reactionArb, { maxLength: 3 }), { minLength: 1, maxLength: 8 }),
    (ops, reactions) => {
      assert.deepEqual(execute(new Engine(), ops, reactions), execute(new Reference(), ops, reactions));
    },
  ), { numRuns: 400 });
});

test('property: handlers run in non-decreasing time, ties in scheduling order, never after cancel', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 200 }), (plan) => {
    const e = new Engine();
    const ran: [number, number][] = [];
    const ids = plan.map(([t], i) => e.at(t, () => ran.push([e.now, i])));
    const cancelled = new Set<number>();
    plan.forEach(([, cancel], i) => { if (cancel) { assert.equal(e.cancel(ids[i]!), true); cancelled.add(i); } });
    e.runUntil(50);
    assert.equal(ran.length, plan.length - cancelled.size);
    for (let k = 0; k < ran.length; k++) {
      const [t, i] = ran[k]!;
      assert.ok(!cancelled.has(i));
      assert.equal(t, plan[i]![0]);
      if (k > 0) {
        const [pt, pi] = ran[k - 1]!;
        assert.ok(pt < t || (pt === t && pi < i));
      }
    }
  }), { numRuns: 300 });
});
