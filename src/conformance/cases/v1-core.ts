import { NO_SUCH_PID } from '../context.js';
import { must, type Case } from '../case.js';
import { list } from './util.js';

/** v1 core: tasks and cgroup.procs, notify_on_release, rename, rmdir. */
export const v1Core: Case[] = [
  {
    id: 'v1-core/files',
    title: 'core files of a v1 cgroup',
    rule: 'a non-root v1 cgroup has tasks, cgroup.procs, notify_on_release and cgroup.clone_children; release_agent is on the root only',
    needs: { v1: ['cpuacct'] },
    async run(c) {
      await c.mkdir('cpuacct:a', 'ok');
      await c.readdir('cpuacct:a', 'cgroup.clone_children cgroup.procs', 'cgroup.');
      await c.readdir('cpuacct:a', 'notify_on_release', 'notify');
      await c.readdir('cpuacct:a', 'tasks', 'tasks');
      await c.readdir('cpuacct:a', '', 'release_agent');
      await c.readdir('cpuacct:a', '', 'cgroup.sane');
      await c.read('cpuacct:a/tasks', '');
      await c.read('cpuacct:a/cgroup.procs', '');
      await c.stat('cpuacct:a/tasks', 'file 644 0:0');
    },
  },
  {
    id: 'v1-core/tasks-and-procs-sorted',
    title: 'tasks lists tids, cgroup.procs tgids, both sorted',
    rule: 'v1 tasks shows every thread and cgroup.procs every thread group once, in ascending order',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      const p1 = await c.spawn();
      const p2 = await c.spawn();
      await c.move(p2, 'pids:a', 'ok');
      await c.move(p1, 'pids:a', 'ok');
      const t1 = must(await c.thread(p1, 'ok'));
      const p3 = await c.spawn('pids:a');
      await c.read('pids:a/tasks', list(p1, p2, t1, p3));
      await c.read('pids:a/cgroup.procs', list(p1, p2, p3));
    },
  },
  {
    id: 'v1-core/tasks-moves-one-thread',
    title: 'writing a tid to tasks moves that thread only',
    rule: 'v1 places threads of one process in different cgroups freely; cgroup.procs lists a tgid wherever one of its threads is',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.mkdir('pids:b', 'ok');
      const p = await c.spawn('pids:a');
      const t = must(await c.thread(p, 'ok'));
      await c.write('pids:b/tasks', t, 'ok');
      await c.read('pids:a/tasks', list(p));
      await c.read('pids:b/tasks', list(t));
      await c.read('pids:a/cgroup.procs', list(p));
      await c.read('pids:b/cgroup.procs', list(p));
      await c.procCgroup(t);
      await c.write('pids:b/cgroup.procs', p, 'ok');
      await c.read('pids:a/tasks', '');
      await c.read('pids:b/tasks', list(p, t));
    },
  },
  {
    id: 'v1-core/procs-write-errors',
    title: 'malformed or unknown pids in tasks and cgroup.procs',
    rule: 'a non-integer pid is EINVAL, a pid that does not exist ESRCH',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.write('pids:a/tasks', 'abc', 'EINVAL');
      await c.write('pids:a/cgroup.procs', 'abc', 'EINVAL');
      await c.write('pids:a/tasks', NO_SUCH_PID, 'ESRCH');
      await c.write('pids:a/cgroup.procs', NO_SUCH_PID, 'ESRCH');
      await c.write('pids:a/tasks', '-3', 'EINVAL');
    },
  },
  {
    id: 'v1-core/fork-inherits',
    title: "v1: a child starts in its parent's cgroup",
    rule: 'fork places the child in the parent\'s cgroup in every hierarchy',
    needs: { v1: ['pids', 'cpu'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.mkdir('cpu:b', 'ok');
      const p = await c.spawn('pids:a');
      await c.move(p, 'cpu:b', 'ok');
      const q = must(await c.fork(p, 'ok'));
      await c.read('pids:a/cgroup.procs', list(p, q));
      await c.read('cpu:b/cgroup.procs', list(p, q));
      await c.procCgroup(q);
    },
  },
  {
    id: 'v1-core/rmdir',
    title: 'v1 rmdir of a populated cgroup or one with children',
    rule: 'rmdir fails with EBUSY while the cgroup has tasks or child cgroups',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.mkdir('pids:a/b', 'ok');
      await c.mkdir('pids:c', 'ok');
      const p = await c.spawn('pids:c');
      await c.rmdir('pids:a', 'EBUSY');
      await c.rmdir('pids:c', 'EBUSY');
      await c.exit(p);
      await c.rmdir('pids:c', 'ok');
      await c.rmdir('pids:a/b', 'ok');
      await c.rmdir('pids:a', 'ok');
    },
  },
  {
    id: 'v1-core/notify-on-release',
    title: 'notify_on_release is inherited at mkdir',
    rule: 'a new cgroup copies its parent\'s notify_on_release; later changes to the parent do not reach existing children',
    needs: { v1: ['cpu'] },
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.read('cpu:a/notify_on_release', '0\n');
      await c.write('cpu:a/notify_on_release', '1', 'ok');
      await c.read('cpu:a/notify_on_release', '1\n');
      await c.mkdir('cpu:a/b', 'ok');
      await c.read('cpu:a/b/notify_on_release', '1\n');
      await c.write('cpu:a/notify_on_release', '0', 'ok');
      await c.read('cpu:a/b/notify_on_release', '1\n');
      await c.mkdir('cpu:a/c', 'ok');
      await c.read('cpu:a/c/notify_on_release', '0\n');
      await c.write('cpu:a/notify_on_release', '7', 'ok');
      await c.read('cpu:a/notify_on_release', '1\n');
      await c.write('cpu:a/notify_on_release', 'x', 'EINVAL');
    },
  },
  {
    id: 'v1-core/rename',
    title: 'renaming a v1 cgroup in place',
    rule: 'rename within the same parent keeps tasks and settings; another parent is EIO, an existing name EEXIST, a file ENOTDIR',
    needs: { v1: ['cpu'] },
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.mkdir('cpu:a/x', 'ok');
      await c.mkdir('cpu:b', 'ok');
      await c.write('cpu:a/x/cpu.shares', '512', 'ok');
      const p = await c.spawn('cpu:a/x');
      await c.rename('cpu:a/x', 'cpu:a/y', 'ok');
      await c.readdir('cpu:a', 'y', 'y');
      await c.readdir('cpu:a', '', 'x');
      await c.read('cpu:a/y/cgroup.procs', list(p));
      await c.read('cpu:a/y/cpu.shares', '512\n');
      await c.procCgroup(p);
      await c.rename('cpu:a/y', 'cpu:b/y', 'EIO');
      await c.mkdir('cpu:a/z', 'ok');
      await c.rename('cpu:a/y', 'cpu:a/z', 'EEXIST');
      await c.rename('cpu:a/y/cpu.shares', 'cpu:a/y/cpu.other', 'ENOTDIR');
    },
  },
];
