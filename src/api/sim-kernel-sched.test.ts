/**
 * The simulated kernel's CPU scheduler as a user sees it through cgroupfs:
 * group weights (flat, nested, overloaded or not), bandwidth control with
 * its statistics, and the CPU-time accounting of cpu.stat and /proc. The
 * expected figures are the kernel's (kernel-semantics.md §4–§5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuKernel, cpuStat, group, MS, pct, R, S, schedstat, usageUsec, utimeTicks } from './sched.test-util.js';

const ELAPSED_US = (ns: number): number => ns / 1000;

/** Three sibling groups of weight 50/100/150 with `per` hogs each on `cpus` CPUs: shares of the machine's time. */
async function weightShares(cpus: number, per: number): Promise<number[]> {
  const k = await cpuKernel({ cpus });
  const dirs: string[] = [];
  for (const w of [50, 100, 150]) {
    const dir = await group(k, `w${w}`, { 'cpu.weight': String(w) });
    for (let i = 0; i < per; i++) k.spawn({ program: 'hog', cgroup: dir });
    dirs.push(dir);
  }
  const run = 10 * S;
  await k.run(run);
  const used = await Promise.all(dirs.map((d) => usageUsec(k, d)));
  assert.equal(used.reduce((a, b) => a + b, 0), ELAPSED_US(run) * cpus, 'every CPU was busy all the time');
  return used.map((u) => pct(u, ELAPSED_US(run) * cpus));
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(3)} not within ${expected} ± ${tol}`);
}

test('cpu.weight 50/100/150 splits one overloaded CPU 1:2:3', async () => {
  const [a, b, c] = await weightShares(1, 1);
  near(a!, 100 / 6, 0.5, 'weight 50');
  near(b!, 100 / 3, 0.5, 'weight 100');
  near(c!, 50, 0.5, 'weight 150');
});

test('cpu.weight 50/100/150 splits two overloaded CPUs 1:2:3 (two hogs per group)', async () => {
  const [a, b, c] = await weightShares(2, 2);
  near(a!, 100 / 6, 0.5, 'weight 50');
  near(b!, 100 / 3, 0.5, 'weight 100');
  near(c!, 50, 0.5, 'weight 150');
});

test('weights do not matter when the CPUs are not overloaded: each hog keeps a CPU', async () => {
  const k = await cpuKernel({ cpus: 2 });
  const light = await group(k, 'light', { 'cpu.weight': '100' });
  const heavy = await group(k, 'heavy', { 'cpu.weight': '300' });
  k.spawn({ program: 'hog', cgroup: light });
  k.spawn({ program: 'hog', cgroup: heavy });
  await k.run(5 * S);
  near(pct(await usageUsec(k, light), ELAPSED_US(5 * S)), 100, 0.5, 'weight 100, % of a CPU');
  near(pct(await usageUsec(k, heavy), ELAPSED_US(5 * S)), 100, 0.5, 'weight 300, % of a CPU');
});

test('nested weights multiply: /b 50%, /a/x 12.5%, /a/y 37.5%', async () => {
  const k = await cpuKernel({ cpus: 1 });
  await group(k, 'a', { 'cgroup.subtree_control': '+cpu' });
  const x = await group(k, 'a/x');
  const y = await group(k, 'a/y', { 'cpu.weight': '300' });
  const b = await group(k, 'b');
  for (const d of [x, y, b]) k.spawn({ program: 'hog', cgroup: d });
  await k.run(10 * S);
  const total = ELAPSED_US(10 * S);
  near(pct(await usageUsec(k, b), total), 50, 0.5, '/b');
  near(pct(await usageUsec(k, x), total), 12.5, 0.5, '/a/x');
  near(pct(await usageUsec(k, y), total), 37.5, 0.5, '/a/y');
  near(pct(await usageUsec(k, `${R}/a`), total), 50, 0.5, '/a');
});

test('cpu.max 1000 100000 holds a hog to 1% of a CPU, throttled every period', async () => {
  const k = await cpuKernel({ cpus: 1 });
  const q = await group(k, 'q', { 'cpu.max': '1000 100000' });
  k.spawn({ program: 'hog', cgroup: q });
  await k.run(10 * S);
  const st = await cpuStat(k, q);
  near(pct(st.usage_usec!, ELAPSED_US(10 * S)), 1, 0.2, 'usage % of a CPU');
  assert.ok(st.nr_periods! >= 95 && st.nr_periods! <= 101, `nr_periods ${st.nr_periods}`);
  assert.ok(st.nr_throttled! >= st.nr_periods! - 2, `nr_throttled ${st.nr_throttled} vs nr_periods ${st.nr_periods}`);
  assert.ok(st.throttled_usec! > 9 * S / 1000, `throttled_usec ${st.throttled_usec}`);
});

test('cpu.max 50000 100000 holds four hogs on two CPUs to half of one CPU', async () => {
  const k = await cpuKernel({ cpus: 2 });
  const q = await group(k, 'q', { 'cpu.max': '50000 100000' });
  for (let i = 0; i < 4; i++) k.spawn({ program: 'hog', cgroup: q });
  await k.run(10 * S);
  const st = await cpuStat(k, q);
  near(pct(st.usage_usec!, ELAPSED_US(10 * S)), 50, 0.5, 'usage % of one CPU');
  assert.ok(st.nr_throttled! >= st.nr_periods! - 2 && st.nr_periods! > 0, `${st.nr_throttled}/${st.nr_periods}`);
  // Both CPUs sit throttled for the rest of every period.
  near(st.throttled_usec! / ELAPSED_US(10 * S), 1.5, 0.05, 'throttled CPU-seconds per second');
});

test('a parent limited to 20% bounds its unlimited child', async () => {
  const k = await cpuKernel({ cpus: 2 });
  const p = await group(k, 'p', { 'cpu.max': '20000 100000', 'cgroup.subtree_control': '+cpu' });
  const c = await group(k, 'p/c');
  assert.equal(await k.fs.readFile(`${c}/cpu.max`), 'max 100000\n');
  for (let i = 0; i < 2; i++) k.spawn({ program: 'hog', cgroup: c });
  await k.run(10 * S);
  const child = await cpuStat(k, c);
  near(pct(child.usage_usec!, ELAPSED_US(10 * S)), 20, 0.5, 'child usage % of one CPU');
  assert.equal(child.nr_periods, 0, 'the child has no limit of its own (cpu.stat is not hierarchical)');
  assert.equal(child.nr_throttled, 0);
  const parent = await cpuStat(k, p);
  assert.ok(parent.nr_throttled! > 90, `parent nr_throttled ${parent.nr_throttled}`);
  const local = await k.fs.readFile(`${c}/cpu.stat.local`);
  assert.ok(Number(/^throttled_usec (\d+)$/m.exec(local)![1]) > 0, `the child's cpu.stat.local shows the throttling: ${local}`);
});

