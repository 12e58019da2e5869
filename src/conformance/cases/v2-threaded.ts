import { must, type Case } from '../case.js';
import { V2, V2_DOMAIN, dom, list } from './util.js';

/** Threaded mode: cgroup.type, domain threaded / domain invalid, per-thread placement. */
export const v2Threaded: Case[] = [
  {
    id: 'v2-thr/make-threaded',
    title: 'writing "threaded" to cgroup.type',
    rule: 'only "threaded" may be written (EINVAL otherwise); the parent becomes "domain threaded", new siblings "domain invalid"',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'domain', 'EINVAL');
      await c.write('a/t/cgroup.type', 'domain threaded', 'EINVAL');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.read('a/t/cgroup.type', 'threaded\n');
      await c.read('a/cgroup.type', 'domain threaded\n');
      await c.mkdir('a/d', 'ok');
      await c.read('a/d/cgroup.type', 'domain invalid\n');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.write('a/t/cgroup.type', 'domain', 'EINVAL');
      await c.read('a/t/cgroup.type', 'threaded\n');
    },
  },
  {
    id: 'v2-thr/revert-thread-root',
    title: 'a thread root turns back into a domain',
    rule: '"domain threaded" reverts to "domain" once no threaded child is left',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.mkdir('a/d', 'ok');
      await c.read('a/cgroup.type', 'domain threaded\n');
      await c.rmdir('a/t', 'ok');
      await c.read('a/cgroup.type', 'domain\n');
      await c.read('a/d/cgroup.type', 'domain\n');
    },
  },
  {
    id: 'v2-thr/nested-threaded',
    title: 'children of a threaded cgroup start invalid',
    rule: 'a cgroup created under a threaded cgroup is "domain invalid" until made threaded',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.mkdir('a/t/u', 'ok');
      await c.read('a/t/u/cgroup.type', 'domain invalid\n');
      await c.write('a/t/u/cgroup.type', 'threaded', 'ok');
      await c.read('a/t/u/cgroup.type', 'threaded\n');
      await c.read('a/cgroup.type', 'domain threaded\n');
    },
  },
  {
    id: 'v2-thr/procs-in-threaded',
    title: 'cgroup.procs of a threaded cgroup is unreadable but writable',
    rule: 'reading cgroup.procs in a threaded cgroup is EOPNOTSUPP; writing a pid moves all its threads there; the thread root lists the processes of its subtree',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      const p = await c.spawn('a');
      const t = must(await c.thread(p, 'ok'));
      await c.read('a/t/cgroup.procs', 'ENOTSUP');
      await c.write('a/t/cgroup.procs', p, 'ok');
      await c.read('a/t/cgroup.procs', 'ENOTSUP');
      await c.read('a/t/cgroup.threads', list(p, t));
      await c.read('a/cgroup.threads', '');
      await c.read('a/cgroup.procs', list(p));
    },
  },
  {
    id: 'v2-thr/threads-within-domain',
    title: 'single threads move within one threaded subtree',
    rule: 'a tid written to cgroup.threads moves that thread alone when source and destination share a resource domain',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/x', 'ok');
      await c.mkdir('a/y', 'ok');
      await c.write('a/x/cgroup.type', 'threaded', 'ok');
      await c.write('a/y/cgroup.type', 'threaded', 'ok');
      const p = await c.spawn('a');
      const t1 = must(await c.thread(p, 'ok'));
      const t2 = must(await c.thread(p, 'ok'));
      await c.write('a/x/cgroup.threads', t1, 'ok');
      await c.write('a/y/cgroup.threads', t2, 'ok');
      await c.read('a/cgroup.threads', list(p));
      await c.read('a/x/cgroup.threads', list(t1));
      await c.read('a/y/cgroup.threads', list(t2));
      await c.read('a/cgroup.procs', list(p));
      await c.procCgroup(t1, '0::/<base>/a/x\n');
      await c.write('a/cgroup.threads', t1, 'ok');
      await c.read('a/x/cgroup.threads', '');
    },
  },
  {
    id: 'v2-thr/threads-across-domains',
    title: 'a thread cannot move to another resource domain',
    rule: 'cgroup.threads writes whose source and destination are in different domains are EOPNOTSUPP',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('b', 'ok');
      const p = await c.spawn('a');
      const t = must(await c.thread(p, 'ok'));
      await c.write('b/cgroup.threads', t, 'ENOTSUP');
      await c.write('b/cgroup.threads', p, 'ENOTSUP');
      await c.read('a/cgroup.threads', list(p, t));
      await c.read('b/cgroup.threads', '');
    },
  },
  {
    id: 'v2-thr/domain-invalid-refuses',
    title: 'a "domain invalid" cgroup takes no tasks and enables nothing',
    rule: 'migrating into, or enabling controllers on, an invalid domain is EOPNOTSUPP',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.mkdir('a/bad', 'ok');
      await c.read('a/bad/cgroup.type', 'domain invalid\n');
      await c.spawn('a/bad', { expect: 'ENOTSUP' });
      // Nothing is offered below a thread root that enables nothing, so enabling fails before the topology check.
      await c.read('a/bad/cgroup.controllers', '');
      await c.write('a/bad/cgroup.subtree_control', `+${d}`, 'ENOENT');
      await c.write('a/t/cgroup.subtree_control', `+${d}`, 'ENOENT');
    },
  },
  {
    id: 'v2-thr/threaded-needs-empty',
    title: 'a populated cgroup cannot become threaded',
    rule: 'writing "threaded" to cgroup.type of a cgroup with tasks is EOPNOTSUPP',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/b', 'ok');
      const p = await c.spawn('a/b');
      await c.write('a/b/cgroup.type', 'threaded', 'ENOTSUP');
      await c.read('a/b/cgroup.type', 'domain\n');
      await c.exit(p);
      await c.write('a/b/cgroup.type', 'threaded', 'ok');
    },
  },
  {
    id: 'v2-thr/thread-root-conditions',
    title: 'the parent must be able to become a thread root',
    rule: 'a child cannot turn threaded while its parent has populated domain children or enables domain controllers (EOPNOTSUPP)',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.mkdir('a', 'ok');
      await c.mkdir('a/busy', 'ok');
      await c.mkdir('a/t', 'ok');
      const p = await c.spawn('a/busy');
      await c.write('a/t/cgroup.type', 'threaded', 'ENOTSUP');
      await c.exit(p);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.mkdir('b', 'ok');
      await c.mkdir('b/t', 'ok');
      await c.write('b/cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('b/t/cgroup.type', 'threaded', 'ENOTSUP');
      await c.mkdir('e', 'ok');
      await c.write('e/cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('e/cgroup.type', 'threaded', 'ENOTSUP');
    },
  },
  {
    id: 'v2-thr/kill-threaded',
    title: 'cgroup.kill is refused on a threaded cgroup',
    rule: 'writing cgroup.kill of a threaded cgroup is EOPNOTSUPP',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.write('a/t/cgroup.kill', '1', 'ENOTSUP');
      await c.write('a/cgroup.kill', '1', 'ok');
    },
  },
  {
    id: 'v2-thr/threaded-controllers',
    title: 'a threaded cgroup offers only threaded controllers',
    rule: "cgroup.controllers of a threaded cgroup is the threaded subset of its parent's subtree_control; a domain controller cannot be enabled in a thread root",
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.mkdir('a', 'ok');
      await c.mkdir('a/t', 'ok');
      await c.write('a/t/cgroup.type', 'threaded', 'ok');
      await c.read('a/cgroup.controllers', `${d}\n`);
      await c.write('a/cgroup.subtree_control', `+${d}`, 'ENOTSUP');
      await c.read('a/t/cgroup.controllers', '');
    },
  },
];
