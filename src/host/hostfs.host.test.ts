import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { parseFlat } from '../core/format/keyed.js';
import { parseIdList, parseWords } from '../core/format/lists.js';
import { detectV2Features } from './features.js';
import { cgroupDirOf, findMount, liveHost, whyNotWritable } from './live.js';
import type { HostMount } from './layout.js';
import { Scratch } from './scratch.js';

// HostFs against the real kernel. Every group made here is named
// `cgkit-test-<random>`; only the `sleep` processes spawned here are moved,
// and they are killed by pid; `after` removes it all.

const host = await liveHost();
const fs = host?.fs;
const scratch = fs === undefined ? undefined : new Scratch(fs);
after(async () => {
  await scratch?.dispose();
});

/** A writable mount and the scratch area, or a skip with the reason. */
async function use(t: TestContext, which: string): Promise<{ m: HostMount; s: Scratch; fs: NonNullable<typeof fs> } | undefined> {
  const m = host === undefined ? undefined : findMount(host.layout, which);
  const why = host === undefined ? 'no cgroup filesystem' : await whyNotWritable(m);
  if (why !== undefined || m === undefined || scratch === undefined || fs === undefined) {
    t.skip(`${which}: ${why ?? 'unavailable'}`);
    return undefined;
  }
  return { m, s: scratch, fs };
}

async function failure(p: Promise<unknown>): Promise<CgroupError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof CgroupError, `expected a CgroupError, got ${String(e)}`);
  return e;
}

test('v2: mkdir, readdir, read, write, stat, chown, chmod, rmdir', async (t) => {
  const u = await use(t, 'v2');
  if (!u) return;
  const g = await u.s.group(u.m.mountPoint, 'basic');
  const names = await u.fs.readdir(g);
  for (const f of ['cgroup.procs', 'cgroup.type', 'cgroup.max.depth', 'cgroup.subtree_control', 'cgroup.events']) assert.ok(names.includes(f), f);
  assert.equal(await u.fs.readFile(`${g}/cgroup.type`), 'domain\n');
  assert.equal(await u.fs.readFile(`${g}/cgroup.max.depth`), 'max\n');
  await u.fs.writeFile(`${g}/cgroup.max.depth`, '3');
  assert.equal(await u.fs.readFile(`${g}/cgroup.max.depth`), '3\n');
  assert.deepEqual(parseFlat(await u.fs.readFile(`${g}/cgroup.events`)).get('populated'), '0');
  const st = await u.fs.stat(g);
  assert.equal(st.isDirectory, true);
  assert.equal(st.mode, 0o755);
  assert.equal((await u.fs.stat(`${g}/cgroup.controllers`)).mode, 0o444);
  assert.equal((await u.fs.stat(`${g}/cgroup.kill`)).mode, 0o200);
  await u.fs.chown(g, 4321, 4321);
  await u.fs.chmod(`${g}/cgroup.procs`, 0o664);
  assert.deepEqual([(await u.fs.stat(g)).uid, (await u.fs.stat(g)).gid], [4321, 4321]);
  assert.equal((await u.fs.stat(`${g}/cgroup.procs`)).mode, 0o664);
  await u.fs.chown(g, 0, 0);
  await u.fs.mkdir(`${g}/kid`);
  assert.ok((await u.fs.readdirEntries(g)).some((e) => e.name === 'kid' && e.isDirectory));
  assert.equal((await failure(u.fs.mkdir(`${g}/kid`))).code, 'EEXIST');
  await u.fs.rmdir(`${g}/kid`);
  assert.equal((await failure(u.fs.rmdir(`${g}/kid`))).code, 'ENOENT');
  const f = await detectV2Features(u.fs, g);
  assert.equal(f.kill, true, 'this host has cgroup.kill');
  assert.equal(f.freeze, true);
});

test('v2: the kernel\'s errno comes through with the write syscall and the host path', async (t) => {
  const u = await use(t, 'v2');
  if (!u) return;
  const g = await u.s.group(u.m.mountPoint, 'errno');
  await u.fs.mkdir(`${g}/kid`);
  const e = await failure(u.fs.writeFile(`${g}/cgroup.max.depth`, 'x'));
  assert.deepEqual([e.code, e.syscall, e.path, e.errno], ['EINVAL', 'write', `${g}/cgroup.max.depth`, -22]);
  assert.equal((await failure(u.fs.writeFile(`${g}/cgroup.max.depth`, '-1'))).code, 'ERANGE');
  const busy = await failure(u.fs.rmdir(g));
  assert.deepEqual([busy.code, busy.syscall], ['EBUSY', 'rmdir']);
  // As root the open succeeds (DAC override); cgroupfs refuses the write or read itself.
  const ro = await failure(u.fs.writeFile(`${g}/cgroup.controllers`, 'x'));
  assert.deepEqual([ro.code, ro.syscall], ['EINVAL', 'write']);
  const wo = await failure(u.fs.readFile(`${g}/kid/cgroup.kill`));
  assert.deepEqual([wo.code, wo.syscall], ['EINVAL', 'read']);
  const missing = await failure(u.fs.writeFile(`${g}/no.such.file`, '1'));
  assert.deepEqual([missing.code, missing.syscall], ['ENOENT', 'open']);
  assert.equal((await failure(u.fs.rename(`${g}/kid`, `${g}/kid2`))).code, 'EPERM');
});

