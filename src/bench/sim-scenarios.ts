/**
 * The host scenarios of host-scenarios.ts run on the simulated kernel with
 * the same layout (v1 cpu and cpuacct hierarchies apart, 2 CPUs, HZ 250),
 * the same groups and settings, the same warm-up and window, so that each
 * row can be printed beside what the host measured.
 */
import { SimKernel } from '../api/sim-kernel.js';

export interface SimFigure {
  readonly scenario: string;
  readonly what: string;
  readonly sim: number;
}

const CPU = '/sys/fs/cgroup/cpu';
const ACCT = '/sys/fs/cgroup/cpuacct';
const SEC = 1_000_000_000;

class World {
  readonly k = new SimKernel({ layout: 'hybrid', cpus: 2, hz: 250 });
  private before = new Map<string, number>();
  windowNs = 0;

  group(rel: string, settings: Record<string, string> = {}): string {
    for (const root of [CPU, ACCT]) this.k.fs.mkdirSync(`${root}/${rel}`);
    for (const [f, v] of Object.entries(settings)) this.k.fs.writeFileSync(`${CPU}/${rel}/${f}`, v);
    return rel;
  }

  loop(rel: string, opts: { cpus?: number[]; program?: string } = {}): number {
    const pid = this.k.spawn({ program: opts.program ?? 'hog', cgroup: `${CPU}/${rel}`, ...(opts.cpus ? { cpus: opts.cpus } : {}) });
    this.k.fs.writeFileSync(`${ACCT}/${rel}/cgroup.procs`, String(pid));
    return pid;
  }

  private snapshot(): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.k.taskStats()) m.set(`task:${s.tid}`, s.runtimeNs);
    return m;
  }

  private usageNow(rel: string): number {
    return Number(this.k.fs.readFileSync(`${ACCT}/${rel}/cpuacct.usage`));
  }

  private stats = new Map<string, Map<string, number>>();
  private statNow(rel: string): Map<string, number> {
    const m = new Map<string, number>();
    for (const line of this.k.fs.readFileSync(`${CPU}/${rel}/cpu.stat`).trim().split('\n')) {
      const [key, v] = line.split(' ');
      m.set(key!, Number(v));
    }
    return m;
  }

  async measure(warmupS: number, windowS: number, groups: string[]): Promise<void> {
    await this.k.run(warmupS * SEC);
    this.before = this.snapshot();
    for (const g of groups) {
      this.before.set(`usage:${g}`, this.usageNow(g));
      this.stats.set(g, this.statNow(g));
    }
    await this.k.run(windowS * SEC);
    this.windowNs = windowS * SEC;
  }

  task(pid: number): number {
    const s = this.k.taskStats().find((x) => x.tid === pid);
    return (s?.runtimeNs ?? 0) - (this.before.get(`task:${pid}`) ?? 0);
  }

  usage(rel: string): number {
    return this.usageNow(rel) - (this.before.get(`usage:${rel}`) ?? 0);
  }

  stat(rel: string, key: string): number {
    return (this.statNow(rel).get(key) ?? 0) - (this.stats.get(rel)?.get(key) ?? 0);
  }

  ofCpu(ns: number): number {
    return (100 * ns) / this.windowNs;
  }

  ofMachine(ns: number): number {
    return (100 * ns) / (this.windowNs * 2);
  }
}

const X = 'cgkit-sim';

