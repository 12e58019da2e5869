/**
 * What core scheduling guarantees, checked on a machine at an instant where
 * simulated time is about to advance (no reschedule pending at this time):
 * - the siblings of a core run tasks of one cookie;
 * - a CPU is marked forced idle only if it idles with a task it could run,
 *   and a CPU that idles with a task it could run is marked forced idle.
 * Returns the violations, for people.
 */
import { pickable } from './core-sched.js';
import type { Machine } from './machine.js';

export function coreViolations(m: Machine): string[] {
  const out: string[] = [];
  for (const core of m.cores) {
    const running = core.cpus.filter((c) => c.curr !== null && c.curr.state === 'running');
    const cookies = new Set(running.map((c) => c.curr!.cookie));
    if (cookies.size > 1) {
      out.push(`core ${core.id}: ${running.map((c) => `cpu ${c.id} runs task ${c.curr!.id} (cookie ${c.curr!.cookie})`).join(', ')}`);
    }
    for (const c of core.cpus) {
      const waiting = [...c.tasks].filter((t) => pickable(t));
      if (c.forcedIdle && (c.curr !== null || waiting.length === 0)) {
        out.push(`cpu ${c.id} counts forced idle but ${c.curr !== null ? `runs task ${c.curr.id}` : 'has nothing to run'}`);
      }
      if (!c.forcedIdle && c.curr === null && waiting.length > 0) {
        out.push(`cpu ${c.id} idles with task ${waiting[0]!.id} runnable and is not forced idle`);
      }
    }
  }
  return out;
}
