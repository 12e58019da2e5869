/**
 * Trust groups in a scenario run: the `trust:` section set up through the
 * trust-group manager (coresched/) on the backend's core scheduling, before
 * the tasks are spawned, and named tasks joined as they are spawned. A task
 * joins after it was spawned: forks its program makes before its first run
 * or sleep step happen before that (a launcher starts, then forks).
 */
import { SimKernel } from '../api/sim-kernel.js';
import type { AnyKernel } from '../api/cgroup.js';
import { TrustGroups } from '../coresched/trust-groups.js';
import type { CoreSchedKernel } from '../core/coresched.js';
import type { Ctx } from './build.js';
import { kernelRefused, ScenarioError } from './errors.js';

/** Where trust groups get their kernel: the simulated one, or what the backend offers. */
async function kernelsOf(cx: Ctx): Promise<{ coresched: CoreSchedKernel; cgroups: AnyKernel; close?(): Promise<void> } | string> {
  if (cx.b instanceof SimKernel) return { coresched: cx.b.coresched, cgroups: cx.b };
  return (await cx.b.coreSched?.()) ?? 'this backend has no core scheduling';
}

/** Makes the scenario's trust groups and bindings; undefined without a `trust:` section. */
export async function setUpTrust(cx: Ctx): Promise<TrustGroups | undefined> {
  const { s } = cx;
  if (s.trust.length === 0) return undefined;
  const k = await kernelsOf(cx);
  if (typeof k === 'string') throw new ScenarioError(s.file, s.trust[0]!.line, `trust groups need core scheduling: ${k}`);
  if (k.close) cx.trustClose = k.close;
  const tg = new TrustGroups(k.coresched, { cgroups: k.cgroups });
  // Without move events (the host) a bound cgroup is rescanned every 100 ms: a task moved in keeps its old cookie until then.
  const poll = k.coresched.reportsMoves ? {} : { pollMs: 100 };
  try {
    for (const t of s.trust) {
      try {
        if (t.name !== '/') tg.create(t.name, t.properties !== undefined ? { properties: t.properties } : {});
        else if (t.properties !== undefined) tg.setProperties('/', t.properties);
        if (t.cgroup !== undefined) await tg.bind(t.name, `${cx.h.base}${t.cgroup === '/' ? '' : t.cgroup}` || '/', poll);
      } catch (e) {
        throw kernelRefused(s.file, t.line, `setting up trust group ${t.name}`, e);
      }
    }
  } catch (e) {
    tg.close();
    throw e;
  }
  return tg;
}

/** A scenario task was spawned: if a trust group names it, its process joins. */
export async function joinTrust(cx: Ctx, name: string, pid: number): Promise<void> {
  const tg = cx.trust;
  if (tg === undefined) return;
  const spec = cx.s.trust.find((t) => t.tasks.includes(name));
  if (spec !== undefined) {
    try {
      tg.addProcess(spec.name, pid);
    } catch (e) {
      throw kernelRefused(cx.s.file, spec.line, `adding task ${name} (pid ${pid}) to trust group ${spec.name}`, e);
    }
  }
  // A task spawned straight into a bound cgroup is joined by the rescan its fork event starts.
  await tg.settled();
}
