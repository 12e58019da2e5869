import { NO_SUCH_PID } from '../context.js';
import { must, type Case } from '../case.js';
import { V2, events, list } from './util.js';

/** Tasks in v2: migration, fork and thread inheritance, exit, zombies, populated tracking. */
export const v2Tasks: Case[] = [
  {
    id: 'v2-tasks/migrate',
    title: 'moving a process between cgroups',
    rule: 'writing a pid to cgroup.procs moves the process; both cgroups and /proc/<pid>/cgroup show it',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('b', 'ok');
      const p = await c.spawn('a');
      await c.read('a/cgroup.procs', list(p));
      await c.read('a/cgroup.events', events(1));
      await c.procCgroup(p, '0::/<base>/a\n');
      await c.move(p, 'b', 'ok');
      await c.read('a/cgroup.procs', '');
      await c.read('b/cgroup.procs', list(p));
      await c.read('a/cgroup.events', events(0));
      await c.read('b/cgroup.events', events(1));
      await c.procCgroup(p, '0::/<base>/b\n');
      await c.move(p, 'b', 'ok');
    },
  },
  {
    id: 'v2-tasks/procs-write-errors',
    title: 'malformed or unknown pids in cgroup.procs',
    rule: 'a non-integer or negative pid is EINVAL; a pid that does not exist is ESRCH; an empty write(2) does nothing',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.procs', 'abc', 'EINVAL');
      await c.write('a/cgroup.procs', '-1', 'EINVAL');
      await c.write('a/cgroup.procs', '', 'ok');
      await c.write('a/cgroup.procs', '\n', 'EINVAL');
      await c.write('a/cgroup.procs', NO_SUCH_PID, 'ESRCH');
      await c.write('a/cgroup.threads', NO_SUCH_PID, 'ESRCH');
      await c.read('a/cgroup.procs', '');
    },
  },
  {
    id: 'v2-tasks/move-whole-process',
    title: 'a tid written to cgroup.procs moves its whole process',
    rule: 'cgroup.procs migrates the entire thread group of the task named',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('b', 'ok');
      const p = await c.spawn('a');
      const t1 = must(await c.thread(p, 'ok'));
      const t2 = must(await c.thread(p, 'ok'));
      await c.read('a/cgroup.threads', list(p, t1, t2));
      await c.write('b/cgroup.procs', t1, 'ok');
      await c.read('a/cgroup.threads', '');
      await c.read('b/cgroup.threads', list(p, t1, t2));
      await c.read('b/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-tasks/threads-list',
    title: 'cgroup.threads lists threads, cgroup.procs processes',
    rule: 'cgroup.threads shows every tid, cgroup.procs each thread group once; an exited thread leaves both',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      const q = await c.spawn('a');
      const t = must(await c.thread(p, 'ok'));
      await c.read('a/cgroup.procs', list(p, q));
      await c.read('a/cgroup.threads', list(p, q, t));
      await c.procCgroup(t, '0::/<base>/a\n');
      await c.exit(t);
      await c.read('a/cgroup.threads', list(p, q));
    },
  },
  {
    id: 'v2-tasks/fork-inherits',
    title: "a child starts in its parent's cgroup",
    rule: 'fork places the child in the cgroup of its parent at fork time; moving the parent later does not move the child',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('b', 'ok');
      const p = await c.spawn('a');
      const q = must(await c.fork(p, 'ok'));
      await c.read('a/cgroup.procs', list(p, q));
      await c.move(p, 'b', 'ok');
      await c.read('a/cgroup.procs', list(q));
      const r = must(await c.fork(p, 'ok'));
      await c.read('b/cgroup.procs', list(p, r));
      const s = must(await c.fork(q, 'ok'));
      await c.read('a/cgroup.procs', list(q, s));
      await c.procCgroup(s, '0::/<base>/a\n');
    },
  },
  {
    id: 'v2-tasks/thread-inherits',
    title: 'a new thread starts in the cgroup of the thread that made it',
    rule: 'threads are created in their creator\'s cgroup',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      const p = await c.spawn('a');
      const t1 = must(await c.thread(p, 'ok'));
      await c.read('a/cgroup.threads', list(p, t1));
      await c.write('a/t/cgroup.threads', p, 'ok');
      const t2 = must(await c.thread(p, 'ok'));
      await c.read('a/t/cgroup.threads', list(p, t2));
      await c.read('a/cgroup.threads', list(t1));
    },
  },
  {
    id: 'v2-tasks/populated-nested',
    title: 'populated is set along the whole ancestor chain',
    rule: 'cgroup.events populated is 1 iff the cgroup or a descendant has a live task',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'ok');
      await c.mkdir('a/x', 'ok');
      const p = await c.spawn('a/b/c');
      for (const g of ['', 'a', 'a/b', 'a/b/c']) await c.read(`${g === '' ? '' : `${g}/`}cgroup.events`, events(1));
      await c.read('a/x/cgroup.events', events(0));
      await c.exit(p);
      for (const g of ['', 'a', 'a/b', 'a/b/c']) await c.read(`${g === '' ? '' : `${g}/`}cgroup.events`, events(0));
    },
  },
  {
    id: 'v2-tasks/populated-partial',
    title: 'populated clears only where no task is left',
    rule: 'A(task)-B-C(task): when C\'s task exits, B and C become unpopulated, A stays populated',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'ok');
      await c.spawn('a');
      const q = await c.spawn('a/b/c');
      await c.read('a/b/cgroup.events', events(1));
      await c.kill(q, 'SIGKILL');
      await c.read('a/b/c/cgroup.events', events(0));
      await c.read('a/b/cgroup.events', events(0));
      await c.read('a/cgroup.events', events(1));
    },
  },
  {
    id: 'v2-tasks/zombie',
    title: 'a zombie is not listed and does not hold its cgroup',
    rule: 'an exited task not yet reaped is absent from cgroup.procs, leaves populated 0, cannot be migrated and does not block rmdir; /proc/<pid>/cgroup then marks its cgroup (deleted)',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('z', 'ok');
      const p = await c.spawn('a');
      const q = must(await c.fork(p, 'ok'));
      await c.move(q, 'z', 'ok');
      await c.read('z/cgroup.events', events(1));
      await c.exit(q);
      await c.state(q, 'zombie');
      await c.read('z/cgroup.procs', '');
      await c.read('z/cgroup.threads', '');
      await c.read('z/cgroup.events', events(0));
      // Writing a zombie's pid succeeds and moves nothing.
      await c.move(q, 'a', 'ok');
      await c.read('a/cgroup.procs', list(p));
      await c.rmdir('z', 'ok');
      await c.procCgroup(q, '0::/<base>/z (deleted)\n');
      await c.reap(p, q);
      await c.state(q, 'gone');
      await c.read('a/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-tasks/orphan-reaped',
    title: 'children of an exiting parent are reparented',
    rule: 'a parent\'s exit does not move its children; a zombie child is reaped when its parent goes',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      const q = must(await c.fork(p, 'ok'));
      const r = must(await c.fork(p, 'ok'));
      await c.exit(r);
      await c.state(r, 'zombie');
      await c.exit(p);
      await c.read('a/cgroup.procs', list(q));
      await c.state(q, 'alive');
    },
  },
  {
    id: 'v2-tasks/stopped-member',
    title: 'a stopped task still populates its cgroup',
    rule: 'SIGSTOP does not change membership; SIGKILL ends the task and empties the cgroup',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      await c.kill(p, 'SIGSTOP');
      await c.state(p, 'stopped');
      await c.read('a/cgroup.procs', list(p));
      await c.read('a/cgroup.events', events(1));
      await c.kill(p, 'SIGCONT');
      await c.state(p, 'alive');
      await c.kill(p, 'SIGKILL');
      await c.read('a/cgroup.procs', '');
      await c.read('a/cgroup.events', events(0));
    },
  },
];
