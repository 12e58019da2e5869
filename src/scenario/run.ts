/**
 * runScenario: set the scenario up on a backend, run it to each timeline
 * action and act, sample group usage about `samples` times for the share
 * series, and measure. Simulated time only moves inside `backend.run`.
 */
import { applyAction } from './actions.js';
import type { BackendSlice, ScenarioBackend } from './backend.js';
import { build, type Ctx } from './build.js';
import { evaluate, METRICS, type Expectation } from './expect.js';
import { clocked, figuresBetween, groupUsageNs, snapshot, type Figures, type Snapshot } from './figures.js';
import { Hierarchies } from './hier.js';
import type { RunResult, ShareSeries, Slice, TaskFigures } from './result.js';
import type { TrustGroups } from '../coresched/trust-groups.js';
import type { Scenario } from './types.js';

export interface RunOptions {
  /** Collect every CPU slice (for the Perfetto trace). */
  slices?: boolean;
  /** Points of the share series (default 100; 0 for none). */
  samples?: number;
  /** Progress in simulated ns. */
  onProgress?: (doneNs: number, totalNs: number) => void;
  /** Where the scenario root is inside each hierarchy (`''`: the hierarchy's root, as in the simulator). */
  base?: string;
  backend?: 'sim' | 'host';
  /** Called at the end of the run with its trust groups (a `trust:` section), before they are closed (closing unbinds their cgroups). */
  onTrust?: (groups: TrustGroups) => void;
}

export async function runScenario(s: Scenario, backend: ScenarioBackend, opts: RunOptions = {}): Promise<RunResult> {
  const h = new Hierarchies(backend.layout, opts.base ?? '', s);
  const cx: Ctx = { s, b: backend, h, pids: new Map() };
  const d = s.durationNs;
  const slices: Slice[] = [];
  const off = opts.slices ? backend.onSlice((x: BackendSlice) => { slices.push({ cpu: x.cpu, pid: x.pid, startNs: x.startNs, endNs: x.endNs }); }) : undefined;
  try {
    await build(cx);

    const n = opts.samples ?? 100;
    const intervalNs = n > 0 ? Math.max(1, Math.ceil(d / n)) : 0;
    const sampleAt = new Set<number>();
    if (intervalNs > 0) for (let t = intervalNs; ; t += intervalNs) { sampleAt.add(Math.min(t, d)); if (t >= d) break; }
    const windowAt = new Set<number>([0, d]);
    for (const e of s.expect) if (e.window) { windowAt.add(e.window.fromNs); windowAt.add(e.window.toNs); }
    const actions = s.timeline.filter((a) => a.atNs <= d);
    const stops = [...new Set([...sampleAt, ...windowAt, ...actions.map((a) => a.atNs)])].sort((x, y) => x - y);

    const snaps = new Map<number, Snapshot>();
    const timesNs: number[] = [];
    const shares = new Map(s.groups.map((g) => [g.path, [] as number[]]));
    const usages = async (): Promise<Map<string, number>> => {
      const m = new Map<string, number>();
      for (const g of s.groups) m.set(g.path, await groupUsageNs(cx, g.path, g.line));
      return m;
    };
    let [last, lastClock] = await clocked(cx, 0, usages);
    let lastT = 0;
    let elapsed = 0;
    let next = 0;
    for (const t of stops) {
      if (t > elapsed) {
        const from = elapsed;
        await backend.run(t - from, opts.onProgress ? { onProgress: (done) => opts.onProgress!(from + done, d) } : undefined);
        elapsed = t;
      }
      if (sampleAt.has(t) && t > lastT) {
        const [now, clock] = await clocked(cx, t, usages);
        const cap = (clock - lastClock) * s.cpus;
        for (const g of s.groups) shares.get(g.path)!.push(cap > 0 ? ((now.get(g.path)! - last.get(g.path)!) / cap) * 100 : 0);
        timesNs.push(t);
        last = now;
        lastClock = clock;
        lastT = t;
      }
      if (windowAt.has(t)) snaps.set(t, await snapshot(cx, t));
      while (next < actions.length && actions[next]!.atNs === t) await applyAction(cx, actions[next++]!);
      await cx.trust?.settled();
    }
    if (cx.trust !== undefined) opts.onTrust?.(cx.trust);

    const whole = figuresBetween(cx, snaps.get(0)!, snaps.get(d)!);
    const cache = new Map<string, Figures>([[`0..${d}`, whole]]);
    const figuresOf = (e: Expectation): Figures => {
      const [a, b] = e.window ? [e.window.fromNs, e.window.toNs] : [0, d];
      const key = `${a}..${b}`;
      let f = cache.get(key);
      if (!f) cache.set(key, (f = figuresBetween(cx, snaps.get(a)!, snaps.get(b)!)));
      return f;
    };
    const expectations = evaluate(s.expect, (e) => figure(figuresOf(e), e, cx.pids));

    const series: ShareSeries | undefined = intervalNs > 0
      ? { intervalNs, timesNs, groups: s.groups.map((g) => ({ path: g.path, sharePct: shares.get(g.path)! })) }
      : undefined;
    return {
      scenario: s.name,
      backend: opts.backend ?? 'sim',
      cpus: s.cpus,
      ...(s.seed !== undefined ? { seed: s.seed } : {}),
      durationNs: d,
      groups: whole.groups,
      tasks: cx.trust ? whole.tasks.map((t) => withTrustGroup(cx.trust!, t)) : whole.tasks,
      ...(series ? { series } : {}),
      ...(opts.slices ? { slices } : {}),
      expectations,
    };
  } finally {
    off?.();
    cx.trust?.close();
    await cx.trustClose?.();
  }
}

/** The task's trust group at the end (none for a task that is gone). */
function withTrustGroup(tg: TrustGroups, t: TaskFigures): TaskFigures {
  try {
    return { ...t, trustGroup: tg.groupOf(t.pid) };
  } catch {
    return t;
  }
}

/** The value an expectation looks at, in its metric's unit. */
function figure(f: Figures, e: Expectation, pids: ReadonlyMap<string, number>): number {
  if (e.target.kind === 'group') {
    const path = e.target.path;
    const g = f.groups.find((x) => x.path === path)!;
    switch (e.metric) {
      case 'share': return g.sharePct;
      case 'runtime': return g.runtimeNs;
      case 'wait': return g.waitNs;
      case 'throttled': return g.throttledNs;
      case 'nr_throttled': return g.nrThrottled;
      case 'nr_periods': return g.nrPeriods;
      case 'switches': return g.switches;
      case 'forced_idle': return g.forcedIdleNs ?? 0;
      default: throw new RangeError(`${e.metric} is not a group figure`);
    }
  }
  const pid = pids.get(e.target.name);
  const t = f.tasks.find((x) => x.pid === pid);
  if (!t) return 0; // never ran a program in the window
  switch (e.metric) {
    case 'share': return t.sharePct;
    case 'runtime': return t.runtimeNs;
    case 'wait': return t.waitNs;
    case 'timeslices': return t.timeslices;
    case 'nvcsw': return t.nvcsw;
    case 'nivcsw': return t.nivcsw;
    case 'switches': return t.nvcsw + t.nivcsw;
    case 'forced_idle': return t.forcedIdleNs ?? 0;
    default: throw new RangeError(`${e.metric} is not a task figure (${Object.keys(METRICS).join(', ')})`);
  }
}
