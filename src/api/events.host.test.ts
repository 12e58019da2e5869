import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecHandle } from '../core/backend.js';
import { openHostScratch } from '../host/host-test.test-util.js';
import type { HostKernel } from '../host/kernel.js';
import { findMount, whyNotWritable } from '../host/live.js';
import { watchEvents, type CgroupEvent } from './events.js';
import { handleCounts, nextEvent, settledHandleCounts } from './events.test-util.js';
import { placeGroup, type GroupDirs } from './group-dirs.js';

// The event stream on the real kernel. The group `cgkit-test-<random>` is
// made in the v2 tree and the v1 pids hierarchy only; the processes are
// started here and killed by the pid held; everything is removed in
// `finally`, after the tests, and on SIGINT/SIGTERM.

const host = await openHostScratch();

interface InGroup {
  k: HostKernel;
  g: GroupDirs;
  /** Processes started by `start`, killed after the tests. */
  started: ExecHandle[];
}

/** The group in the v2 tree and the v1 pids hierarchy, or a skip with the reason. */
async function group(t: TestContext): Promise<InGroup | undefined> {
  if (typeof host === 'string') return void t.skip(host);
  const { kernel, scratch } = host;
  for (const which of ['v2', 'pids']) {
    const m = findMount(kernel.layout, which);
    const why = await whyNotWritable(m);
    if (why !== undefined || m === undefined || (which === 'pids' && m.version !== 1)) return void t.skip(`${which}: ${why ?? 'not a v1 hierarchy'}`);
    await scratch.top(m.mountPoint);
  }
  const g = placeGroup(kernel.layout, `/${scratch.name}`, ['pids']);
  assert.deepEqual(g.dirs.map((d) => d.version), [1, 2]);
  return { k: kernel, g, started: host.started };
}

/** Start `argv` in the group; it is killed after the tests if still there. */
async function start(u: InGroup, argv: string[]): Promise<ExecHandle> {
  const h = await u.k.exec({ argv, procsFiles: u.g.dirs.map((d) => `${d.dir}/cgroup.procs`), stdio: 'ignore' });
  u.started.push(h);
  return h;
}

async function until(it: AsyncIterator<CgroupEvent>, want: (e: CgroupEvent) => boolean): Promise<CgroupEvent> {
  for (;;) {
    const e = await nextEvent(it);
    assert.notEqual(e, 'done', 'the stream ended early');
    if (e !== 'done' && want(e)) return e;
  }
}

test('populated follows a process started in the group and killed, woken by inotify alone', { timeout: 60_000 }, async (t) => {
  const u = await group(t);
  if (!u) return;
  const before = handleCounts();
  const it = watchEvents(u.k, u.g, { initial: true, pollMs: 1e9 }); // the poll would come in 11 days: only inotify wakes the reader
  try {
    assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
    assert.deepEqual(await nextEvent(it), { type: 'frozen', frozen: false });
    const h = await start(u, ['sleep', '30']);
    assert.deepEqual(await nextEvent(it), { type: 'populated', populated: true });
    u.k.signal(h.pid, 'SIGKILL');
    assert.equal((await h.exited).signal, 'SIGKILL');
    assert.deepEqual(await nextEvent(it), { type: 'populated', populated: false });
  } finally {
    await it.return?.();
  }
  const now = await settledHandleCounts(before);
  assert.deepEqual(now, before, 'no watcher or timer left behind');
});

test('a fork refused by the v1 pids.max is a pids.max event', { timeout: 60_000 }, async (t) => {
  const u = await group(t);
  if (!u) return;
  const pids = u.g.dirOf('pids')!;
  await u.k.fs.writeFile(`${pids.dir}/pids.max`, '1');
  const it = watchEvents(u.k, u.g, { pollMs: 20 }); // v1 pids.events never notifies: polled
  try {
    await it.ready;
    const h = await start(u, ['sh', '-c', 'sleep 1 & sleep 1 & wait']);
    const e = await until(it, (x) => x.type === 'pids.max');
    assert.ok(e.type === 'pids.max' && e.delta >= 1n && e.count >= e.delta, String(e.type === 'pids.max' ? e.delta : e.type));
    assert.equal((await h.exited).code, 2, 'sh gave up when it could not fork');
    // populated may have gone 1 and back to 0 between two reads: a state, unlike a counter, can flip unseen.
    assert.equal(await u.k.fs.readFile(`${pids.dir}/pids.current`), '0\n');
  } finally {
    await it.return?.();
  }
});

test('removing the group ends the stream', { timeout: 60_000 }, async (t) => {
  const u = await group(t);
  if (!u) return;
  const sub = placeGroup(u.k.layout, `${u.g.path}/gone`, ['pids']);
  for (const d of sub.dirs) await u.k.fs.mkdir(d.dir);
  const it = watchEvents(u.k, sub, { pollMs: 20 });
  await it.ready;
  const end = nextEvent(it);
  for (const d of [...sub.dirs].reverse()) await u.k.fs.rmdir(d.dir);
  assert.equal(await end, 'done');
});
