import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CgroupError } from '../core/errors.js';
import { parseWords } from '../core/format/lists.js';
import { isRoot } from './features.js';
import { openHostScratch } from './host-test.test-util.js';
import { detectHostLayout } from './layout.js';
import { findMount, whyNotWritable } from './live.js';

// HostKernel on the live host. Groups are `cgkit-test-<random>` (made by
// Scratch), the only process moved is the `sleep` started here, killed by
// the pid held; the end of the tests and SIGINT/SIGTERM remove it all.

const host = await openHostScratch();

test('describe: the layout, each hierarchy and what this process may do there', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const { kernel } = host;
  const r = await kernel.describe();
  const layout = await detectHostLayout();
  assert.equal(r.kind, layout.kind);
  assert.deepEqual(r.hierarchies.map((h) => h.mountPoint), layout.mounts.map((m) => m.mountPoint));
  for (const h of r.hierarchies) {
    if (h.version === 2) assert.deepEqual(h.controllers, parseWords(await kernel.fs.readFile(`${h.mountPoint}/cgroup.controllers`)));
    const why = await whyNotWritable(kernel.layout.mounts.find((m) => m.mountPoint === h.mountPoint));
    if (isRoot()) assert.equal(h.access.mode === 'root', why === undefined, h.mountPoint);
  }
  assert.equal(r.euid, process.geteuid?.());
  assert.ok(r.kernelRelease !== null && /^\d+\.\d+/.test(r.kernelRelease));
});

test('features agree with the files of a group made here, and no probe group is left', async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const { kernel, scratch } = host;
  const v2 = findMount(kernel.layout, 'v2');
  const why = await whyNotWritable(v2);
  if (why !== undefined || v2 === undefined) return t.skip(`v2: ${why ?? 'not mounted'}`);
  const r = await kernel.describe();
  const probe = /cgkit-probe-\d+-\d+-[0-9a-f]{12}/.exec(r.features.cgroupKill.how)?.[0];
  if (probe !== undefined) assert.ok(!readdirSync(v2.mountPoint).includes(probe), `${probe} was removed`);
  const names = await kernel.fs.readdir(await scratch.top(v2.mountPoint));
  assert.equal(kernel.features.cgroupKill, names.includes('cgroup.kill'));
  assert.equal(kernel.features.cgroupFreeze, names.includes('cgroup.freeze'));
  assert.equal(r.features.cgroupEvents.present, names.includes('cgroup.events'));
  const cpu = findMount(kernel.layout, 'cpu');
  if (cpu?.version === 1) assert.equal(kernel.features.cpuBandwidth, (await kernel.fs.readdir(cpu.mountPoint)).includes('cpu.cfs_quota_us'));
});

test('watch hears cgroup.events change when a process started here enters and is killed', { timeout: 60_000 }, async (t) => {
  if (typeof host === 'string') return t.skip(host);
  const { kernel, scratch, started } = host;
  const v2 = findMount(kernel.layout, 'v2');
  const why = await whyNotWritable(v2);
  if (why !== undefined || v2 === undefined) return t.skip(`v2: ${why ?? 'not mounted'}`);
  const g = await scratch.group(v2.mountPoint, 'watched');
  const pids = findMount(kernel.layout, 'pids');
  if (pids?.version === 1) assert.equal(kernel.watch(`${pids.mountPoint}/cgroup.procs`, () => undefined), undefined, 'v1 files are polled');
  let changes = 0;
  let wake: (() => void) | undefined;
  const changed = (): Promise<void> => new Promise((r) => (wake = r));
  const stop = kernel.watch(`${g}/cgroup.events`, () => {
    changes++;
    wake?.();
  });
  assert.equal(typeof stop, 'function');
  try {
    let next = changed();
    const h = await kernel.exec({ argv: ['sleep', '30'], procsFiles: [`${g}/cgroup.procs`], stdio: 'ignore' });
    started.push(h);
    await next;
    assert.match(await kernel.fs.readFile(`${g}/cgroup.events`), /^populated 1$/m);
    next = changed();
    kernel.signal(h.pid, 'SIGKILL');
    assert.equal((await h.exited).signal, 'SIGKILL');
    await next;
    assert.ok(changes >= 2);
    assert.throws(() => kernel.signal(h.pid, 0), (e: unknown) => e instanceof CgroupError && e.code === 'ESRCH', 'reaped: no such process');
  } finally {
    stop?.();
  }
});
