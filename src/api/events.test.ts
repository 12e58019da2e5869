import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { watchEvents, type CgroupEvent } from './events.js';
import { handleCounts, nextEvent, simTestKernel, type TestKernel } from './events.test-util.js';
import { placeGroup, type GroupDirs } from './group-dirs.js';
import { SimKernel } from './sim-kernel.js';

/** A kernel and group `/g` made in every hierarchy the controllers need. */
async function setup(layout: 'unified' | 'hybrid' | 'legacy', controllers: string[]): Promise<{ k: TestKernel; sim: SimKernel; g: GroupDirs }> {
  const sim = new SimKernel({ layout });
  const k = simTestKernel(sim);
  if (layout === 'unified' && controllers.length > 0) await sim.fs.writeFile('/sys/fs/cgroup/cgroup.subtree_control', controllers.map((c) => `+${c}`).join(' '));
  const g = placeGroup(sim.layout, '/g', controllers);
  for (const d of g.dirs) await sim.fs.mkdir(d.dir);
  return { k, sim, g };
}

/** Start a sleeping task in every directory of the group. */
async function startIn(sim: SimKernel, g: GroupDirs): Promise<number> {
  const pid = sim.spawn({ cgroup: g.dirs[0]!.dir });
  for (const d of g.dirs.slice(1)) await sim.fs.writeFile(`${d.dir}/cgroup.procs`, String(pid));
  return pid;
}

test('unified: initial state, then populated flips, woken by the notification alone', async () => {
  const { k, sim, g } = await setup('unified', []);
  const it = watchEvents(k, g, { initial: true, pollMs: 1e9 }); // a poll would never come: only watch() can wake it
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: false });
  const pid = await startIn(sim, g);
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: true });
  await sim.fs.writeFile('/sys/fs/cgroup/g/cgroup.freeze', '1');
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: true });
  await sim.fs.writeFile('/sys/fs/cgroup/g/cgroup.freeze', '0');
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: false });
  sim.exit(pid);
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  assert.equal(k.liveWatches(), 1);
  await it.return?.();
  assert.equal(k.liveWatches(), 0);
});

test('without initial, the current state is the baseline: nothing until a change', async () => {
  const { k, sim, g } = await setup('unified', []);
  const pid = await startIn(sim, g);
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const first = nextEvent(it);
  sim.exit(pid);
  assert.deepEqual(await first, { type: 'populated', populated: false });
  await it.return?.();
});

test('unified: memory.events counters rise, one event per counter with the rise as delta', async () => {
  const { k, sim, g } = await setup('unified', ['memory', 'pids']);
  await sim.fs.writeFile('/sys/fs/cgroup/g/memory.max', String(1 << 20));
  const pid = await startIn(sim, g);
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const first = nextEvent(it);
  assert.throws(() => sim.charge(pid, 4n << 20n), (e: unknown) => e instanceof CgroupError && e.code === 'ENOMEM');
  const got = [await first];
  while (got.length < 4) got.push(await nextEvent(it));
  const memory = got.filter((e): e is CgroupEvent & { type: 'memory' } => e !== 'done' && e.type === 'memory');
  for (const name of ['max', 'oom', 'oom_kill'] as const) {
    const e = memory.find((x) => x.event === name);
    assert.ok(e && e.delta >= 1n && e.count === e.delta, `a '${name}' event: ${JSON.stringify(got, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))}`);
  }
  assert.ok(got.some((e) => e !== 'done' && e.type === 'populated' && !e.populated), 'the OOM kill emptied the group');
  await it.return?.();
});

