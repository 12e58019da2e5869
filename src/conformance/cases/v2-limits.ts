import type { Case } from '../case.js';
import { V2, list } from './util.js';

/** Tree limits (cgroup.max.*) and the rules of rmdir. */
export const v2Limits: Case[] = [
  {
    id: 'v2-limits/max-descendants',
    title: 'cgroup.max.descendants caps the subtree size',
    rule: 'mkdir that would give an ancestor more descendants than its max is EAGAIN; removed cgroups stop counting',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.max.descendants', '2', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'ok');
      await c.mkdir('a/d', 'EAGAIN');
      await c.mkdir('a/b/c/e', 'EAGAIN');
      await c.rmdir('a/b/c', 'ok');
      await c.mkdir('a/d', 'ok');
      await c.mkdir('e', 'ok');
    },
  },
  {
    id: 'v2-limits/max-descendants-lowered',
    title: 'lowering cgroup.max.descendants below the current count',
    rule: 'the limit may be set below the current number of descendants; only new cgroups are refused',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      for (const n of ['a/x', 'a/y', 'a/z']) await c.mkdir(n, 'ok');
      await c.write('a/cgroup.max.descendants', '1', 'ok');
      await c.read('a/cgroup.max.descendants', '1\n');
      await c.mkdir('a/w', 'EAGAIN');
      await c.write('a/cgroup.max.descendants', '0', 'ok');
      await c.mkdir('a/x/sub', 'EAGAIN');
    },
  },
  {
    id: 'v2-limits/max-depth',
    title: 'cgroup.max.depth caps how deep the subtree goes',
    rule: 'mkdir deeper than an ancestor\'s max.depth below it is EAGAIN; 0 forbids any child',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.max.depth', '1', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'EAGAIN');
      await c.mkdir('x', 'ok');
      await c.write('x/cgroup.max.depth', '0', 'ok');
      await c.mkdir('x/y', 'EAGAIN');
      await c.write('x/cgroup.max.depth', 'max', 'ok');
      await c.mkdir('x/y', 'ok');
    },
  },
  {
    id: 'v2-limits/ancestor-depth',
    title: 'the depth limit of a higher ancestor applies',
    rule: 'each ancestor\'s max.depth is checked, not only the parent\'s',
    needs: V2,
    async run(c) {
      await c.write('cgroup.max.depth', '2', 'ok');
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'EAGAIN');
      await c.write('a/cgroup.max.depth', '5', 'ok');
      await c.mkdir('a/b/c', 'EAGAIN');
    },
  },
  {
    id: 'v2-rmdir/populated',
    title: 'rmdir of a cgroup with tasks is EBUSY',
    rule: 'a cgroup whose subtree has live tasks cannot be removed',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      const p = await c.spawn('a/b');
      await c.rmdir('a/b', 'EBUSY');
      await c.rmdir('a', 'EBUSY');
      await c.move(p, 'x', 'ENOENT');
      await c.mkdir('x', 'ok');
      await c.move(p, 'x', 'ok');
      await c.rmdir('a/b', 'ok');
      await c.rmdir('a', 'ok');
      await c.read('x/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-rmdir/children',
    title: 'rmdir of a cgroup with child cgroups is EBUSY',
    rule: 'only a cgroup without live children can be removed; interface files never block rmdir',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.write('a/cgroup.max.depth', '3', 'ok');
      await c.rmdir('a', 'EBUSY');
      await c.rmdir('a/b', 'ok');
      await c.rmdir('a', 'ok');
      await c.readdir('', '', 'a');
    },
  },
  {
    id: 'v2-rmdir/after-exit',
    title: 'a cgroup can be removed once its tasks exited',
    rule: 'exited tasks no longer hold their cgroup',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      await c.rmdir('a', 'EBUSY');
      await c.exit(p);
      await c.read('a/cgroup.procs', '');
      await c.rmdir('a', 'ok');
    },
  },
];
