import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupError } from '../core/errors.js';
import { parseMountInfo } from '../core/format/mountinfo.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import { builtinLayout, type LayoutSpec, type MountSpec } from '../core/layout.js';
import { buildHostLayout, detectHostLayout, detectHostLayoutSync, type HostLayout } from './layout.js';
import { parseProcCgroups } from './proc-cgroups.js';
import { HYBRID_MOUNTINFO, HYBRID_PROC_CGROUPS } from '../core/format/host-texts.test-util.js';

const HYBRID = HYBRID_MOUNTINFO;
const PROC_CGROUPS = HYBRID_PROC_CGROUPS;
const UNIFIED = '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
const LEGACY = `31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
35 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
36 31 0:33 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,net_cls,net_prio
37 31 0:34 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,blkio
`;

/** The layout without the host-only extras, to compare with a builtin one. */
function plain(l: HostLayout): LayoutSpec {
  return {
    kind: l.kind,
    mounts: l.mounts.map((m) => {
      const s: MountSpec = { version: m.version, mountPoint: m.mountPoint, controllers: m.controllers };
      if (m.name !== undefined) s.name = m.name;
      if (m.aliases !== undefined) s.aliases = m.aliases;
      return s;  // hierarchyId is left out: the builtin layouts assign it in mount order
    }),
  };
}

const known = parseProcCgroups(PROC_CGROUPS);

