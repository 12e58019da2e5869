/**
 * The simulated kernel's scheduler with the rest of the cgroup model:
 * freezing (v2 and v1), pids and memory limits hit by task programs,
 * sleeping workloads, guest schedulers, the Alice/Karl example, moves
 * between groups, CPU affinity and cpusets, and determinism of the trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimKernel } from './sim-kernel.js';
import { TraceRecorder } from '../sim/trace.js';
import { cpuKernel, group, keyed, MS, pct, R, S, usageUsec } from './sched.test-util.js';

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(3)} not within ${expected} ± ${tol}`);
}

function runtimeOf(k: SimKernel, pid: number): number {
  const s = k.taskStats().find((x) => x.tid === pid);
  assert.ok(s, `no stats for pid ${pid}`);
  return s.runtimeNs;
}

test('cgroup.freeze stops a group\'s CPU use and thawing resumes it', async () => {
  const k = await cpuKernel({ cpus: 1 });
  const f = await group(k, 'f');
  const other = await group(k, 'other');
  const pid = k.spawn({ program: 'hog', cgroup: f });
  k.spawn({ program: 'hog', cgroup: other });
  await k.run(S);
  const before = await usageUsec(k, f);
  near(before, 500_000, 5_000, 'usage before freezing');
  await k.fs.writeFile(`${f}/cgroup.freeze`, '1');
  const otherAt = await usageUsec(k, other);
  await k.run(S);
  assert.equal(await usageUsec(k, f), before, 'a frozen group uses no CPU');
  assert.equal(await usageUsec(k, other) - otherAt, 1_000_000, 'its sibling gets the whole CPU');
  assert.match(await k.fs.readFile(`${f}/cgroup.events`), /^frozen 1$/m);
  assert.equal(k.task(pid)?.state, 'frozen');
  await k.fs.writeFile(`${f}/cgroup.freeze`, '0');
  await k.run(S);
  near((await usageUsec(k, f)) - before, 500_000, 5_000, 'usage after thawing');
  assert.equal(k.task(pid)?.state, 'running');
});

test('v1 freezer (hybrid layout): FROZEN stops the task, THAWED resumes it', async () => {
  const k = new SimKernel({ cpus: 1, layout: 'hybrid' });
  const fz = '/sys/fs/cgroup/freezer/fz';
  await k.fs.mkdir(fz);
  const pid = k.spawn({ program: 'hog', cgroup: fz });
  await k.run(S);
  assert.equal(runtimeOf(k, pid), S);
  await k.fs.writeFile(`${fz}/freezer.state`, 'FROZEN');
  await k.run(S);
  assert.equal(runtimeOf(k, pid), S, 'no CPU time while FROZEN');
  assert.equal((await k.fs.readFile(`${fz}/freezer.state`)).trim(), 'FROZEN');
  await k.fs.writeFile(`${fz}/freezer.state`, 'THAWED');
  await k.run(S);
  assert.equal(runtimeOf(k, pid), 2 * S);
  assert.equal((await k.fs.readFile('/sys/fs/cgroup/cpuacct/cpuacct.usage')).trim(), String(2 * S), 'v1 cpuacct.usage of the root, ns');
});

test('a program\'s fork past pids.max fails and is counted', async () => {
  const k = await cpuKernel({ cpus: 1 }, '+cpu +pids');
  const p = await group(k, 'p', { 'pids.max': '3' });
  const parent = k.spawn({ program: 'loop 5 { fork { run 1s }; run 1ms }', cgroup: p });
  await k.run(100 * MS);
  const stats = k.taskStats();
  assert.equal(stats.find((s) => s.tid === parent)?.forkFailures, 3, 'forks 3 to 5 fail: the parent and two children fill pids.max');
  assert.equal(stats.length, 3);
  assert.equal((await keyed(k, `${p}/pids.events`)).max, 3);
  assert.equal((await k.fs.readFile(`${p}/pids.current`)).trim(), '2', 'the parent has exited, its two children run');
});

test('alloc steps charge memory.current; passing memory.max OOM-kills the task', async () => {
  const k = await cpuKernel({ cpus: 1 }, '+cpu +memory');
  const m = await group(k, 'm', { 'memory.max': '10M' });
  const pid = k.spawn({ program: 'alloc 4M; run 10ms; alloc 4M; run 10ms; alloc 4M; run 1s', cgroup: m });
  await k.run(5 * MS);
  assert.equal((await k.fs.readFile(`${m}/memory.current`)).trim(), String(4 << 20));
  await k.run(10 * MS);
  assert.equal((await k.fs.readFile(`${m}/memory.current`)).trim(), String(8 << 20));
  await k.run(10 * MS);
  assert.equal(k.task(pid), undefined, 'the third alloc passed memory.max: killed and reaped');
  assert.equal((await k.fs.readFile(`${m}/memory.current`)).trim(), '0');
  const ev = await keyed(k, `${m}/memory.events`);
  assert.equal(ev.oom_kill, 1);
  assert.equal(ev.max, 1);
  const s = k.taskStats().find((x) => x.tid === pid)!;
  assert.ok(s.exited);
  assert.equal(s.runtimeNs, 20 * MS, 'it ran its two 10 ms steps');
});

test('a task that runs 2 ms every 10 ms gets 20%, alone or beside a hog', async () => {
  const periodic = 'loop { run 2ms; sleep 8ms }';
  const alone = new SimKernel({ cpus: 1 });
  const p = alone.spawn({ program: periodic });
  await alone.run(10 * S);
  const a = alone.taskStats().find((s) => s.tid === p)!;
  near(pct(a.runtimeNs, 10 * S), 20, 0.2, 'alone, %');
  assert.ok(a.timeslices >= 999 && a.timeslices <= 1001, `timeslices ${a.timeslices}`);
  assert.ok(a.nvcsw >= 999 && a.nvcsw <= 1001, `nvcsw ${a.nvcsw}`);
  assert.equal(a.nivcsw, 0);

  const k = new SimKernel({ cpus: 1 });
  const q = k.spawn({ program: periodic });
  const h = k.spawn({ program: 'hog' });
  await k.run(10 * S);
  const share = pct(runtimeOf(k, q), 10 * S);
  assert.ok(share >= 19, `the sleeper keeps its 20% beside a hog: ${share.toFixed(2)}%`);
  near(pct(runtimeOf(k, h), 10 * S), 100 - share, 0.01, 'the hog gets the rest');
});

test('guest scheduler: rr shares the guest\'s half equally, fifo gives it to the first', async () => {
  for (const [policy, expected] of [['rr', [25, 25]], ['fifo', [50, 0]]] as const) {
    const k = await cpuKernel({ cpus: 1 });
    const guest = await group(k, 'guest');
    k.setPolicy(guest, policy);
    const g1 = k.spawn({ program: 'hog', cgroup: guest });
    const g2 = k.spawn({ program: 'hog', cgroup: guest });
    const host = k.spawn({ program: 'hog' });
    await k.run(10 * S);
    near(pct(runtimeOf(k, host), 10 * S), 50, 0.5, `${policy}: the root hog`);
    near(pct(runtimeOf(k, g1), 10 * S), expected[0], 1, `${policy}: first guest hog`);
    near(pct(runtimeOf(k, g2), 10 * S), expected[1], 1, `${policy}: second guest hog`);
  }
});

test('Alice and Karl on 2 CPUs: groups give Alice half the machine, no groups give her 2%', async () => {
  for (const grouped of [true, false]) {
    const k = await cpuKernel({ cpus: 2 });
    const alice = grouped ? await group(k, 'alice') : R;
    const karl = grouped ? await group(k, 'karl') : R;
    const a = k.spawn({ program: 'hog', cgroup: alice, name: 'alice' });
    const ks = Array.from({ length: 49 }, () => k.spawn({ program: 'hog', cgroup: karl, name: 'karl' }));
    await k.run(5 * S);
    const machine = 2 * 5 * S;
    const aliceShare = pct(runtimeOf(k, a), machine);
    if (grouped) {
      near(aliceShare, 50, 3, 'Alice with groups, % of the machine');
      near(pct(await usageUsec(k, karl), machine / 1000), 50, 3, 'Karl with groups');
    } else {
      near(aliceShare, 2, 0.5, 'Alice without groups');
      for (const pid of ks) near(pct(runtimeOf(k, pid), machine), 2, 0.5, `Karl's pid ${pid} without groups`);
    }
  }
});

async function traced(variant: 'base' | 'other'): Promise<TraceRecorder> {
  const tr = new TraceRecorder({ keepLines: false });
  const k = await cpuKernel({ cpus: 2, trace: tr });
  const a = await group(k, 'a', { 'cpu.weight': '200' });
  const b = await group(k, 'b', { 'cpu.max': '30000 100000' });
  k.spawn({ program: 'hog', cgroup: a });
  k.spawn({ program: 'loop { run 3ms; sleep 5ms }', cgroup: b });
  k.spawn({ program: variant === 'base' ? 'loop { run 1ms; sleep 1ms }' : 'loop { run 1ms; sleep 2ms }', cgroup: b });
  await k.run(500 * MS);
  return tr;
}

test('the same setup gives the same trace; a different one does not', async () => {
  const [one, two, other] = [await traced('base'), await traced('base'), await traced('other')];
  assert.ok(one.length > 100, `trace has ${one.length} records`);
  assert.equal(one.hash(), two.hash());
  assert.equal(one.length, two.length);
  assert.notEqual(one.hash(), other.hash());
});

test('moving a task to another group moves where its CPU time is charged', async () => {
  const k = await cpuKernel({ cpus: 1 });
  const [a, b, c] = [await group(k, 'a'), await group(k, 'b'), await group(k, 'c')];
  const pa = k.spawn({ program: 'hog', cgroup: a });
  k.spawn({ program: 'hog', cgroup: b });
  k.spawn({ program: 'hog', cgroup: c });
  await k.run(3 * S);
  const [a1, b1, c1] = [await usageUsec(k, a), await usageUsec(k, b), await usageUsec(k, c)];
  for (const u of [a1, b1, c1]) near(u, 1_000_000, 10_000, 'three groups, one hog each');
  await k.fs.writeFile(`${b}/cgroup.procs`, String(pa));
  assert.equal((await k.fs.readFile(`/proc/${pa}/cgroup`)).trim(), '0::/b');
  await k.run(2 * S);
  assert.equal(await usageUsec(k, a), a1, 'the old group stops growing');
  near((await usageUsec(k, b)) - b1, 1_000_000, 10_000, '/b now holds two hogs: its half');
  near((await usageUsec(k, c)) - c1, 1_000_000, 10_000, '/c keeps the other half');
});

test('affinity and cpuset.cpus decide the CPU a task runs on', async () => {
  const k = await cpuKernel({ cpus: 2 }, '+cpu +cpuset');
  const g = await group(k, 'g');
  const slices: { cpu: number; pid: number; startNs: number }[] = [];
  k.onSlice((s) => slices.push(s));
  const pinned = k.spawn({ program: 'hog', cgroup: g, cpus: [1] });
  const free = [k.spawn({ program: 'hog' }), k.spawn({ program: 'hog' })];
  await k.run(S);
  const mine = () => slices.filter((s) => s.pid === pinned);
  assert.ok(mine().length > 0);
  assert.deepEqual([...new Set(mine().map((s) => s.cpu))], [1], 'affinity [1]: only CPU 1');
  // It shares CPU 1 with one free hog once the balancer has spread them
  // (the second free hog may start beside the first for a balance interval).
  const own = pct(runtimeOf(k, pinned), S);
  assert.ok(own > 47 && own < 53, `it shares CPU 1 with one free hog: ${own.toFixed(1)}%`);
  assert.equal(runtimeOf(k, pinned) + runtimeOf(k, free[0]!) + runtimeOf(k, free[1]!), 2 * S, 'two CPUs busy all along');
  await k.fs.writeFile(`${g}/cpuset.cpus`, '0');
  const at = k.now;
  await k.run(S);
  const after = mine().filter((s) => s.startNs >= at);
  assert.ok(after.length > 0);
  assert.deepEqual([...new Set(after.map((s) => s.cpu))], [0], 'cpuset.cpus 0 moves it to CPU 0');
  const share = pct(runtimeOf(k, pinned) - S / 2, S);
  assert.ok(share > 30 && share < 70, `on CPU 0 it shares with the free hogs: ${share.toFixed(1)}%`);
});
