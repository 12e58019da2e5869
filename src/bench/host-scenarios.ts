/**
 * The scheduler demo scenarios, measured on the host's real kernel (v1 `cpu`
 * and `cpuacct` hierarchies), so the simulator's predictions can be judged
 * against Linux. Each scenario runs in its own fresh `cgkit-test-<random>`
 * group with busy loops this process starts; shares come from
 * `/proc/<pid>/schedstat` (per task) and `cpuacct.usage` (per group) deltas
 * over a measurement window after a short warm-up. Everything is removed
 * on every exit path, including SIGINT/SIGTERM.
 */
import { probeHost, Trial, type Group, type HostEnv, type Window } from './host-trial.js';

export interface HostFigure {
  scenario: string;
  what: string;
  /** What the kernel's rules predict, as people read it (`50`, `≤ 50`, `> 0`). */
  expected: string;
  host: number;
  unit: '%' | 'count';
}

export interface HostScenarioOptions {
  /** Measurement window per scenario, seconds (default 10). */
  seconds?: number;
  log?: (s: string) => void;
  /**
   * `cpu.shares` of each scenario's top group (default 10240, ten times a
   * task's): how strongly the measurement is shielded from other load on
   * the host, which competes with that group as a whole.
   */
  topShares?: number;
  /** Run only these scenarios (by name); all when absent. */
  only?: readonly string[];
  /** Called for each trial just before it is cleaned up: its groups (host paths) and loop pids. */
  onTrial?: (t: { scenario: string; groups: readonly string[]; pids: readonly number[] }) => void;
}

interface Ctx {
  env: HostEnv;
  seconds: number;
  warmup: number;
  /** The CPU that pinned scenarios use. */
  cpu0: number;
  /** Loop placement for two-CPU scenarios: unpinned on a two-CPU host, else the first two CPUs. */
  pair: { cpus?: readonly number[] };
  trial(): Trial;
}

interface Scenario {
  name: string;
  /** Why the host cannot run it, or `undefined`. */
  needs(env: HostEnv): string | undefined;
  run(c: Ctx): Promise<HostFigure[]>;
}

const WARMUP_SEC = 1;
const TOP_SHARES = 10_240;
/** Loops exit by themselves this long after the window would have ended. */
const LOOP_SLACK_SEC = 120;

/** Share of one CPU, %. */
function ofCpu(ns: number, w: Window): number {
  return (ns / w.ns) * 100;
}

/** Share of the two-CPU machine, %. */
function ofMachine(ns: number, w: Window): number {
  return (ns / w.ns / 2) * 100;
}

function pinned(env: HostEnv): string | undefined {
  if (!env.taskset) return 'taskset (util-linux) is not installed';
  return env.cpus.length === 0 ? 'no CPU is allowed to this process' : undefined;
}

function twoCpus(env: HostEnv): string | undefined {
  if (env.cpus.length < 2) return `needs 2 CPUs, this process may use ${env.cpus.length}`;
  return env.cpus.length > 2 && !env.taskset ? 'more than 2 CPUs and no taskset to keep the loops on two' : undefined;
}