test('v2: a spawned process moves in through cgroup.procs and back out', async (t) => {
  const u = await use(t, 'v2');
  if (!u) return;
  const g = await u.s.group(u.m.mountPoint, 'move');
  const sleeper = u.s.spawnSleeper();
  const origin = await cgroupDirOf(u.fs, u.m, sleeper.pid);
  await u.fs.writeFile(`${g}/cgroup.procs`, String(sleeper.pid));
  assert.equal(await cgroupDirOf(u.fs, u.m, sleeper.pid), g);
  assert.deepEqual(parseIdList(await u.fs.readFile(`${g}/cgroup.procs`)), [sleeper.pid]);
  assert.equal(parseFlat(await u.fs.readFile(`${g}/cgroup.events`)).get('populated'), '1');
  assert.equal((await failure(u.fs.rmdir(g))).code, 'EBUSY');
  await u.fs.writeFile(`${origin}/cgroup.procs`, String(sleeper.pid));
  assert.equal(await cgroupDirOf(u.fs, u.m, sleeper.pid), origin);
  assert.equal(parseFlat(await u.fs.readFile(`${g}/cgroup.events`)).get('populated'), '0');
  await sleeper.kill();
});

test('v1 pids: limits, tasks, populated rmdir, in-place rename', async (t) => {
  const u = await use(t, 'pids');
  if (!u) return;
  const g = await u.s.group(u.m.mountPoint, 'pids');
  await u.fs.mkdir(`${g}/a`);
  const names = await u.fs.readdir(`${g}/a`);
  for (const f of ['pids.max', 'pids.current', 'tasks', 'cgroup.procs', 'notify_on_release']) assert.ok(names.includes(f), f);
  assert.equal(await u.fs.readFile(`${g}/a/pids.max`), 'max\n');
  await u.fs.writeFile(`${g}/a/pids.max`, '5');
  assert.equal(await u.fs.readFile(`${g}/a/pids.max`), '5\n');
  assert.equal((await failure(u.fs.writeFile(`${g}/a/pids.max`, 'x'))).code, 'EINVAL');
  const sleeper = u.s.spawnSleeper();
  const origin = await cgroupDirOf(u.fs, u.m, sleeper.pid);
  await u.fs.writeFile(`${g}/a/cgroup.procs`, String(sleeper.pid));
  assert.deepEqual(parseIdList(await u.fs.readFile(`${g}/a/tasks`)), [sleeper.pid]);
  assert.equal(await u.fs.readFile(`${g}/a/pids.current`), '1\n');
  assert.equal((await failure(u.fs.rmdir(`${g}/a`))).code, 'EBUSY');
  assert.equal((await failure(u.fs.rmdir(g))).code, 'EBUSY');
  await u.fs.writeFile(`${origin}/cgroup.procs`, String(sleeper.pid));
  await sleeper.kill();
  await u.fs.rename(`${g}/a`, `${g}/b`);
  assert.deepEqual((await u.fs.readdirEntries(g)).filter((e) => e.isDirectory).map((e) => e.name), ['b']);
  await u.fs.rmdir(`${g}/b`);
});

test('v1 cpu: shares and bandwidth values', async (t) => {
  const u = await use(t, 'cpu');
  if (!u) return;
  const g = await u.s.group(u.m.mountPoint, 'cpu');
  assert.equal(await u.fs.readFile(`${g}/cpu.shares`), '1024\n');
  await u.fs.writeFile(`${g}/cpu.shares`, '512');
  assert.equal(await u.fs.readFile(`${g}/cpu.shares`), '512\n');
  await u.fs.writeFile(`${g}/cpu.cfs_quota_us`, '50000');
  assert.equal(await u.fs.readFile(`${g}/cpu.cfs_quota_us`), '50000\n');
  assert.equal((await failure(u.fs.writeFile(`${g}/cpu.cfs_quota_us`, '500'))).code, 'EINVAL');
  assert.deepEqual(parseWords(await u.fs.readFile(`${g}/cpu.cfs_period_us`)), ['100000']);
  const st = await u.fs.stat(`${g}/cpu.shares`);
  assert.deepEqual([st.isFile, st.mode], [true, 0o644]);
});

test('path checks hold on the real host', async (t) => {
  if (fs === undefined || host === undefined) return t.skip('no cgroup filesystem');
  const top = host.layout.mounts[0]!.mountPoint;
  assert.equal((await failure(fs.readdir(`${top}/../..`))).code, 'EINVAL');
  assert.equal((await failure(fs.readFile(`${top}/cgroup.procs\0`))).code, 'EINVAL');
  assert.equal((await failure(fs.readFile('/etc/hostname'))).code, 'EACCES');
  assert.equal((await failure(fs.writeFile(`/proc/${process.pid}/oom_score_adj`, '0'))).code, 'EACCES');
  assert.match(await fs.readFile(`/proc/${process.pid}/cgroup`), /^[0-9]+:/);
});