test('cpu.max.burst lets a group that was idle exceed its quota, counted in nr_bursts', async () => {
  const bursty = 'loop { sleep 500ms; run 300ms }';
  const k = await cpuKernel({ cpus: 1 });
  const withBurst = await group(k, 'burst', { 'cpu.max': '20000 100000', 'cpu.max.burst': '20000' });
  const without = await group(k, 'plain', { 'cpu.max': '20000 100000' });
  k.spawn({ program: bursty, cgroup: withBurst });
  k.spawn({ program: bursty, cgroup: without });
  await k.run(10 * S);
  const b = await cpuStat(k, withBurst);
  const p = await cpuStat(k, without);
  assert.ok(b.nr_bursts! >= 3, `nr_bursts ${b.nr_bursts}`);
  assert.ok(b.burst_usec! > 0 && b.burst_usec! <= b.nr_bursts! * 20000, `burst_usec ${b.burst_usec} for ${b.nr_bursts} bursts`);
  assert.equal(p.nr_bursts, 0);
  assert.equal(p.burst_usec, 0);
  assert.ok(b.usage_usec! > p.usage_usec!, `the burst group ran more: ${b.usage_usec} vs ${p.usage_usec}`);
  // Over the run neither exceeds (quota + burst) per period on average.
  assert.ok(b.usage_usec! <= ELAPSED_US(10 * S) * 0.4 && p.usage_usec! <= ELAPSED_US(10 * S) * 0.2 + 4000);
});

test('CPU time adds up: root usage = elapsed × CPUs, schedstat and utime per task', async () => {
  const k = await cpuKernel({ cpus: 2 });
  const a = await group(k, 'a');
  const b = await group(k, 'b', { 'cpu.weight': '250' });
  const pids = [k.spawn({ program: 'hog', cgroup: a }), k.spawn({ program: 'hog', cgroup: a }), k.spawn({ program: 'hog', cgroup: b })];
  pids.push(k.spawn({ program: 'loop { run 3ms; sleep 1ms }', cgroup: b }));
  const run = 3 * S + 123 * MS + 456_789;
  await k.run(run);
  const root = await usageUsec(k, R);
  assert.equal(root, Math.floor((run * 2) / 1000), 'root usage_usec = elapsed × busy CPUs');
  const groups = (await usageUsec(k, a)) + (await usageUsec(k, b));
  assert.ok(groups <= root && groups >= root - 1, `the groups add up to the root up to µs rounding: ${groups} vs ${root}`);
  let runtime = 0;
  for (const pid of pids) {
    const [ns, , slices] = await schedstat(k, pid);
    runtime += ns;
    assert.ok(slices > 0);
    assert.equal(await utimeTicks(k, pid), Math.floor(ns / (10 * MS)), `pid ${pid} utime in 10 ms ticks`);
  }
  assert.equal(runtime, run * 2, 'schedstat runtimes add up to the busy time');
  const stats = k.taskStats();
  assert.deepEqual(stats.map((s) => s.runtimeNs).reduce((x, y) => x + y, 0), run * 2);
});