function bandwidth(env: HostEnv): string | undefined {
  return env.bandwidth ? twoCpus(env) : 'the cpu hierarchy has no cpu.cfs_quota_us (CONFIG_CFS_BANDWIDTH off)';
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: '50/25/25',
    needs: pinned,
    async run(c) {
      const t = c.trial();
      const on = { cpus: [c.cpu0] };
      const top = await t.group();
      const guest = await t.group('guest');
      const a = (await t.spawn(top, 1, on))[0]!;
      const [b, d] = await t.spawn(guest, 2, on) as [number, number];
      const w = await t.measure(c.warmup, c.seconds, [a, b, d], [guest]);
      const cpu = `CPU ${c.cpu0}`;
      return [
        fig(this.name, `loop A in X, share of ${cpu}`, '50', ofCpu(w.task(a), w)),
        fig(this.name, `loop B in X/guest, share of ${cpu}`, '25', ofCpu(w.task(b), w)),
        fig(this.name, `loop C in X/guest, share of ${cpu}`, '25', ofCpu(w.task(d), w)),
        fig(this.name, `group X/guest, share of ${cpu}`, '50', ofCpu(w.usage(guest), w)),
      ];
    },
  },
  {
    name: 'alice-karl',
    needs: twoCpus,
    async run(c) {
      const t = c.trial();
      const alice = await t.group('alice');
      const karl = await t.group('karl');
      await t.set(alice, 'cpu.shares', 1024);
      await t.set(karl, 'cpu.shares', 1024);
      const a = (await t.spawn(alice, 1, c.pair))[0]!;
      await t.spawn(karl, 49, c.pair);
      const w = await t.measure(c.warmup, c.seconds, [a], [alice, karl]);
      const out = [
        fig(this.name, 'per-user groups: Alice\'s 1 loop, share of machine', '50', ofMachine(w.task(a), w)),
        fig(this.name, 'per-user groups: Karl\'s group (49 loops), share of machine', '50', ofMachine(w.usage(karl), w)),
        // Under outside load the absolute shares drop; the split between the two users does not.
        fig(this.name, 'per-user groups: Alice\'s loop, share of the two groups\' CPU time', '50', (100 * w.task(a)) / (w.usage(alice) + w.usage(karl))),
      ];
      await t.dispose();
      const t2 = c.trial();
      const all = await t2.group('users');
      const pids = await t2.spawn(all, 50, c.pair);
      const a2 = pids[0]!;
      const w2 = await t2.measure(c.warmup, c.seconds, [a2], [all]);
      out.push(fig(this.name, 'one group of 50 loops: Alice\'s loop, share of machine', '2', ofMachine(w2.task(a2), w2)));
      out.push(fig(this.name, 'one group of 50 loops: Alice\'s loop, share of the group\'s CPU time', '2', (w2.task(a2) / w2.usage(all)) * 100));
      return out;
    },
  },
  {
    name: 'weights',
    needs: pinned,
    async run(c) {
      const t = c.trial();
      const on = { cpus: [c.cpu0] };
      const rows: [Group, number, string][] = [];
      for (const [shares, expected] of [[512, '16.7'], [1024, '33.3'], [1536, '50']] as const) {
        const g = await t.group(`shares-${shares}`);
        await t.set(g, 'cpu.shares', shares);
        rows.push([g, (await t.spawn(g, 1, on))[0]!, expected]);
      }
      const w = await t.measure(c.warmup, c.seconds, rows.map((r) => r[1]), rows.map((r) => r[0]));
      return rows.map(([g, pid, expected]) =>
        fig(this.name, `${g.rel} (cpu.weight ${sharesToWeight(g.rel)}), share of CPU ${c.cpu0}`, expected, ofCpu(w.task(pid), w)));
    },
  },
  {
    name: 'quota-1ms',
    needs: bandwidth,
    async run(c) {
      const t = c.trial();
      const g = await t.group('q');
      await t.set(g, 'cpu.cfs_period_us', 100_000);
      await t.set(g, 'cpu.cfs_quota_us', 1_000);
      await t.spawn(g, 1, c.pair);
      const w = await t.measure(c.warmup, c.seconds, [], [g]);
      return [
        fig(this.name, 'group usage (quota 1 ms / 100 ms), share of one CPU', '1', ofCpu(w.usage(g), w)),
        fig(this.name, 'nr_throttled in the window', '> 0', w.stat(g, 'nr_throttled'), 'count'),
      ];
    },
  },
  {
    name: 'throttled-threads',
    needs: bandwidth,
    async run(c) {
      const t = c.trial();
      const g = await t.group('half');
      await t.set(g, 'cpu.cfs_period_us', 100_000);
      await t.set(g, 'cpu.cfs_quota_us', 50_000);
      await t.spawn(g, 1, { ...c.pair, threads: 4 });
      const w = await t.measure(c.warmup, c.seconds, [], [g]);
      return [
        fig(this.name, 'group usage (4 threads, quota 50/100 ms), share of one CPU', '≤ 50', ofCpu(w.usage(g), w)),
        fig(this.name, 'nr_throttled in the window', '> 0', w.stat(g, 'nr_throttled'), 'count'),
        fig(this.name, 'throttled_time (summed over CPUs), share of window', '> 0', ofCpu(w.stat(g, 'throttled_time'), w)),
      ];
    },
  },
  {
    name: 'idle-machine',
    needs: twoCpus,
    async run(c) {
      const t = c.trial();
      const out: HostFigure[] = [];
      const rows: [Group, number][] = [];
      for (const shares of [1024, 2048]) {
        const g = await t.group(`shares-${shares}`);
        await t.set(g, 'cpu.shares', shares);
        rows.push([g, (await t.spawn(g, 1, c.pair))[0]!]);
      }
      const w = await t.measure(c.warmup, c.seconds, rows.map((r) => r[1]), []);
      for (const [g, pid] of rows) out.push(fig(this.name, `1 loop in ${g.rel}, share of one CPU`, '100', ofCpu(w.task(pid), w)));
      return out;
    },
  },
  {
    name: 'three-on-two',
    needs: twoCpus,
    async run(c) {
      const t = c.trial();
      const g = await t.group('three');
      const pids = await t.spawn(g, 3, c.pair);
      const w = await t.measure(c.warmup, c.seconds, pids, [g]);
      // Load balancing moves the loops around, so each gets two thirds of a CPU over time.
      return pids.map((pid, i) => fig(this.name, `loop ${i + 1} of 3 on 2 CPUs, share of one CPU`, '66.7', ofCpu(w.task(pid), w)));
    },
  },
];