test('unified: forks refused by pids.max are one event carrying the number refused', async () => {
  const { k, sim, g } = await setup('unified', ['pids']);
  const pid = await startIn(sim, g);
  await sim.fs.writeFile('/sys/fs/cgroup/g/pids.max', '1');
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const first = nextEvent(it);
  for (let i = 0; i < 2; i++) assert.throws(() => sim.fork(pid), (e: unknown) => e instanceof CgroupError && e.code === 'EAGAIN');
  assert.deepEqual(await first, { type: 'pids.max', count: 2n, delta: 2n });
  assert.throws(() => sim.fork(pid));
  assert.deepEqual(await nextEvent(it), { type: 'pids.max', count: 3n, delta: 1n });
  await it.return?.();
});

test('hybrid: v1 freezer.state, v1 pids.events, v1 failcnt and oom_control, populated from v2', async () => {
  const { k, sim, g } = await setup('hybrid', ['memory', 'pids', 'freezer']);
  assert.equal(g.dirOf('memory')?.version, 1);
  const it = watchEvents(k, g, { pollMs: 5, initial: true });
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: false });
  const pid = await startIn(sim, g);
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: true });
  await sim.fs.writeFile('/sys/fs/cgroup/freezer/g/freezer.state', 'FROZEN');
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: true });
  await sim.fs.writeFile('/sys/fs/cgroup/freezer/g/freezer.state', 'THAWED');
  assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: false });
  await sim.fs.writeFile('/sys/fs/cgroup/pids/g/pids.max', '1');
  assert.throws(() => sim.fork(pid));
  assert.deepEqual(await nextEvent(it), { type: 'pids.max', count: 1n, delta: 1n });
  await sim.fs.writeFile('/sys/fs/cgroup/memory/g/memory.limit_in_bytes', String(1 << 20));
  assert.throws(() => sim.charge(pid, 4n << 20n));
  const kinds: string[] = [];
  while (!['populated', 'max', 'oom_kill'].every((x) => kinds.includes(x))) {
    const e = await nextEvent(it);
    assert.notEqual(e, 'done');
    if (e !== 'done') kinds.push(e.type === 'memory' ? e.event : e.type);
  }
  assert.ok(!kinds.includes('oom'), 'v1 under_oom never showed 1 on the simulator');
  await it.return?.();
});

test('v1 failcnt reset is a new baseline, not an event', async () => {
  const { k, sim, g } = await setup('hybrid', ['memory', 'pids']);
  await sim.fs.writeFile('/sys/fs/cgroup/memory/g/memory.limit_in_bytes', String(1 << 20));
  await sim.fs.writeFile('/sys/fs/cgroup/memory/g/memory.oom_control', '1'); // no OOM kill: the charge just fails
  await sim.fs.writeFile('/sys/fs/cgroup/pids/g/pids.max', '1');
  const pid = await startIn(sim, g);
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const first = nextEvent(it);
  assert.throws(() => sim.charge(pid, 4n << 20n));
  assert.deepEqual(await first, { type: 'memory', event: 'max', count: 1n, delta: 1n });
  await sim.fs.writeFile('/sys/fs/cgroup/memory/g/memory.failcnt', '0');
  const marker = nextEvent(it);
  assert.throws(() => sim.fork(pid)); // a pids.max event marks a read after the reset
  assert.deepEqual(await marker, { type: 'pids.max', count: 1n, delta: 1n });
  assert.throws(() => sim.charge(pid, 4n << 20n));
  assert.deepEqual(await nextEvent(it), { type: 'memory', event: 'max', count: 1n, delta: 1n }, 'counted from the reset');
  await it.return?.();
});

test('legacy: populated is found by walking cgroup.procs of the subtree', async () => {
  const { k, sim, g } = await setup('legacy', ['pids', 'memory']);
  await sim.fs.mkdir('/sys/fs/cgroup/pids/g/child');
  const it = watchEvents(k, g, { pollMs: 5, initial: true });
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  const pid = sim.spawn({ cgroup: '/sys/fs/cgroup/pids/g/child' });
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: true });
  sim.exit(pid);
  assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  await it.return?.();
});

