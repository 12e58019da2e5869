/**
 * Random workloads for the scheduler's robustness property
 * (sim-kernel-sched.property.test.ts): operations a user can do, how to
 * carry them out on a SimKernel, and the checks that must hold afterwards.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimKernel, type SliceEvent } from './sim-kernel.js';

const R = '/sys/fs/cgroup';
const MS = 1_000_000;
const LEAVES = [R, `${R}/b`, `${R}/a/c`, `${R}/a/d`];
const GROUPS = [`${R}/a`, `${R}/b`, `${R}/a/c`, `${R}/a/d`];
const PROGRAMS = [
  'hog',
  'loop { run 2ms; sleep 8ms }',
  'run 30ms',
  'loop { run 300us; sleep 100us }',
  'loop 3 { fork { run 20ms }; sleep 5ms }',
  'sleep 10ms; run 5ms; exit 3',
  'loop { thread { run 4ms }; run 1ms; sleep 10ms }',
];

export type Op =
  | { op: 'spawn'; prog: number; where: number; nice: number; cpu: number | null }
  | { op: 'kill'; which: number }
  | { op: 'signal'; which: number; sig: 'SIGSTOP' | 'SIGCONT' }
  | { op: 'idle'; group: number; on: boolean }
  | { op: 'burst'; group: number; us: number }
  | { op: 'move'; which: number; where: number }
  | { op: 'freeze'; group: number; on: boolean }
  | { op: 'weight'; group: number; weight: number }
  | { op: 'max'; group: number; quotaUs: number | null; periodUs: number }
  | { op: 'cpuset'; group: number; cpu: number | null }
  | { op: 'policy'; group: number; policy: 'fair' | 'rr' | 'fifo' }
  | { op: 'run'; ns: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('spawn' as const), prog: fc.nat(PROGRAMS.length - 1), where: fc.nat(LEAVES.length - 1), nice: fc.integer({ min: -5, max: 5 }), cpu: fc.option(fc.nat(3)) }), weight: 3 },
  fc.record({ op: fc.constant('kill' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('signal' as const), which: fc.nat(), sig: fc.constantFrom('SIGSTOP' as const, 'SIGCONT' as const) }),
  fc.record({ op: fc.constant('idle' as const), group: fc.nat(GROUPS.length - 1), on: fc.boolean() }),
  fc.record({ op: fc.constant('burst' as const), group: fc.nat(GROUPS.length - 1), us: fc.integer({ min: 0, max: 100_000 }) }),
  { arbitrary: fc.record({ op: fc.constant('move' as const), which: fc.nat(), where: fc.nat(LEAVES.length - 1) }), weight: 2 },
  fc.record({ op: fc.constant('freeze' as const), group: fc.nat(GROUPS.length - 1), on: fc.boolean() }),
  fc.record({ op: fc.constant('weight' as const), group: fc.nat(GROUPS.length - 1), weight: fc.integer({ min: 1, max: 10000 }) }),
  fc.record({ op: fc.constant('max' as const), group: fc.nat(GROUPS.length - 1), quotaUs: fc.option(fc.integer({ min: 1000, max: 300_000 })), periodUs: fc.integer({ min: 1000, max: 200_000 }) }),
  fc.record({ op: fc.constant('cpuset' as const), group: fc.nat(GROUPS.length - 1), cpu: fc.option(fc.nat(3)) }),
  fc.record({ op: fc.constant('policy' as const), group: fc.nat(GROUPS.length - 1), policy: fc.constantFrom('fair' as const, 'rr' as const, 'fifo' as const) }),
  { arbitrary: fc.record({ op: fc.constant('run' as const), ns: fc.integer({ min: 1, max: 60 * MS }) }), weight: 4 },
);

export async function setup(cpus: number): Promise<SimKernel> {
  const k = new SimKernel({ cpus });
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+cpu +cpuset');
  await k.fs.mkdir(`${R}/a`);
  await k.fs.mkdir(`${R}/b`);
  await k.fs.writeFile(`${R}/a/cgroup.subtree_control`, '+cpu +cpuset');
  await k.fs.mkdir(`${R}/a/c`);
  await k.fs.mkdir(`${R}/a/d`);
  return k;
}

/** Carries out one operation; refusals with an errno are part of the game, anything else fails the test. */
export async function apply(k: SimKernel, o: Op, pids: number[]): Promise<void> {
  const live = pids.filter((p) => k.task(p) !== undefined && k.task(p)!.state !== 'zombie');
  const pick = (i: number): number | undefined => live[i % Math.max(1, live.length)];
  const ncpu = k.kernel.cpus.length;
  switch (o.op) {
    case 'spawn':
      pids.push(k.spawn({ program: PROGRAMS[o.prog]!, cgroup: LEAVES[o.where]!, nice: o.nice, ...(o.cpu !== null ? { cpus: [o.cpu % ncpu] } : {}) }));
      return;
    case 'kill': {
      const p = pick(o.which);
      if (p !== undefined) k.kill(p, 'SIGKILL');
      return;
    }
    case 'signal': {
      const p = pick(o.which);
      if (p !== undefined) k.kill(p, o.sig);
      return;
    }
    case 'idle':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cpu.idle`, o.on ? '1' : '0');
    case 'burst':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cpu.max.burst`, String(o.us));
    case 'move': {
      const p = pick(o.which);
      if (p !== undefined) await k.fs.writeFile(`${LEAVES[o.where]!}/cgroup.procs`, String(k.task(p)!.tgid));
      return;
    }
    case 'freeze':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cgroup.freeze`, o.on ? '1' : '0');
    case 'weight':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cpu.weight`, String(o.weight));
    case 'max':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cpu.max`, `${o.quotaUs ?? 'max'} ${o.periodUs}`);
    case 'cpuset':
      return k.fs.writeFile(`${GROUPS[o.group]!}/cpuset.cpus`, o.cpu === null ? '' : String(o.cpu % ncpu));
    case 'policy':
      k.setPolicy(GROUPS[o.group]!, o.policy);
      return;
    case 'run':
      k.runSync(o.ns);
      return;
  }
}

function sumRuntime(k: SimKernel): number {
  return k.taskStats().reduce((a, s) => a + s.runtimeNs, 0);
}

/** Slices sorted by start must not overlap, grouped by `key`. */
function assertDisjoint(slices: readonly SliceEvent[], key: (s: SliceEvent) => number, what: string): void {
  const by = new Map<number, SliceEvent[]>();
  for (const s of slices) {
    const l = by.get(key(s)) ?? [];
    l.push(s);
    by.set(key(s), l);
  }
  for (const [id, l] of by) {
    l.sort((x, y) => x.startNs - y.startNs);
    for (let i = 1; i < l.length; i++) {
      assert.ok(l[i]!.startNs >= l[i - 1]!.endNs, `${what} ${id}: [${l[i - 1]!.startNs},${l[i - 1]!.endNs}) overlaps [${l[i]!.startNs},${l[i]!.endNs})`);
    }
  }
}

/** Runs `ops` on a fresh machine of `cpus` CPUs and checks the CPU time it handed out. */
export async function runAndCheck(cpus: number, ops: readonly Op[]): Promise<void> {
  const k = await setup(cpus);
  const slices: SliceEvent[] = [];
  k.onSlice((s) => slices.push(s));
  const pids: number[] = [];
  /** Stretches of time in which a task was frozen or stopped: it may not run in them. */
  const held: { pid: number; from: number; to: number }[] = [];
  for (const o of ops) {
    const from = k.now;
    const still = o.op === 'run' ? pids.filter((p) => ['frozen', 'stopped'].includes(k.task(p)?.state ?? '')) : [];
    try {
      await apply(k, o, pids);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw e;
    }
    assert.ok(sumRuntime(k) <= k.now * cpus, `runtime ${sumRuntime(k)} > ${k.now} x ${cpus}`);
    for (const pid of still) held.push({ pid, from, to: k.now });
  }
  // End every task so that every stretch on a CPU has been reported.
  for (const t of k.ps()) if (t.tid === t.tgid && t.tid !== 1 && t.state !== 'zombie') k.kill(t.tid, 'SIGKILL');
  k.runSync(MS);
  const total = sumRuntime(k);
  assert.ok(total <= k.now * cpus);
  const sliced = slices.reduce((a, s) => a + (s.endNs - s.startNs), 0);
  assert.equal(total, sliced, 'runtime of the tasks = time the CPUs were busy');
  for (const s of slices) assert.ok(s.startNs >= 0 && s.endNs <= k.now && s.cpu >= 0 && s.cpu < cpus);
  assertDisjoint(slices, (s) => s.cpu, 'cpu');
  assertDisjoint(slices, (s) => s.pid, 'task');
  for (const h of held) {
    const ran = slices.find((s) => s.pid === h.pid && s.startNs < h.to && s.endNs > h.from);
    assert.equal(ran, undefined, `pid ${h.pid} ran while frozen or stopped in [${h.from},${h.to})`);
  }
  const root = await k.fs.readFile(`${R}/cpu.stat`);
  assert.equal(Number(/^usage_usec (\d+)$/m.exec(root)![1]), Math.floor(total / 1000));
}
