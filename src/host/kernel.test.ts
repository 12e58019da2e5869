import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupError } from '../core/errors.js';
import { isRoot } from './features.js';
import { writeAccess } from './live.js';
import { HostKernel } from './kernel.js';

// HostKernel over a fake tree: a temporary root holding the directories and
// files the kernel would show, and mountinfo text passed in.

const tmp = mkdtempSync(join(tmpdir(), 'cgkit-kernel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const PROC_CGROUPS = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t1\t1\npids\t8\t1\t1\nhugetlb\t0\t1\t1\n';

/** A fake root with the three mounts; `files` maps paths under it to contents. */
function fakeRoot(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const d of ['sys/fs/cgroup/cpu', 'sys/fs/cgroup/pids', 'sys/fs/cgroup/unified']) mkdirSync(join(root, d), { recursive: true });
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const open = (root: string, probe?: boolean): Promise<HostKernel> =>
  HostKernel.open({ root, mountinfo: MOUNTINFO, procCgroups: PROC_CGROUPS, procSelfCgroup: '', ...(probe === undefined ? {} : { probe }) });

test('features are read from an existing non-root v2 group and the v1 cpu root', async () => {
  const root = fakeRoot('a', {
    'sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n',
    'sys/fs/cgroup/unified/init.scope/cgroup.kill': '',
    'sys/fs/cgroup/unified/init.scope/cgroup.events': 'populated 1\nfrozen 0\n',
    'sys/fs/cgroup/unified/init.scope/cpu.pressure': '',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
    'proc/sys/kernel/osrelease': '6.1.0-test\n',
  });
  const k = await open(root);
  assert.equal(k.kind, 'host');
  assert.equal(k.layout.kind, 'hybrid');
  assert.deepEqual(k.features, { cgroupKill: true, cgroupFreeze: false, psi: true, cpuBandwidth: true });
  const r = await k.describe();
  assert.equal(r.kind, 'hybrid');
  assert.equal(r.kernelRelease, '6.1.0-test');
  assert.match(r.features.cgroupKill.how, /init\.scope/);
  assert.deepEqual([r.features.cgroupFreeze.present, r.features.cgroupEvents.present], [false, true]);
  assert.equal(r.features.cpuBandwidth.how, 'cpu.cfs_quota_us in /sys/fs/cgroup/cpu');
  assert.deepEqual(r.hierarchies.map((h) => [h.mountPoint, h.version, h.controllers]), [
    ['/sys/fs/cgroup/cpu', 1, ['cpu']],
    ['/sys/fs/cgroup/pids', 1, ['pids']],
    ['/sys/fs/cgroup/unified', 2, ['hugetlb']],
  ]);
  assert.deepEqual(r.known.map((c) => c.name), ['cpu', 'pids', 'hugetlb']);
  for (const h of r.hierarchies) {
    // As root the tree is ours; otherwise this process's cgroup cannot be found in the fake tree (no /proc/<pid>/cgroup there).
    if (isRoot()) assert.deepEqual(h.access, { mode: 'root', dir: h.mountPoint });
    else assert.equal(h.access.mode, 'none');
  }
});

test('no non-root v2 group: open changes nothing and leaves those features unknown; describe probes', async () => {
  const root = fakeRoot('b', { 'sys/fs/cgroup/unified/cgroup.controllers': 'cpu\n', 'sys/fs/cgroup/unified/cgroup.subtree_control': '\n' });
  const v2dir = join(root, 'sys/fs/cgroup/unified');
  const past = new Date('2020-01-01T00:00:00Z');
  utimesSync(v2dir, past, past);
  const k = await open(root);
  // A mkdir and rmdir there would have moved the directory's mtime.
  assert.equal(statSync(v2dir).mtimeMs, past.getTime(), 'open made no probe group');
  assert.equal(k.featuresKnown, false);
  assert.equal(k.features.cgroupKill, false);
  const r = await k.describe();
  assert.equal(k.featuresKnown, true, 'describe probed');
  assert.deepEqual(readdirSync(v2dir).filter((n) => n.startsWith('cgkit-probe-')), [], 'no probe group left');
  assert.equal(r.features.cgroupKill.present, false);
  if (isRoot()) {
    assert.notEqual(statSync(v2dir).mtimeMs, past.getTime(), 'a probe group was made and removed');
    const probe = new RegExp(`^no cgroup\\.kill in probe group /sys/fs/cgroup/unified/cgkit-probe-${process.pid}-\\d+-[0-9a-f]{12} \\(removed\\)$`);
    assert.match(r.features.cgroupKill.how, probe);
  } else {
    assert.match(r.features.cgroupKill.how, /^unknown: /);
  }
  assert.equal(r.kernelRelease, null, 'no osrelease in the fake tree');

  const before = await open(root, false);
  const f = await before.probe();
  assert.equal(before.featuresKnown, true);
  assert.deepEqual(f, before.features);
  assert.equal((await open(root, true)).featuresKnown, true, 'probe: true probes at open');
});

test('v2 cpu bandwidth is looked up in a group where cpu is on', async () => {
  const root = join(tmp, 'c');
  mkdirSync(join(root, 'sys/fs/cgroup'), { recursive: true });
  writeFileSync(join(root, 'sys/fs/cgroup/cgroup.controllers'), 'cpu memory\n');
  for (const [g, files] of [['a', ['cgroup.controllers', 'cpu.max']], ['b', ['cgroup.controllers']]] as const) {
    mkdirSync(join(root, 'sys/fs/cgroup', g));
    for (const f of files) writeFileSync(join(root, 'sys/fs/cgroup', g, f), f === 'cgroup.controllers' ? 'cpu memory\n' : 'max 100000\n');
  }
  const unified = '29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
  const k = await HostKernel.open({ root, mountinfo: unified, procCgroups: PROC_CGROUPS, procSelfCgroup: '' });
  assert.equal(k.layout.kind, 'unified');
  assert.equal(k.features.cpuBandwidth, true);
  assert.equal((await k.describe()).features.cpuBandwidth.how, 'cpu.max in /sys/fs/cgroup/a');
});

test('watch: inotify for v2 event files, undefined for files the kernel does not notify', async () => {
  const root = fakeRoot('d', { 'sys/fs/cgroup/unified/g/cgroup.events': 'populated 0\n', 'sys/fs/cgroup/pids/g/pids.events': 'max 0\n' });
  const k = await open(root, false);
  assert.equal(k.watch('/sys/fs/cgroup/pids/g/pids.events', () => undefined), undefined);
  let heard!: () => void;
  const changed = new Promise<void>((r) => (heard = r));
  const stop = k.watch('/sys/fs/cgroup/unified/g/cgroup.events', () => heard());
  assert.equal(typeof stop, 'function');
  writeFileSync(join(root, 'sys/fs/cgroup/unified/g/cgroup.events'), 'populated 1\n');
  await changed;
  stop?.();
  assert.throws(() => k.watch('/sys/fs/cgroup/unified/none/cgroup.events', () => undefined), (e: unknown) => e instanceof CgroupError && e.code === 'ENOENT');
});

test('signal: never a process group; a bad signal is EINVAL', async () => {
  const k = await open(fakeRoot('e', {}), false);
  for (const pid of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => k.signal(pid, 0), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL', String(pid));
  }
  assert.throws(() => k.signal(process.pid, 'SIGNOPE' as NodeJS.Signals), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
  k.signal(process.pid, 0); // signal 0 only checks that the process exists
  await assert.rejects(k.sleep(-1), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
});

test('a subtree owned by our uid is delegated: groups may be made there', async (t) => {
  if (!isRoot()) return t.skip('needs root to give the fake tree to another uid');
  const root = fakeRoot('f', {
    'proc/4242/cgroup': '0::/user.slice/me\n',
    'sys/fs/cgroup/unified/user.slice/me/cgroup.procs': '',
    'sys/fs/cgroup/unified/user.slice/me/cgroup.freeze': '',
  });
  const me = join(root, 'sys/fs/cgroup/unified/user.slice/me');
  chownSync(me, 1000, 1000);
  chownSync(join(me, 'cgroup.procs'), 1000, 1000);
  const k = await open(root, false);
  const v2 = k.layout.mounts.find((m) => m.version === 2);
  assert.deepEqual(await writeAccess(k.fs, v2, { pid: 4242, euid: 1000 }), { mode: 'delegated', dir: '/sys/fs/cgroup/unified/user.slice/me' });
  const other = await writeAccess(k.fs, v2, { pid: 4242, euid: 1001 });
  assert.equal(other.mode, 'none');
  assert.match(other.why ?? '', /not delegated to uid 1001/);
  assert.equal((await writeAccess(k.fs, v2, { pid: 4243, euid: 1000 })).mode, 'none', 'no /proc/4243/cgroup');
});
