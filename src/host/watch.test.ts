import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupError } from '../core/errors.js';
import { builtinLayout } from '../core/layout.js';
import { HostFs } from './hostfs.js';
import { kernelNotifies, mountHolding } from './watch.js';

const root = mkdtempSync(join(tmpdir(), 'cgkit-watch-'));
after(() => rmSync(root, { recursive: true, force: true }));

function watchers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
}

test('only the v2 *.events files of non-root groups notify', () => {
  const hybrid = builtinLayout('hybrid');
  const yes = [
    '/sys/fs/cgroup/unified/a/cgroup.events', '/sys/fs/cgroup/unified/a/b/memory.events', '/sys/fs/cgroup/unified/a/memory.events.local',
    '/sys/fs/cgroup/unified/a/pids.events', '/sys/fs/cgroup/unified/a/hugetlb.2MB.events', '/sys/fs/cgroup/unified/a/memory.swap.events',
  ];
  const no = [
    '/sys/fs/cgroup/pids/a/pids.events', '/sys/fs/cgroup/memory/a/memory.oom_control', '/sys/fs/cgroup/unified/cgroup.events',
    '/sys/fs/cgroup/unified/a/cgroup.procs', '/sys/fs/cgroup/unified/a/memory.stat', '/etc/cgroup.events', '/sys/fs/cgroup/unified/a/cgroup.freeze',
  ];
  for (const p of yes) assert.equal(kernelNotifies(hybrid, p), true, p);
  for (const p of no) assert.equal(kernelNotifies(hybrid, p), false, p);
  assert.equal(kernelNotifies(builtinLayout('unified'), '/sys/fs/cgroup/a/cgroup.events'), true);
  assert.equal(kernelNotifies(builtinLayout('legacy'), '/sys/fs/cgroup/pids/a/pids.events'), false);
  assert.equal(mountHolding(hybrid, '/sys/fs/cgroup/unified/x')?.version, 2);
  assert.equal(mountHolding(hybrid, '/sys/fs/cgroup/cpuacct/x')?.mountPoint, '/sys/fs/cgroup/cpuacct', 'cpuacct is not under cpu');
});

test('HostFs.watch: a change calls back; stop releases the watcher and is idempotent', async () => {
  const dir = join(root, 'sys/fs/cgroup/g');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.events'), 'populated 0\n');
  const fs = new HostFs({ root });
  const before = watchers();
  let calls = 0;
  let heard!: () => void;
  const changed = new Promise<void>((r) => (heard = r));
  const stop = fs.watch('/sys/fs/cgroup/g/cgroup.events', () => {
    calls++;
    heard();
  });
  assert.equal(watchers(), before + 1);
  writeFileSync(join(dir, 'cgroup.events'), 'populated 1\n');
  await changed;
  assert.ok(calls >= 1);
  stop();
  stop();
  for (let i = 0; i < 200 && watchers() !== before; i++) await new Promise((r) => setTimeout(r, 5)); // the handle closes a few turns later
  assert.equal(watchers(), before);
});

test('HostFs.watch checks the path like every other operation', () => {
  mkdirSync(join(root, 'sys/fs/cgroup'), { recursive: true });
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(root, 'outside/f'), '');
  symlinkSync(join(root, 'outside'), join(root, 'sys/fs/cgroup/escape'));
  const fs = new HostFs({ root });
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
      return undefined;
    } catch (e) {
      assert.ok(e instanceof CgroupError, String(e));
      return e.code;
    }
  };
  assert.equal(code(() => fs.watch('sys/fs/cgroup/x', () => undefined)), 'EINVAL');
  assert.equal(code(() => fs.watch('/sys/fs/cgroup/../x', () => undefined)), 'EINVAL');
  assert.equal(code(() => fs.watch('/etc/passwd', () => undefined)), 'EACCES');
  assert.equal(code(() => fs.watch('/sys/fs/cgroup/escape/f', () => undefined)), 'EACCES');
  assert.equal(code(() => fs.watch('/sys/fs/cgroup/none/cgroup.events', () => undefined)), 'ENOENT');
});
