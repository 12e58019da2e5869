import { must, type Case } from '../case.js';
import { list } from './util.js';

const MiB = 1024 * 1024;
const firstLine = (key: string) => (s: string): string => new RegExp(`^${key} (\\d+)$`, 'm').exec(s)?.[1] ?? 'absent';

/** v1 memory, pids and freezer. */
export const v1Resources: Case[] = [
  {
    id: 'v1-memory/limit',
    title: 'memory.limit_in_bytes values',
    rule: 'the limit is rounded down to whole pages, accepts K/M/G suffixes, and -1 means unlimited (the page-counter maximum)',
    needs: { v1: ['memory'] },
    async run(c) {
      await c.mkdir('memory:a', 'ok');
      const unlimited = await c.read('memory:a/memory.limit_in_bytes', '9223372036854771712\n');
      await c.write('memory:a/memory.limit_in_bytes', '4097', 'ok');
      await c.read('memory:a/memory.limit_in_bytes', '4096\n');
      await c.write('memory:a/memory.limit_in_bytes', '1M', 'ok');
      await c.read('memory:a/memory.limit_in_bytes', '1048576\n');
      await c.write('memory:a/memory.limit_in_bytes', '3k', 'ok');
      await c.read('memory:a/memory.limit_in_bytes', '0\n');
      await c.write('memory:a/memory.limit_in_bytes', '-1', 'ok');
      await c.read('memory:a/memory.limit_in_bytes', unlimited);
      await c.write('memory:a/memory.limit_in_bytes', 'lots', 'EINVAL');
      await c.write('memory:a/memory.limit_in_bytes', '\n', 'ok');
      await c.read('memory:a/memory.limit_in_bytes', '0\n');
    },
  },
  {
    id: 'v1-memory/counters',
    title: 'memory counters of a new cgroup',
    rule: 'usage, max usage and failcnt start at 0; failcnt and max_usage_in_bytes are reset by a write; writing usage is EINVAL',
    needs: { v1: ['memory'] },
    async run(c) {
      await c.mkdir('memory:a', 'ok');
      await c.read('memory:a/memory.usage_in_bytes', '0\n');
      await c.read('memory:a/memory.max_usage_in_bytes', '0\n');
      await c.read('memory:a/memory.failcnt', '0\n');
      await c.write('memory:a/memory.failcnt', '0', 'ok');
      await c.write('memory:a/memory.max_usage_in_bytes', '0', 'ok');
      await c.write('memory:a/memory.usage_in_bytes', '0', 'EINVAL');
      await c.readdir('memory:a', 'memory.failcnt memory.force_empty memory.kmem.failcnt memory.kmem.limit_in_bytes '
        + 'memory.kmem.max_usage_in_bytes memory.kmem.slabinfo memory.kmem.tcp.failcnt memory.kmem.tcp.limit_in_bytes '
        + 'memory.kmem.tcp.max_usage_in_bytes memory.kmem.tcp.usage_in_bytes memory.kmem.usage_in_bytes memory.limit_in_bytes '
        + 'memory.max_usage_in_bytes memory.memsw.failcnt memory.memsw.limit_in_bytes memory.memsw.max_usage_in_bytes '
        + 'memory.memsw.usage_in_bytes memory.move_charge_at_immigrate memory.numa_stat memory.oom_control memory.pressure_level '
        + 'memory.soft_limit_in_bytes memory.stat memory.swappiness memory.usage_in_bytes memory.use_hierarchy', 'memory.');
    },
  },
  {
    id: 'v1-memory/oom',
    title: 'a task exceeding the limit is OOM-killed and counted',
    rule: 'charges past limit_in_bytes that cannot be reclaimed OOM-kill a task of the cgroup; failcnt counts the failed charges',
    needs: { v1: ['memory'] },
    async run(c) {
      await c.mkdir('memory:a', 'ok');
      await c.write('memory:a/memory.limit_in_bytes', `${16 * MiB}`, 'ok');
      const p = await c.spawn('memory:a');
      await c.charge(p, 64 * MiB, 'ENOMEM');
      await c.state(p, 'gone');
      await c.readWith('memory:a/memory.failcnt', 'positive', (s) => String(Number(s) > 0), 'true');
      await c.readWith('memory:a/memory.oom_control', 'oom_kill', firstLine('oom_kill'), '1');
      await c.readWith('memory:a/memory.max_usage_in_bytes', 'at most the limit', (s) => String(Number(s) <= 16 * MiB), 'true');
      await c.read('memory:a/cgroup.procs', '');
      await c.write('memory:a/memory.failcnt', '0', 'ok');
      await c.read('memory:a/memory.failcnt', '0\n');
    },
  },
  {
    id: 'v1-pids/max-values',
    title: 'pids.max values',
    rule: 'pids.max is "max" or an integer >= 0; negative or other text is EINVAL',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.read('pids:a/pids.max', 'max\n');
      await c.read('pids:a/pids.current', '0\n');
      await c.read('pids:a/pids.events', 'max 0\n');
      await c.write('pids:a/pids.max', '2', 'ok');
      await c.read('pids:a/pids.max', '2\n');
      await c.write('pids:a/pids.max', '-1', 'EINVAL');
      await c.write('pids:a/pids.max', 'many', 'EINVAL');
      await c.write('pids:a/pids.max', '0', 'ok');
      await c.write('pids:a/pids.max', 'max', 'ok');
      await c.read('pids:a/pids.max', 'max\n');
      await c.readdir('pids:a', 'pids.current pids.events pids.max pids.peak', 'pids.');
    },
  },
  {
    id: 'v1-pids/fork-limit',
    title: 'fork and thread creation past pids.max fail with EAGAIN',
    rule: 'pids counts tasks (threads too, and zombies until reaped); a fork or clone past pids.max is EAGAIN and counted in pids.events',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.write('pids:a/pids.max', '2', 'ok');
      const p = await c.spawn('pids:a');
      await c.read('pids:a/pids.current', '1\n');
      const q = must(await c.fork(p, 'ok'));
      await c.read('pids:a/pids.current', '2\n');
      await c.fork(p, 'EAGAIN');
      await c.thread(p, 'EAGAIN');
      await c.read('pids:a/pids.events', 'max 2\n');
      await c.exit(q);
      await c.state(q, 'zombie');
      await c.read('pids:a/pids.current', '2\n');
      await c.reap(p, q);
      await c.read('pids:a/pids.current', '1\n');
      const t = must(await c.thread(p, 'ok'));
      await c.read('pids:a/pids.current', '2\n');
      await c.read('pids:a/tasks', list(p, t));
    },
  },
  {
    id: 'v1-pids/hierarchical',
    title: "an ancestor's pids.max limits its whole subtree",
    rule: 'a fork fails when any ancestor would pass its pids.max; on v1 the event is counted in the forking task\'s own cgroup',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.mkdir('pids:a/b', 'ok');
      await c.write('pids:a/pids.max', '1', 'ok');
      const p = await c.spawn('pids:a/b');
      await c.fork(p, 'EAGAIN');
      await c.read('pids:a/pids.current', '1\n');
      await c.read('pids:a/pids.events', 'max 0\n');
      await c.read('pids:a/b/pids.events', 'max 1\n');
    },
  },
  {
    id: 'v1-pids/migrate-over-limit',
    title: 'migration ignores pids.max',
    rule: 'moving tasks in is never refused by pids, so pids.current may exceed pids.max',
    needs: { v1: ['pids'] },
    async run(c) {
      await c.mkdir('pids:a', 'ok');
      await c.write('pids:a/pids.max', '1', 'ok');
      const p = await c.spawn('pids:a');
      const q = await c.spawn('pids:a');
      await c.read('pids:a/pids.current', '2\n');
      await c.read('pids:a/cgroup.procs', list(p, q));
      await c.write('pids:a/pids.max', '0', 'ok');
      await c.fork(q, 'EAGAIN');
    },
  },
  {
    id: 'v1-freezer/states',
    title: 'freezer.state values',
    rule: 'freezer.state reads THAWED/FREEZING/FROZEN; only FROZEN and THAWED may be written (EINVAL otherwise)',
    needs: { v1: ['freezer'] },
    async run(c) {
      await c.mkdir('freezer:a', 'ok');
      await c.read('freezer:a/freezer.state', 'THAWED\n');
      await c.read('freezer:a/freezer.self_freezing', '0\n');
      await c.read('freezer:a/freezer.parent_freezing', '0\n');
      await c.write('freezer:a/freezer.state', 'FREEZING', 'EINVAL');
      await c.write('freezer:a/freezer.state', 'frozen', 'EINVAL');
      const p = await c.spawn('freezer:a');
      await c.write('freezer:a/freezer.state', 'FROZEN', 'ok');
      await c.poll('freezer:a/freezer.state', 'FROZEN\n');
      await c.read('freezer:a/freezer.self_freezing', '1\n');
      await c.read('freezer:a/cgroup.procs', list(p));
      await c.write('freezer:a/freezer.state', 'THAWED', 'ok');
      await c.poll('freezer:a/freezer.state', 'THAWED\n');
      await c.read('freezer:a/freezer.self_freezing', '0\n');
      await c.state(p, 'alive');
    },
  },
  {
    id: 'v1-freezer/parent-freezing',
    title: 'a frozen parent freezes its children',
    rule: 'the effective state is the cgroup\'s own or its parent\'s; parent_freezing shows the inherited part',
    needs: { v1: ['freezer'] },
    async run(c) {
      await c.mkdir('freezer:a', 'ok');
      await c.mkdir('freezer:a/b', 'ok');
      await c.spawn('freezer:a/b');
      await c.write('freezer:a/freezer.state', 'FROZEN', 'ok');
      await c.poll('freezer:a/b/freezer.state', 'FROZEN\n');
      await c.read('freezer:a/b/freezer.parent_freezing', '1\n');
      await c.read('freezer:a/b/freezer.self_freezing', '0\n');
      await c.write('freezer:a/b/freezer.state', 'THAWED', 'ok');
      await c.read('freezer:a/b/freezer.state', 'FROZEN\n');
      await c.mkdir('freezer:a/c', 'ok');
      await c.read('freezer:a/c/freezer.state', 'FROZEN\n');
      await c.write('freezer:a/freezer.state', 'THAWED', 'ok');
      await c.poll('freezer:a/b/freezer.state', 'THAWED\n');
      await c.read('freezer:a/b/freezer.parent_freezing', '0\n');
    },
  },
  {
    id: 'v1-freezer/join-frozen',
    title: 'a task moved into a frozen cgroup is frozen',
    rule: 'a FROZEN cgroup that gains a task freezes it (the state settles on FROZEN again)',
    needs: { v1: ['freezer'] },
    async run(c) {
      await c.mkdir('freezer:a', 'ok');
      await c.write('freezer:a/freezer.state', 'FROZEN', 'ok');
      await c.read('freezer:a/freezer.state', 'FROZEN\n');
      await c.spawn('freezer:a');
      await c.poll('freezer:a/freezer.state', 'FROZEN\n');
      await c.write('freezer:a/freezer.state', 'THAWED', 'ok');
      await c.poll('freezer:a/freezer.state', 'THAWED\n');
    },
  },
];