test('removing the group ends the stream; a group missing at the start is ENOENT', async () => {
  const { k, sim, g } = await setup('hybrid', ['pids']);
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const end = nextEvent(it);
  for (const d of [...g.dirs].reverse()) await sim.fs.rmdir(d.dir);
  assert.equal(await end, 'done');
  assert.equal(await nextEvent(it), 'done');
  assert.equal(k.liveWatches(), 0);
  const missing = watchEvents(k, placeGroup(sim.layout, '/nope', ['pids']));
  await assert.rejects(missing.next(), (e: unknown) => e instanceof CgroupError && e.code === 'ENOENT');
  assert.equal(await nextEvent(missing), 'done');
});

test('a file that goes away while the group stays drops only that source', async () => {
  const { k, sim, g } = await setup('unified', ['pids']);
  const pid = await startIn(sim, g);
  const it = watchEvents(k, g, { pollMs: 5 });
  await it.ready;
  const next = nextEvent(it);
  await sim.fs.writeFile('/sys/fs/cgroup/cgroup.subtree_control', '-pids'); // pids.events disappears from /g
  sim.exit(pid);
  assert.deepEqual(await next, { type: 'populated', populated: false });
  await it.return?.();
});

test('return() and abort end a pending next() and leave no timer or watcher behind', async () => {
  const before = handleCounts();
  const { k, g } = await setup('unified', []);
  const it = watchEvents(k, g, { pollMs: 50 });
  const pending = it.next();
  await new Promise((r) => setTimeout(r, 10));
  await it.return?.();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(k.liveWatches(), 0);
  assert.deepEqual(handleCounts(), before);

  const ac = new AbortController();
  const it2 = watchEvents(k, g, { pollMs: 50, signal: ac.signal });
  const pending2 = it2.next();
  await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  assert.deepEqual(await pending2, { value: undefined, done: true });
  assert.equal(k.liveWatches(), 0);
  assert.deepEqual(handleCounts(), before);
  assert.equal(await nextEvent(watchEvents(k, g, { signal: ac.signal })), 'done', 'an aborted signal: over at once');
});

test('bad pollMs is EINVAL', async () => {
  const { k, g } = await setup('unified', []);
  assert.throws(() => watchEvents(k, g, { pollMs: 0 }), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
});

/** A child node that makes a stream over a simulated kernel, reads one event, maybe ends the stream, and then just falls off the end. */
function childRun(end: 'return' | 'abort' | 'none', timeoutMs: number): { status: number | null; signal: string | null; stdout: string } {
  const script = `
    const [dir, end, ext] = process.argv.slice(1);
    const { SimKernel } = await import(dir + '/sim-kernel' + ext);
    const { watchEvents } = await import(dir + '/events' + ext);
    const { simTestKernel } = await import(dir + '/events.test-util' + ext);
    const { placeGroup } = await import(dir + '/group-dirs' + ext);
    const sim = new SimKernel();
    await sim.fs.mkdir('/sys/fs/cgroup/g');
    const ac = new AbortController();
    const it = watchEvents(simTestKernel(sim), placeGroup(sim.layout, '/g', []), { pollMs: 3600000, initial: true, signal: ac.signal });
    console.log(JSON.stringify(await it.next()));
    if (end === 'return') await it.return();
    if (end === 'abort') ac.abort();`;
  // Run from src/ (tsx) or from dist/ (compiled): import the modules beside this file.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dirname(fileURLToPath(import.meta.url)), end, ext], {
    encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout };
}

test('a process whose only stream was ended exits by itself; one left open does not', () => {
  for (const end of ['return', 'abort'] as const) {
    const r = childRun(end, 60_000);
    assert.deepEqual([r.status, r.signal], [0, null], `${end}: ${r.stdout}`);
    assert.match(r.stdout, /"populated":false/);
  }
  const open = childRun('none', 8_000);
  assert.match(open.stdout, /"populated":false/, 'the child got as far as the first event');
  assert.equal(open.signal, 'SIGKILL', 'an open stream keeps its poll timer: the child had to be killed');
});