test('the hybrid host text gives the builtin hybrid layout', () => {
  const l = buildHostLayout(parseMountInfo(HYBRID), known);
  assert.deepEqual(plain(l), builtinLayout('hybrid'));
  assert.equal(l.mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/blkio')!.device, '0:35');
  assert.deepEqual(l.mounts.map((m) => m.hierarchyId), [7, 1, 2, 3, 5, 6, 4, 8, undefined, 0], 'named hierarchy needs /proc/self/cgroup');
  const withSelf = buildHostLayout(parseMountInfo(HYBRID), known, new Map(), parseProcCgroup('9:name=systemd:/\n0::/\n'));
  assert.equal(withSelf.mounts.find((m) => m.name === 'systemd')!.hierarchyId, 9);
  assert.deepEqual(l.known.map((k) => [k.name, k.enabled]).slice(0, 4), [['cpuset', true], ['cpu', true], ['cpuacct', true], ['io', true]]);
});

test('a v2-only host is unified; a name-only v1 mount beside it does not change that', () => {
  assert.deepEqual(plain(buildHostLayout(parseMountInfo(UNIFIED), known)), builtinLayout('unified'));
  const withNamed = UNIFIED + '40 29 0:37 / /run/named rw - cgroup cgroup rw,name=tracker\n';
  const l = buildHostLayout(parseMountInfo(withNamed), known);
  assert.equal(l.kind, 'unified');
  assert.deepEqual(l.mounts[0], { version: 1, mountPoint: '/run/named', controllers: [], device: '0:37', root: '/', binds: [], name: 'tracker' });
  assert.equal(l.mounts[1]!.hierarchyId, 0);
});

test('legacy: co-mounted controllers, option words that are not controllers, v2 spelling', () => {
  const l = buildHostLayout(parseMountInfo(LEGACY), []);
  assert.equal(l.kind, 'legacy');
  assert.deepEqual(l.mounts.map((m) => [m.mountPoint, m.controllers, m.name]), [
    ['/sys/fs/cgroup/blkio', ['io'], undefined],
    ['/sys/fs/cgroup/cpu,cpuacct', ['cpu', 'cpuacct'], undefined],
    ['/sys/fs/cgroup/net_cls,net_prio', ['net_cls', 'net_prio'], undefined],
    ['/sys/fs/cgroup/systemd', [], 'systemd'],
  ]);
});

test('one hierarchy mounted twice is one mount with an alias; a sub-directory bind is listed apart', () => {
  const text = `39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
50 27 0:36 / /mnt/pids rw - cgroup cgroup rw,pids
51 27 0:36 /box /mnt/box rw - cgroup cgroup rw,pids
`;
  const l = buildHostLayout(parseMountInfo(text), known);
  assert.deepEqual(l.mounts, [{
    version: 1, mountPoint: '/sys/fs/cgroup/pids', controllers: ['pids'], device: '0:36', root: '/',
    aliases: ['/mnt/pids'], binds: [{ mountPoint: '/mnt/box', root: '/box' }], hierarchyId: 8,
  }]);
});

test('a later mount on the same point hides the earlier one', () => {
  const text = '39 31 0:36 / /sys/fs/cgroup rw - cgroup cgroup rw,pids\n60 39 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
  assert.deepEqual(plain(buildHostLayout(parseMountInfo(text), known)), builtinLayout('unified'));
  const hidden = '60 31 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n61 31 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n';
  assert.throws(() => buildHostLayout(parseMountInfo(hidden), known), (e: unknown) => e instanceof CgroupError && e.code === 'ENODEV');
});

test('no cgroup mount at all is ENODEV', () => {
  assert.throws(() => buildHostLayout(parseMountInfo(HYBRID.split('\n').slice(0, 4).join('\n')), known),
    (e: unknown) => e instanceof CgroupError && e.code === 'ENODEV' && e.path === '/proc/self/mountinfo');
});

const tmp = mkdtempSync(join(tmpdir(), 'cgkit-layout-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('symlinks beside the mount points become aliases (async and sync agree)', async () => {
  const dir = join(tmp, 'sys/fs/cgroup');
  mkdirSync(join(dir, 'cpu,cpuacct'), { recursive: true });
  mkdirSync(join(dir, 'blkio'));
  symlinkSync('cpu,cpuacct', join(dir, 'cpu'));
  symlinkSync('/sys/fs/cgroup/cpu,cpuacct', join(dir, 'cpuacct'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  const opts = { mountinfo: LEGACY, procCgroups: PROC_CGROUPS, procSelfCgroup: '1:name=systemd:/\n', root: tmp };
  const l = await detectHostLayout(opts);
  assert.deepEqual(l.mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/cpu,cpuacct')!.aliases, ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpuacct']);
  assert.equal(l.mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/blkio')!.aliases, undefined);
  assert.deepEqual(detectHostLayoutSync(opts), l);
  assert.equal(l.known.length, 12);
  assert.equal(l.mounts.find((m) => m.name === 'systemd')!.hierarchyId, 1);
});

test('injected mountinfo without a root reads nothing from the host', async () => {
  const l = await detectHostLayout({ mountinfo: LEGACY });
  assert.deepEqual(l.known, []);
  assert.equal(l.mounts.find((m) => m.name === 'systemd')!.hierarchyId, undefined);
  assert.deepEqual(detectHostLayoutSync({ mountinfo: LEGACY }), l);
});

test('files are read under the injected root', async () => {
  const root = join(tmp, 'fake');
  mkdirSync(join(root, 'proc/self'), { recursive: true });
  writeFileSync(join(root, 'proc/self/mountinfo'), UNIFIED);
  assert.equal((await detectHostLayout({ root })).kind, 'unified');
  assert.deepEqual(detectHostLayoutSync({ root }).known, []);
  await assert.rejects(detectHostLayout({ root: join(tmp, 'none') }), (e: unknown) => e instanceof CgroupError && e.code === 'ENOENT');
  assert.throws(() => detectHostLayoutSync({ root: join(tmp, 'none') }), (e: unknown) => e instanceof CgroupError && e.code === 'ENOENT');
});

const onLinux = (() => {
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')).some((m) => m.fsType.startsWith('cgroup'));
  } catch {
    return false;
  }
})();

test('live: the detected layout agrees with /proc/self/cgroup', async (t) => {
  if (!onLinux) return t.skip('no cgroup filesystem mounted here');
  const l = await detectHostLayout();
  assert.deepEqual(detectHostLayoutSync(), l);
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((s) => s.split(':'));
  const v1 = lines.filter(([id]) => id !== '0').map(([, ctrls]) => ctrls!.split(',').map((c) => (c === 'blkio' ? 'io' : c)).sort().join(','));
  const mounted = l.mounts.filter((m) => m.version === 1).map((m) => (m.name !== undefined ? [`name=${m.name}`, ...m.controllers] : m.controllers).sort().join(','));
  for (const h of mounted) assert.ok(v1.includes(h), `mounted hierarchy ${h} is in /proc/self/cgroup`);
  assert.equal(lines.some(([id]) => id === '0'), l.mounts.some((m) => m.version === 2));
  for (const k of l.known) if (k.hierarchy !== undefined && k.hierarchy > 0) assert.ok(l.mounts.some((m) => m.controllers.includes(k.name) && m.hierarchyId === k.hierarchy), k.name);
  const ids = new Set(lines.map(([id]) => Number(id)));
  for (const m of l.mounts) assert.ok(m.hierarchyId !== undefined && ids.has(m.hierarchyId), `${m.mountPoint} has a hierarchy id seen in /proc/self/cgroup`);
});

test('live: this project\'s hybrid host', async (t) => {
  const l = onLinux ? await detectHostLayout() : undefined;
  if (l?.mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/unified')?.version !== 2) return t.skip('not a hybrid host with v2 at /sys/fs/cgroup/unified');
  assert.equal(l.kind, 'hybrid');
  assert.deepEqual(plain(l), builtinLayout('hybrid'));
  for (const c of ['cpu', 'cpuacct', 'io', 'pids']) assert.ok(l.known.some((k) => k.name === c && k.enabled && (k.hierarchy ?? 0) > 0), c);
});