/** Names of the scenarios, in run order. */
export const HOST_SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

function sharesToWeight(rel: string): number {
  return Number(rel.replace('shares-', '')) * 100 / 1024;
}

function fig(scenario: string, what: string, expected: string, host: number, unit: HostFigure['unit'] = '%'): HostFigure {
  return { scenario, what, expected, host, unit };
}

/**
 * Run the scenarios on the host and return what was measured. Returns no
 * figures (after logging why) when the host cannot run them; a scenario the
 * host cannot run is skipped with a logged reason.
 */
export async function measureHostScenarios(opts: HostScenarioOptions = {}): Promise<HostFigure[]> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const seconds = opts.seconds ?? 10;
  const env = await probeHost();
  if (typeof env === 'string') {
    log(`host scenarios skipped: ${env}`);
    return [];
  }
  log(`host: cpu at ${env.cpuMount}, cpuacct at ${env.acctMount}, CPUs ${env.cpus.join(',')}, loops in ${env.python ?? 'node'}`);
  const active = new Set<Trial>();
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: killing loops and removing groups`);
    void Promise.allSettled([...active].map((t) => t.dispose())).then(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  const onExit = (): void => {
    for (const t of active) t.disposeSync();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', onExit);
  const figures: HostFigure[] = [];
  try {
    for (const s of SCENARIOS) {
      if (opts.only !== undefined && !opts.only.includes(s.name)) continue;
      const why = s.needs(env);
      if (why !== undefined) {
        log(`${s.name}: skipped: ${why}`);
        continue;
      }
      const trials: Trial[] = [];
      const ctx: Ctx = {
        env, seconds, warmup: WARMUP_SEC, cpu0: env.cpus[0]!,
        pair: env.cpus.length === 2 ? {} : { cpus: env.cpus.slice(0, 2) },
        trial: () => {
          const t = new Trial(env, s.name, { lifetimeSec: WARMUP_SEC + seconds + LOOP_SLACK_SEC, topShares: opts.topShares ?? TOP_SHARES, log });
          trials.push(t);
          active.add(t);
          log(`${s.name}: group ${t.name}`);
          return t;
        },
      };
      const errors: unknown[] = [];
      try {
        figures.push(...await s.run(ctx));
      } catch (e) {
        errors.push(e);
      }
      for (const t of trials) {
        opts.onTrial?.({ scenario: s.name, groups: [...t.dirs], pids: [...t.pids] });
        await t.dispose().catch((e: unknown) => errors.push(e));
        active.delete(t);
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${s.name}: failed, and so did its cleanup`);
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', onExit);
  }
  return figures;
}
