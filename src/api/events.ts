/**
 * A typed stream of what happens to one group: it became (un)populated or
 * (un)frozen, a memory event counter rose, a fork hit `pids.max`. Works over
 * any `CgroupKernel` (host or simulator) and any layout.
 *
 * Each source file is read whole and parsed; an event is a difference
 * between two parsed snapshots. Where the kernel notifies changes
 * (`kernel.watch`: inotify on the v2 `*.events` files) a notification wakes
 * the reader at once; a poll (every `pollMs`) covers the files that never
 * notify (every v1 file) and any notification missed.
 */
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { isGone, MEMORY_EVENTS, sourcesOf, type MemoryEventName, type Reading, type Source } from './event-sources.js';
import type { GroupDirs } from './group-dirs.js';

export type { MemoryEventName } from './event-sources.js';

export type CgroupEvent =
  | { type: 'populated'; populated: boolean }
  | { type: 'frozen'; frozen: boolean }
  | { type: 'memory'; event: MemoryEventName; count: bigint; delta: bigint }
  | { type: 'pids.max'; count: bigint; delta: bigint };

export interface WatchEventsOptions {
  /** How often every source is re-read, in ms (default 100). Notifications wake the reader sooner. */
  pollMs?: number;
  /** Aborting ends the stream (the pending `next()` settles as done) and releases everything. */
  signal?: AbortSignal;
  /** First emit the current `populated` (and `frozen`, where known) state. */
  initial?: boolean;
}

/** Counters in the order their events are emitted within one snapshot. */
const COUNTER_ORDER = [...MEMORY_EVENTS.map((e) => `memory.${e}`), 'pids.max'];
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Snapshot {
  populated: boolean | undefined;
  frozen: boolean | undefined;
  counters: Map<string, bigint>;
}

function merge(readings: readonly Reading[]): Snapshot {
  const s: Snapshot = { populated: undefined, frozen: undefined, counters: new Map() };
  for (const r of readings) {
    if (r.populated !== undefined) s.populated = (s.populated ?? false) || r.populated;
    if (r.frozen !== undefined) s.frozen = (s.frozen ?? false) || r.frozen;
    for (const [key, v] of r.counters ?? []) s.counters.set(key, v);
  }
  return s;
}

