import type { Case, CaseContext, Proc } from '../case.js';
import { V2, V2_DOMAIN, dom, list } from './util.js';

const USER = 1000;

/** Delegate `d` to USER the documented way: the directory and its procs/threads/subtree_control files. */
async function delegate(c: CaseContext, d: string): Promise<void> {
  await c.mkdir(d, 'ok');
  for (const f of ['', '/cgroup.procs', '/cgroup.threads', '/cgroup.subtree_control']) {
    await c.chown(`${d}${f}`, USER, USER, 'ok');
  }
}

/** A process of USER, placed in `cgroup` by root. */
function userProc(c: CaseContext, cgroup: string): Promise<Proc> {
  return c.spawn(cgroup, { uid: USER, gid: USER });
}

/** Delegation: file ownership and the common-ancestor rule for migration. */
export const v2Delegation: Case[] = [
  {
    id: 'v2-deleg/chown-and-mkdir',
    title: 'a delegated cgroup is managed by its owner',
    rule: 'chown gives a user the directory and files; cgroups the user creates are owned by the user',
    needs: V2,
    async run(c) {
      await delegate(c, 'd');
      await c.stat('d', 'dir 755 1000:1000');
      await c.stat('d/cgroup.procs', 'file 644 1000:1000');
      await c.stat('d/cgroup.max.depth', 'file 644 0:0');
      const w = await userProc(c, 'd');
      await c.as(w).mkdir('d/a', 'ok');
      await c.stat('d/a', 'dir 755 1000:1000');
      await c.stat('d/a/cgroup.procs', 'file 644 1000:1000');
      await c.stat('d/a/cgroup.max.depth', 'file 644 1000:1000');
      await c.as(w).write('d/a/cgroup.max.depth', '2', 'ok');
      await c.as(w).write('d/cgroup.max.depth', '2', 'EACCES');
      await c.as(w).mkdir('x', 'EACCES');
      await c.as(w).rmdir('d/a', 'ok');
    },
  },
  {
    id: 'v2-deleg/move-inside',
    title: 'the delegatee moves its processes inside its subtree',
    rule: "moving a task needs write access to the destination's cgroup.procs and to the common ancestor's cgroup.procs",
    needs: V2,
    async run(c) {
      await delegate(c, 'd');
      const w = await userProc(c, 'd');
      await c.as(w).mkdir('d/a', 'ok');
      await c.as(w).mkdir('d/b', 'ok');
      await c.as(w).write('d/a/cgroup.procs', '0', 'ok');
      await c.read('d/a/cgroup.procs', list(w));
      await c.as(w).write('d/b/cgroup.procs', w, 'ok');
      await c.read('d/b/cgroup.procs', list(w));
      await c.as(w).write('d/cgroup.procs', '0', 'ok');
      await c.read('d/cgroup.procs', list(w));
    },
  },
  {
    id: 'v2-deleg/no-escape',
    title: 'the delegatee cannot move out of its subtree',
    rule: "a move whose common ancestor's cgroup.procs the writer cannot write is EACCES",
    needs: V2,
    async run(c) {
      await delegate(c, 'd');
      await delegate(c, 'e');
      const w = await userProc(c, 'd');
      await c.as(w).write('cgroup.procs', '0', 'EACCES');
      await c.as(w).write('e/cgroup.procs', '0', 'EACCES');
      await c.read('d/cgroup.procs', list(w));
      await c.read('e/cgroup.procs', '');
    },
  },
  {
    id: 'v2-deleg/no-pull-in',
    title: 'the delegatee cannot pull a process in from outside',
    rule: 'the common-ancestor rule applies to the source as well: pulling a task in from outside is EACCES',
    needs: V2,
    async run(c) {
      await delegate(c, 'd');
      await c.mkdir('out', 'ok');
      await c.chown('out/cgroup.procs', USER, USER, 'ok');
      const w = await userProc(c, 'd');
      const v = await userProc(c, 'out');
      await c.as(w).write('d/cgroup.procs', v, 'EACCES');
      await c.read('out/cgroup.procs', list(v));
    },
  },
  {
    id: 'v2-deleg/other-owner-task',
    title: "the delegatee may move another user's task inside its subtree",
    rule: 'v2 checks file permissions only, not the owner of the task being moved',
    needs: V2,
    async run(c) {
      await delegate(c, 'd');
      const w = await userProc(c, 'd');
      await c.as(w).mkdir('d/a', 'ok');
      const r = await c.spawn('d');
      await c.as(w).write('d/a/cgroup.procs', r, 'ok');
      await c.read('d/a/cgroup.procs', list(r));
    },
  },
  {
    id: 'v2-deleg/subtree-control',
    title: 'the delegatee enables controllers in its subtree',
    rule: 'with cgroup.subtree_control chowned, the delegatee distributes what its parent gave it',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await delegate(c, 'd');
      const w = await userProc(c, 'd');
      await c.as(w).mkdir('d/a', 'ok');
      await c.as(w).write('d/a/cgroup.procs', '0', 'ok');
      await c.as(w).write('d/cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('d/a/cgroup.controllers', `${d}\n`);
      await c.as(w).write('cgroup.subtree_control', `-${d}`, 'EACCES');
    },
  },
  {
    id: 'v2-deleg/chmod',
    title: 'chmod opens a cgroup to others',
    rule: 'directory and file modes decide who may create groups and move tasks',
    needs: V2,
    async run(c) {
      await c.mkdir('x', 'ok');
      const w = await userProc(c, 'x');
      await c.as(w).mkdir('x/y', 'EACCES');
      await c.chmod('x', 0o777, 'ok');
      await c.stat('x', 'dir 777 0:0');
      await c.as(w).mkdir('x/y', 'ok');
      await c.stat('x/y', 'dir 755 1000:1000');
      await c.chmod('x/cgroup.procs', 0o666, 'ok');
      await c.stat('x/cgroup.procs', 'file 666 0:0');
      await c.as(w).write('x/y/cgroup.procs', '0', 'ok');
      await c.as(w).write('x/cgroup.procs', '0', 'ok');
      await c.read('x/cgroup.procs', list(w));
    },
  },
];
