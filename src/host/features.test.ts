import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinLayout } from '../core/layout.js';
import { canWrite, detectV2Features, findKernelFeatures, isRoot, kernelCgroupInfo, searchFeatures } from './features.js';
import { HostFs } from './hostfs.js';

const root = mkdtempSync(join(tmpdir(), 'cgkit-features-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('v2 features are read from the file names of a non-root group', async () => {
  const g = join(root, 'sys/fs/cgroup/g');
  mkdirSync(g, { recursive: true });
  for (const f of ['cgroup.procs', 'cgroup.kill', 'cpu.pressure', 'io.pressure', 'cgroup.stat.local']) writeFileSync(join(g, f), '');
  const f = await detectV2Features(new HostFs({ root }), '/sys/fs/cgroup/g');
  assert.deepEqual(f, {
    kill: true, freeze: false, pressureSwitch: false, statLocal: true,
    psi: { cpu: true, memory: false, io: true, irq: false },
  });
});

test('/sys/kernel/cgroup lists are words; absent files are empty lists', async () => {
  mkdirSync(join(root, 'k/sys/kernel/cgroup'), { recursive: true });
  writeFileSync(join(root, 'k/sys/kernel/cgroup/features'), 'nsdelegate\nfavordynmods\n');
  assert.deepEqual(await kernelCgroupInfo(join(root, 'k')), { features: ['nsdelegate', 'favordynmods'], delegate: [] });
});

test('live: /sys/kernel/cgroup as the kernel prints it', async (t) => {
  let text: string;
  try {
    text = readFileSync('/sys/kernel/cgroup/delegate', 'utf8');
  } catch {
    return t.skip('no /sys/kernel/cgroup on this kernel');
  }
  const info = await kernelCgroupInfo();
  assert.deepEqual(info.delegate, text.trim().split('\n'));
  assert.ok(info.delegate.includes('cgroup.procs'));
});

test('canWrite: writable directory, missing one, read-only one', async () => {
  mkdirSync(join(root, 'w/ro'), { recursive: true });
  assert.equal(await canWrite('/w', root), true);
  assert.equal(await canWrite('/w/none', root), false);
  chmodSync(join(root, 'w/ro'), 0o555);
  assert.equal(await canWrite('/w/ro', root), isRoot(), 'root ignores permission bits');
  assert.equal(isRoot(), process.geteuid?.() === 0);
});

test('findKernelFeatures on a legacy tree: no v2, so no v2-only feature; bandwidth and PSI from the v1 roots', async () => {
  const r = join(root, 'legacy');
  for (const d of ['sys/fs/cgroup/cpu', 'sys/fs/cgroup/pids']) mkdirSync(join(r, d), { recursive: true });
  writeFileSync(join(r, 'sys/fs/cgroup/cpu/cpu.shares'), '1024\n');
  const layout = builtinLayout('legacy');
  layout.mounts = layout.mounts.filter((m) => m.controllers.includes('cpu') || m.controllers.includes('pids'));
  const f = await findKernelFeatures(new HostFs({ root: r }), layout);
  assert.deepEqual(f.cgroupKill, { present: false, how: 'no cgroup v2 hierarchy is mounted' });
  assert.deepEqual(f.cpuBandwidth, { present: false, how: 'no cpu.cfs_quota_us in /sys/fs/cgroup/cpu' });
  assert.equal(f.psi.present, false);
  writeFileSync(join(r, 'sys/fs/cgroup/cpu/cpu.cfs_quota_us'), '-1\n');
  writeFileSync(join(r, 'sys/fs/cgroup/cpu/cpu.pressure'), '');
  const g = await findKernelFeatures(new HostFs({ root: r }), layout);
  assert.deepEqual([g.cpuBandwidth.present, g.psi], [true, { present: true, how: 'cpu.pressure in /sys/fs/cgroup/cpu' }]);
});

test('deferProbe: with no non-root v2 group, the v2-only features are reported as not looked at yet, and nothing is made', async () => {
  const r = join(root, 'deferred');
  mkdirSync(join(r, 'sys/fs/cgroup/unified'), { recursive: true });
  writeFileSync(join(r, 'sys/fs/cgroup/unified/cgroup.controllers'), '\n');
  const layout = builtinLayout('unified');
  layout.mounts = [{ ...layout.mounts[0]!, mountPoint: '/sys/fs/cgroup/unified' }];
  const s = await searchFeatures(new HostFs({ root: r }), layout, { deferProbe: true, probeParent: '/sys/fs/cgroup/unified' });
  assert.equal(s.looked, false);
  assert.equal(s.findings.cgroupKill.present, false);
  assert.match(s.findings.cgroupKill.how, /^not looked at yet: no non-root v2 group to look in/);
  assert.deepEqual(readdirSync(join(r, 'sys/fs/cgroup/unified')), ['cgroup.controllers']);
  // A group to look in: looked at, no probe needed.
  mkdirSync(join(r, 'sys/fs/cgroup/unified/g'));
  writeFileSync(join(r, 'sys/fs/cgroup/unified/g/cgroup.kill'), '');
  const t = await searchFeatures(new HostFs({ root: r }), layout, { deferProbe: true });
  assert.equal(t.looked, true);
  assert.deepEqual(t.findings.cgroupKill, { present: true, how: 'cgroup.kill in /sys/fs/cgroup/unified/g' });
});
