/**
 * A minimal CgroupKernel over a SimKernel, for the event stream's tests
 * (the full adapter is api/sim-backend.ts). `watch` hears the simulated
 * kernel's modify notifications, which it sends for `cgroup.events`; every
 * other file is polled. `liveWatches` counts subscriptions not yet released.
 */
import type { CgroupKernel, ExecHandle } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import type { SimKernel } from './sim-kernel.js';
import type { CgroupEvent } from './events.js';

export interface TestKernel extends CgroupKernel {
  readonly sim: SimKernel;
  /** Watches handed out and not yet stopped. */
  liveWatches(): number;
}

export function simTestKernel(sim: SimKernel): TestKernel {
  let live = 0;
  return {
    kind: 'sim',
    sim,
    fs: sim.fs,
    layout: sim.layout,
    features: { cgroupKill: true, cgroupFreeze: true, psi: false, cpuBandwidth: true },
    signal: (pid, signal) => sim.kill(pid, signal),
    exec: (): Promise<ExecHandle> => Promise.reject(new CgroupError('ENOSYS', 'execve', undefined, 'not in the test adapter')),
    sleep: (ms) => sim.run(Math.round(ms * 1e6)),
    watch: (path, onChange) => {
      if (!path.endsWith('/cgroup.events')) return undefined;
      live++;
      const off = sim.on((e) => {
        if (e.type === 'modified' && e.path === path) onChange();
      });
      let on = true;
      return () => {
        if (!on) return;
        on = false;
        live--;
        off();
      };
    },
    liveWatches: () => live,
  };
}

/** The next event, or the end (`'done'`). */
export async function nextEvent(it: AsyncIterator<CgroupEvent>): Promise<CgroupEvent | 'done'> {
  const r = await it.next();
  return r.done ? 'done' : r.value;
}

/** Timers and fs watchers of this process (what a leak would add). */
export function handleCounts(): { timers: number; watchers: number } {
  const all = process.getActiveResourcesInfo();
  return { timers: all.filter((r) => r === 'Timeout').length, watchers: all.filter((r) => r === 'FSEventWrap').length };
}

/**
 * The handle counts once closing handles are gone (an fs watcher's handle
 * closes a few turns of the event loop after `close()`), looking up to
 * `tries` times until they equal `want`.
 */
export async function settledHandleCounts(want: { timers: number; watchers: number }, tries = 200): Promise<{ timers: number; watchers: number }> {
  let now = handleCounts();
  for (let i = 0; i < tries && (now.timers !== want.timers || now.watchers !== want.watchers); i++) {
    await new Promise((r) => setTimeout(r, 5));
    now = handleCounts();
  }
  return now;
}
