import type { Case } from '../case.js';
import { V2_DOMAIN, dom, list } from './util.js';

/** Controller enabling: top-down, and the no-internal-process rule. */
export const v2Controllers: Case[] = [
  {
    id: 'v2-ctrl/controllers-follow-parent',
    title: "cgroup.controllers is the parent's subtree_control",
    rule: "a cgroup offers exactly what its parent enabled in cgroup.subtree_control",
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.read('a/cgroup.controllers', '');
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('a/cgroup.controllers', `${d}\n`);
      await c.read('a/b/cgroup.controllers', '');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('a/b/cgroup.controllers', `${d}\n`);
    },
  },
  {
    id: 'v2-ctrl/enable-top-down',
    title: "enabling a controller the parent has not enabled is ENOENT",
    rule: '+ctrl needs ctrl in the cgroup\'s own cgroup.controllers, else ENOENT',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ENOENT');
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('a/b/cgroup.subtree_control', `+${d}`, 'ENOENT');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('a/b/cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('a/b/cgroup.subtree_control', `${d}\n`);
    },
  },
  {
    id: 'v2-ctrl/disable-busy',
    title: 'disabling a controller a child still enables is EBUSY',
    rule: '-ctrl while any child has ctrl in its own subtree_control is EBUSY',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('cgroup.subtree_control', `-${d}`, 'EBUSY');
      await c.read('cgroup.subtree_control', `${d}\n`);
      await c.write('a/cgroup.subtree_control', `-${d}`, 'ok');
      await c.write('cgroup.subtree_control', `-${d}`, 'ok');
      await c.read('a/cgroup.controllers', '');
    },
  },
  {
    id: 'v2-ctrl/files-follow-enabling',
    title: "a controller's files appear in the children when the parent enables it",
    rule: 'controller interface files exist in a cgroup only while its parent enables that controller',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.readdir('a', '', `${d}.`);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.readdir('a');
      await c.mkdir('b', 'ok');
      await c.readdir('b', undefined, `${d}.`);
      await c.write('cgroup.subtree_control', `-${d}`, 'ok');
      await c.readdir('a', '', `${d}.`);
    },
  },
  {
    id: 'v2-ctrl/no-internal-process-enable',
    title: 'a cgroup with tasks cannot enable a domain controller',
    rule: 'no internal processes: +domain-ctrl on a non-root cgroup that has tasks is EBUSY',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.mkdir('a', 'ok');
      await c.mkdir('a/leaf', 'ok');
      const p = await c.spawn('a');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'EBUSY');
      await c.read('a/cgroup.subtree_control', '');
      await c.move(p, 'a/leaf', 'ok');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('a/leaf/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-ctrl/no-internal-process-migrate',
    title: 'tasks cannot join a cgroup that enables controllers',
    rule: 'no internal processes: moving a task into a non-root cgroup with a non-empty subtree_control is EBUSY',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.mkdir('a', 'ok');
      await c.mkdir('a/leaf', 'ok');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      const p = await c.spawn('a/leaf');
      await c.move(p, 'a', 'EBUSY');
      await c.read('a/cgroup.procs', '');
      await c.write('a/cgroup.subtree_control', `-${d}`, 'ok');
      await c.move(p, 'a', 'ok');
      await c.read('a/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-ctrl/internal-process-without-controllers',
    title: 'tasks may sit beside child cgroups while nothing is enabled',
    rule: 'the no-internal-process rule only applies once a controller is enabled in subtree_control',
    needs: V2_DOMAIN,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      const p = await c.spawn('a');
      const q = await c.spawn('a/b');
      await c.read('a/cgroup.procs', list(p));
      await c.read('a/b/cgroup.procs', list(q));
    },
  },
  {
    id: 'v2-ctrl/enable-with-empty-children',
    title: 'enabling is allowed while only descendants have tasks',
    rule: 'populated children do not block enabling; only tasks in the cgroup itself do',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      await c.mkdir('a/b/c', 'ok');
      await c.spawn('a/b/c');
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('a/b/cgroup.subtree_control', `+${d}`, 'ok');
      await c.read('a/b/c/cgroup.controllers', `${d}\n`);
    },
  },
];
