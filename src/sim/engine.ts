/**
 * The discrete-event engine of the simulated kernel. Simulated time is an
 * integer number of nanoseconds held in a JS number (exact up to 2^53 ns,
 * about 104 days); there is no other clock. Events run in `(time, seq)`
 * order, `seq` being the order in which they were scheduled, so two runs that
 * schedule the same events run them in the same order.
 *
 * Handlers may schedule and cancel events (including at the current time,
 * which run later in the same step loop), but may not call `step` or
 * `runUntil` themselves.
 */
import { EventQueue } from './event-queue.js';
import type { EventId, Handler } from './event-queue.js';

export type { EventId, Handler } from './event-queue.js';

/** Throws a RangeError unless `ns` is an integer nanosecond count JS numbers hold exactly. */
export function checkNs(ns: number, what: string): void {
  if (!Number.isSafeInteger(ns)) {
    throw new RangeError(`${what} must be a safe integer number of nanoseconds (0 ≤ |t| < 2^53), got ${String(ns)}`);
  }
}

export interface EngineOptions {
  /** Simulated time at which the engine starts; 0 by default. */
  startNs?: number;
}

export class Engine {
  private readonly queue = new EventQueue();
  private nowNs: number;
  private count = 0;
  private running = false;

  constructor(options: EngineOptions = {}) {
    const start = options.startNs ?? 0;
    checkNs(start, 'startNs');
    if (start < 0) throw new RangeError(`startNs must not be negative, got ${start}`);
    this.nowNs = start;
  }

  /** Current simulated time in ns: the time of the event being run, or where the last run stopped. */
  get now(): number {
    return this.nowNs;
  }

  /** Number of events waiting to run. */
  get pending(): number {
    return this.queue.size;
  }

  /** Number of events run so far (cancelled events are not counted). */
  get processed(): number {
    return this.count;
  }

  /** Time of the next event to run, or undefined when none is pending. */
  get nextTime(): number | undefined {
    return this.queue.size > 0 ? this.queue.minTime() : undefined;
  }

  /** Schedules `fn` at absolute time `timeNs` (≥ now). Events at equal times run in scheduling order. */
  at(timeNs: number, fn: Handler): EventId {
    checkNs(timeNs, 'event time');
    if (timeNs < this.nowNs) throw new RangeError(`event time ${timeNs} ns is in the past (now ${this.nowNs} ns)`);
    return this.queue.insert(timeNs, fn);
  }

  /** Schedules `fn` `delayNs` (≥ 0) after now. */
  after(delayNs: number, fn: Handler): EventId {
    checkNs(delayNs, 'delay');
    if (delayNs < 0) throw new RangeError(`delay must not be negative, got ${delayNs} ns`);
    const t = this.nowNs + delayNs;
    if (!Number.isSafeInteger(t)) throw new RangeError(`now + delay (${this.nowNs} + ${delayNs} ns) passes 2^53 ns`);
    return this.queue.insert(t, fn);
  }

  /**
   * Cancels a pending event so its handler never runs. Returns false, and
   * does nothing, when the event already ran or was already cancelled.
   * O(log n); the event's memory is released at once.
   */
  cancel(id: EventId): boolean {
    return this.queue.remove(id);
  }

  /** True when `id` is scheduled and has not run or been cancelled. */
  isPending(id: EventId): boolean {
    return this.queue.has(id);
  }

  /** The time an event is scheduled for, or undefined when it is not pending. */
  timeOf(id: EventId): number | undefined {
    return this.queue.timeOf(id);
  }

  /**
   * Runs the next event: sets `now` to its time and calls its handler.
   * Returns false (and changes nothing) when no event is pending.
   */
  step(): boolean {
    this.enter('step');
    try {
      return this.runOne();
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs, in order, every event whose time is ≤ `timeNs` — including those
   * the handlers schedule meanwhile — then sets `now` to `timeNs`.
   * Returns the number of events run.
   */
  runUntil(timeNs: number): number {
    checkNs(timeNs, 'runUntil time');
    if (timeNs < this.nowNs) throw new RangeError(`runUntil(${timeNs}) is in the past (now ${this.nowNs} ns)`);
    this.enter('runUntil');
    const before = this.count;
    const q = this.queue;
    try {
      while (q.size > 0 && q.minTime() <= timeNs) this.runOne();
      this.nowNs = timeNs;
    } finally {
      this.running = false;
    }
    return this.count - before;
  }

  /** Runs `delayNs` of simulated time from now; see {@link runUntil}. */
  runFor(delayNs: number): number {
    checkNs(delayNs, 'run length');
    if (delayNs < 0) throw new RangeError(`run length must not be negative, got ${delayNs} ns`);
    const t = this.nowNs + delayNs;
    checkNs(t, 'runFor end time');
    return this.runUntil(t);
  }

  private runOne(): boolean {
    const q = this.queue;
    if (q.size === 0) return false;
    this.nowNs = q.minTime();
    const fn = q.popMin()!;
    this.count++;
    fn();
    return true;
  }

  private enter(what: string): void {
    if (this.running) throw new Error(`Engine.${what}() called from inside an event handler`);
    this.running = true;
  }
}