/** Runs every scenario on the simulated kernel; `seconds` is the measurement window. */
export async function simulateHostScenarios(seconds = 10, warmup = 1): Promise<SimFigure[]> {
  const out: SimFigure[] = [];
  const fig = (scenario: string, what: string, sim: number): void => {
    out.push({ scenario, what, sim });
  };
  {
    const w = new World();
    w.group(X);
    const guest = w.group(`${X}/guest`);
    const a = w.loop(X, { cpus: [0] });
    const b = w.loop(guest, { cpus: [0] });
    const c = w.loop(guest, { cpus: [0] });
    await w.measure(warmup, seconds, [guest]);
    fig('50/25/25', 'loop A in X, share of CPU 0', w.ofCpu(w.task(a)));
    fig('50/25/25', 'loop B in X/guest, share of CPU 0', w.ofCpu(w.task(b)));
    fig('50/25/25', 'loop C in X/guest, share of CPU 0', w.ofCpu(w.task(c)));
    fig('50/25/25', 'group X/guest, share of CPU 0', w.ofCpu(w.usage(guest)));
  }
  {
    const w = new World();
    w.group(X);
    const alice = w.group(`${X}/alice`, { 'cpu.shares': '1024' });
    const karl = w.group(`${X}/karl`, { 'cpu.shares': '1024' });
    const a = w.loop(alice);
    for (let i = 0; i < 49; i++) w.loop(karl);
    await w.measure(warmup, seconds, [alice, karl]);
    fig('alice-karl', 'per-user groups: Alice\'s 1 loop, share of machine', w.ofMachine(w.task(a)));
    fig('alice-karl', 'per-user groups: Karl\'s group (49 loops), share of machine', w.ofMachine(w.usage(karl)));
    fig('alice-karl', 'per-user groups: Alice\'s loop, share of the two groups\' CPU time', (100 * w.task(a)) / (w.usage(alice) + w.usage(karl)));
    const w2 = new World();
    const all = w2.group(X);
    const a2 = w2.loop(all);
    for (let i = 0; i < 49; i++) w2.loop(all);
    await w2.measure(warmup, seconds, [all]);
    fig('alice-karl', 'one group of 50 loops: Alice\'s loop, share of machine', w2.ofMachine(w2.task(a2)));
    fig('alice-karl', 'one group of 50 loops: Alice\'s loop, share of the group\'s CPU time', (100 * w2.task(a2)) / w2.usage(all));
  }
  {
    const w = new World();
    w.group(X);
    const pids: [number, number][] = [];
    for (const shares of [512, 1024, 1536]) {
      const g = w.group(`${X}/shares-${shares}`, { 'cpu.shares': String(shares) });
      pids.push([shares, w.loop(g, { cpus: [0] })]);
    }
    await w.measure(warmup, seconds, []);
    for (const [shares, pid] of pids) {
      fig('weights', `${X}/shares-${shares} (cpu.weight ${(shares * 100) / 1024}), share of CPU 0`, w.ofCpu(w.task(pid)));
    }
  }
  {
    const w = new World();
    w.group(X);
    const g = w.group(`${X}/quota`, { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '1000' });
    w.loop(g);
    await w.measure(warmup, seconds, [g]);
    fig('quota-1ms', 'group usage (quota 1 ms / 100 ms), share of one CPU', w.ofCpu(w.usage(g)));
    fig('quota-1ms', 'nr_throttled in the window', w.stat(g, 'nr_throttled'));
  }
  {
    const w = new World();
    w.group(X);
    const g = w.group(`${X}/threads`, { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' });
    w.loop(g, { program: 'thread { hog }; thread { hog }; thread { hog }; hog' });
    await w.measure(warmup, seconds, [g]);
    fig('throttled-threads', 'group usage (4 threads, quota 50/100 ms), share of one CPU', w.ofCpu(w.usage(g)));
    fig('throttled-threads', 'nr_throttled in the window', w.stat(g, 'nr_throttled'));
    fig('throttled-threads', 'throttled_time (summed over CPUs), share of window', w.ofCpu(w.stat(g, 'throttled_time')));
  }
  {
    const w = new World();
    w.group(X);
    const rows: [string, number][] = [];
    for (const shares of [1024, 2048]) {
      const g = w.group(`${X}/shares-${shares}`, { 'cpu.shares': String(shares) });
      rows.push([g, w.loop(g)]);
    }
    await w.measure(warmup, seconds, []);
    for (const [g, pid] of rows) fig('idle-machine', `1 loop in ${g.replace(`${X}/`, '')}, share of one CPU`, w.ofCpu(w.task(pid)));
  }
  {
    const w = new World();
    w.group(X);
    const g = w.group(`${X}/three`);
    const pids = [w.loop(g), w.loop(g), w.loop(g)];
    await w.measure(warmup, seconds, [g]);
    pids.forEach((pid, i) => fig('three-on-two', `loop ${i + 1} of 3 on 2 CPUs, share of one CPU`, w.ofCpu(w.task(pid))));
  }
  return out;
}