function diff(prev: Snapshot, next: Snapshot): CgroupEvent[] {
  const out: CgroupEvent[] = [];
  if (next.populated !== undefined && prev.populated !== undefined && next.populated !== prev.populated) out.push({ type: 'populated', populated: next.populated });
  if (next.frozen !== undefined && prev.frozen !== undefined && next.frozen !== prev.frozen) out.push({ type: 'frozen', frozen: next.frozen });
  for (const key of COUNTER_ORDER) {
    const a = prev.counters.get(key);
    const b = next.counters.get(key);
    if (a === undefined || b === undefined || b <= a) continue; // new, unchanged, or reset (v1 failcnt): a new baseline
    if (key === 'pids.max') out.push({ type: 'pids.max', count: b, delta: b - a });
    else out.push({ type: 'memory', event: key.slice('memory.'.length) as MemoryEventName, count: b, delta: b - a });
  }
  return out;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** The stream `watchEvents` returns. */
export interface CgroupEventStream extends AsyncIterableIterator<CgroupEvent> {
  /**
   * Settles once the baseline has been read (the stream reads it from its
   * creation on): changes made after this are reported. Never rejects; a
   * failure to start is thrown by `next()`.
   */
  readonly ready: Promise<void>;
}

/**
 * A reader loop runs from creation to the end, independent of the
 * consumer: it waits for a notification or the poll timer, reads every
 * source, and queues the differences. `next()` takes from the queue.
 */
class EventStream implements CgroupEventStream {
  readonly ready: Promise<void>;
  private sources: Source[] = [];
  private snap: Snapshot | undefined;
  private readonly queue: CgroupEvent[] = [];
  /** The loop must stop (return, abort, group gone, failure). */
  private done = false;
  private finished = false;
  private failure: { error: unknown } | undefined;
  /** A watcher fired since the last read. */
  private dirty = false;
  private wakeLoop: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;
  private readonly onAbort = (): void => this.stop();

  constructor(private readonly k: CgroupKernel, private readonly dirs: GroupDirs, private readonly opts: WatchEventsOptions) {
    const p = opts.pollMs ?? 100;
    if (!(p > 0)) throw new CgroupError('EINVAL', 'poll', dirs.path, `pollMs must be positive, not ${p}`);
    this.pollMs = Math.min(p, MAX_TIMER_MS);
    if (opts.signal?.aborted) {
      this.done = this.finished = true;
      this.ready = Promise.resolve();
      return;
    }
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    const started = this.start();
    this.ready = started.then(() => undefined, () => undefined);
    void this.loop(started);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CgroupEvent, undefined>> {
    const p = this.chain.then(() => this.pull());
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Ends the stream now: watchers and the timer are released, queued events dropped. */
  return(): Promise<IteratorResult<CgroupEvent, undefined>> {
    this.stop();
    return Promise.resolve(DONE);
  }

  private async pull(): Promise<IteratorResult<CgroupEvent, undefined>> {
    while (this.queue.length === 0 && !this.finished) await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    const e = this.queue.shift();
    if (e !== undefined) return { value: e, done: false };
    const f = this.failure;
    this.failure = undefined;
    if (f !== undefined) throw f.error;
    return DONE;
  }

  private async loop(started: Promise<void>): Promise<void> {
    try {
      await started;
      this.signalConsumer();
      while (!this.done) {
        await this.waitForWake();
        if (!this.done) await this.scan();
        this.signalConsumer();
      }
    } catch (e) {
      this.failure = { error: e };
    }
    this.finish();
  }

  /** Watch first (synchronously, from the constructor), then read the baseline: no change falls in between. */
  private async start(): Promise<void> {
    this.sources = sourcesOf(this.k, this.dirs);
    for (const s of this.sources) this.watchSource(s);
    const readings: Reading[] = [];
    for (const s of [...this.sources]) {
      if (this.done) return;
      try {
        readings.push(await s.read());
      } catch (e) {
        if (!isGone(e)) throw e;
        await this.k.fs.stat(s.dir); // ENOENT here: the group itself is missing
        this.drop(s);
      }
    }
    if (this.done) return;
    this.snap = merge(readings);
    if (this.opts.initial) {
      if (this.snap.populated !== undefined) this.queue.push({ type: 'populated', populated: this.snap.populated });
      if (this.snap.frozen !== undefined) this.queue.push({ type: 'frozen', frozen: this.snap.frozen });
    }
  }

  private watchSource(s: Source): void {
    if (this.k.watch === undefined) return;
    s.unwatch = [];
    for (const f of s.files) {
      try {
        const stop = this.k.watch(f, () => this.poke());
        if (stop) s.unwatch.push(stop);
      } catch (e) {
        if (!(e instanceof CgroupError)) throw e; // cannot watch: polled like the rest
      }
    }
  }

  private poke(): void {
    this.dirty = true;
    this.wakeLoop?.();
  }

  private waitForWake(): Promise<void> {
    if (this.dirty) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wakeLoop = () => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.wakeLoop = undefined;
        resolve();
      };
      this.timer = setTimeout(this.wakeLoop, this.pollMs);
    });
  }

  private async scan(): Promise<void> {
    this.dirty = false;
    const readings: Reading[] = [];
    for (const s of [...this.sources]) {
      try {
        readings.push(await s.read());
      } catch (e) {
        if (!isGone(e)) throw e;
        if (await this.gone(s.dir)) {
          this.done = true; // the group is gone: what was queued is still delivered
          return;
        }
        this.drop(s); // the file went away, the group did not (a controller was turned off)
      }
      if (this.done) return;
    }
    const next = merge(readings);
    this.queue.push(...diff(this.snap!, next));
    this.snap = next;
  }

  private async gone(dir: string): Promise<boolean> {
    try {
      await this.k.fs.stat(dir);
      return false;
    } catch (e) {
      if (isGone(e)) return true;
      throw e;
    }
  }

  private drop(s: Source): void {
    for (const stop of s.unwatch ?? []) stop();
    this.sources = this.sources.filter((x) => x !== s);
  }

  /** Return or abort: drop what is queued and end now. */
  private stop(): void {
    this.queue.length = 0;
    this.done = true;
    this.wakeLoop?.();
    this.finish();
  }

  /** Release everything; the consumer then drains the queue and sees the end. */
  private finish(): void {
    this.done = true;
    if (this.finished) return;
    this.finished = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    for (const s of this.sources) for (const stop of s.unwatch ?? []) stop();
    this.sources = [];
    this.wakeLoop?.();
    this.signalConsumer();
  }

  private signalConsumer(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}

/**
 * The events of the group at `dirs`, as an async iterator: each change once,
 * in the order populated, frozen, memory counters, `pids.max` within one
 * look. Sources: v2 `cgroup.events` (populated, frozen; on hybrid hosts
 * too), `memory.events` and `pids.events` where those controllers are on
 * v2; on v1, `memory.oom_control` (`oom_kill`; `under_oom` turning 1 is an
 * `oom`), `memory.failcnt` (`max`), `pids.events` (`max`) and
 * `freezer.state` (`FROZEN`); without v2, populated is found by walking the
 * subtree's `cgroup.procs`. A counter that rises gives one event with the
 * rise as `delta`; one that falls (a reset) is a new baseline. States are
 * sampled: a group that fills and empties again between two reads (a
 * process living for less than a read takes) shows no `populated` events,
 * while counters never lose a rise.
 *
 * The group missing at the start is ENOENT from the first `next()`; the
 * group removed later ends the stream. `return()` and `opts.signal` end it
 * too; nothing (watcher, timer, listener) outlives the end.
 */
export function watchEvents(kernel: CgroupKernel, dirs: GroupDirs, opts: WatchEventsOptions = {}): CgroupEventStream {
  return new EventStream(kernel, dirs, opts);
}
