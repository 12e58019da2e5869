import { must, type Case } from '../case.js';
import { V2, events, list } from './util.js';

/** cgroup.freeze with the frozen flag of cgroup.events, and cgroup.kill. */
export const v2FreezeKill: Case[] = [
  {
    id: 'v2-freeze/freeze-thaw',
    title: 'freezing and thawing a cgroup with a task',
    rule: 'cgroup.freeze 1 stops every task; cgroup.events reports frozen 1 once they are stopped, 0 after thawing',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.poll('a/cgroup.events', events(1, 1));
      await c.read('a/cgroup.freeze', '1\n');
      await c.read('a/cgroup.procs', list(p));
      await c.write('a/cgroup.freeze', '0', 'ok');
      await c.poll('a/cgroup.events', events(1, 0));
      await c.state(p, 'alive');
    },
  },
  {
    id: 'v2-freeze/hierarchical',
    title: 'freezing a parent freezes its descendants',
    rule: "a cgroup is frozen when it or an ancestor asks (its own cgroup.freeze shows only its own request); a parent that did not ask is not frozen even if all its children are",
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.spawn('a/b');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.poll('a/b/cgroup.events', events(1, 1));
      await c.poll('a/cgroup.events', events(1, 1));
      await c.read('a/b/cgroup.freeze', '0\n');
      await c.write('a/b/cgroup.freeze', '1', 'ok');
      await c.write('a/cgroup.freeze', '0', 'ok');
      await c.poll('a/cgroup.events', events(1, 0));
      await c.read('a/b/cgroup.events', events(1, 1));
      await c.write('a/b/cgroup.freeze', '0', 'ok');
      await c.poll('a/b/cgroup.events', events(1, 0));
      await c.poll('a/cgroup.events', events(1, 0));
    },
  },
  {
    id: 'v2-freeze/mkdir-under-frozen',
    title: 'a cgroup made under a frozen parent starts frozen',
    rule: 'new children inherit the frozen state of their ancestors',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.mkdir('a/c', 'ok');
      await c.read('a/c/cgroup.events', events(0, 1));
      await c.read('a/c/cgroup.freeze', '0\n');
      await c.write('a/cgroup.freeze', '0', 'ok');
      await c.read('a/c/cgroup.events', events(0, 0));
    },
  },
  {
    id: 'v2-freeze/move-in-and-out',
    title: 'tasks moved into a frozen cgroup stop, moved out they run',
    rule: 'migration into a frozen cgroup freezes the task; out of it, thaws it',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('b', 'ok');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.read('a/cgroup.events', events(0, 1));
      const p = await c.spawn('a');
      await c.poll('a/cgroup.events', events(1, 1));
      await c.move(p, 'b', 'ok');
      await c.poll('a/cgroup.events', events(0, 1));
      await c.read('b/cgroup.events', events(1, 0));
      await c.state(p, 'alive');
    },
  },
  {
    id: 'v2-freeze/kill-frozen',
    title: 'a frozen task can still be killed',
    rule: 'fatal signals end frozen tasks',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.poll('a/cgroup.events', events(1, 1));
      await c.kill(p, 'SIGKILL');
      await c.read('a/cgroup.procs', '');
      await c.read('a/cgroup.events', events(0, 1));
    },
  },
  {
    id: 'v2-kill/subtree',
    title: 'cgroup.kill ends every process of the subtree, forked children too',
    rule: 'writing 1 to cgroup.kill SIGKILLs all tasks in the cgroup and its descendants',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('other', 'ok');
      const p = await c.spawn('a');
      const q = must(await c.fork(p, 'ok'));
      must(await c.thread(q, 'ok'));
      const r = await c.spawn('a/b');
      must(await c.fork(r, 'ok'));
      const s = await c.spawn('other');
      await c.write('a/cgroup.kill', '1', 'ok');
      await c.poll('a/cgroup.events', events(0));
      await c.read('a/cgroup.procs', '');
      await c.read('a/b/cgroup.procs', '');
      await c.read('a/b/cgroup.events', events(0));
      await c.read('other/cgroup.procs', list(s));
      await c.rmdir('a/b', 'ok');
      await c.rmdir('a', 'ok');
    },
  },
  {
    id: 'v2-kill/frozen-subtree',
    title: 'cgroup.kill works on a frozen subtree',
    rule: 'killed tasks leave even while frozen',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      const p = await c.spawn('a');
      must(await c.fork(p, 'ok'));
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.poll('a/cgroup.events', events(1, 1));
      await c.write('a/cgroup.kill', '1', 'ok');
      await c.poll('a/cgroup.events', events(0, 1));
      await c.read('a/cgroup.procs', '');
    },
  },
];
