import type { Case, CaseContext } from '../case.js';
import { list } from './util.js';

const CPUSET = { v1: ['cpuset'] };

/** Give the v1 cpuset base CPU 0 and memory node 0, so tasks may enter it and its children. */
async function provision(c: CaseContext): Promise<void> {
  await c.write('cpuset:cpuset.cpus', '0', 'ok');
  await c.write('cpuset:cpuset.mems', '0', 'ok');
}

/** v1 cpuset: empty at creation, attach rules, subsets. */
export const v1Cpuset: Case[] = [
  {
    id: 'v1-cpuset/empty-at-mkdir',
    title: 'a new v1 cpuset has no CPUs and no memory nodes',
    rule: 'cpuset.cpus and cpuset.mems of a new v1 cgroup are empty (unless clone_children)',
    needs: CPUSET,
    async run(c) {
      await c.read('cpuset:cpuset.cpus', '\n');
      await c.read('cpuset:cpuset.mems', '\n');
      await c.read('cpuset:cpuset.effective_cpus', '\n');
      await c.read('cpuset:cgroup.clone_children', '0\n');
      await c.readdir('cpuset:', 'cpuset.cpu_exclusive cpuset.cpus cpuset.effective_cpus cpuset.effective_mems cpuset.mem_exclusive '
        + 'cpuset.mem_hardwall cpuset.memory_migrate cpuset.memory_pressure cpuset.memory_spread_page cpuset.memory_spread_slab '
        + 'cpuset.mems cpuset.sched_load_balance cpuset.sched_relax_domain_level', 'cpuset.');
    },
  },
  {
    id: 'v1-cpuset/attach-needs-cpus-and-mems',
    title: 'tasks cannot join a cpuset without CPUs or memory nodes',
    rule: 'attaching to a v1 cpuset whose cpus or mems are empty is ENOSPC',
    needs: CPUSET,
    async run(c) {
      const p = await c.spawn('cpuset:', { expect: 'ENOSPC' });
      await c.write('cpuset:cpuset.cpus', '0', 'ok');
      await c.move(p, 'cpuset:', 'ENOSPC');
      await c.write('cpuset:cpuset.mems', '0', 'ok');
      await c.move(p, 'cpuset:', 'ok');
      await c.read('cpuset:cgroup.procs', list(p));
    },
  },
  {
    id: 'v1-cpuset/values',
    title: 'cpuset.cpus and cpuset.mems parsing',
    rule: 'a list like 0-1,3; malformed lists are EINVAL; a CPU beyond the possible ones ERANGE; a node that does not exist EINVAL; "\\n" clears, an empty write does nothing',
    needs: CPUSET,
    async run(c) {
      await c.write('cpuset:cpuset.cpus', '0', 'ok');
      await c.read('cpuset:cpuset.cpus', '0\n');
      await c.write('cpuset:cpuset.cpus', '4095', 'ERANGE');
      await c.write('cpuset:cpuset.cpus', 'abc', 'EINVAL');
      await c.write('cpuset:cpuset.cpus', '0-', 'EINVAL');
      await c.write('cpuset:cpuset.cpus', '1-0', 'EINVAL');
      await c.write('cpuset:cpuset.mems', '63', 'EINVAL');
      await c.write('cpuset:cpuset.mems', '0', 'ok');
      await c.read('cpuset:cpuset.mems', '0\n');
      await c.write('cpuset:cpuset.cpus', '', 'ok');
      await c.read('cpuset:cpuset.cpus', '0\n');
      await c.write('cpuset:cpuset.cpus', '\n', 'ok');
      await c.read('cpuset:cpuset.cpus', '\n');
      await c.write('cpuset:cpuset.cpus', '0\n', 'ok');
      await c.read('cpuset:cpuset.effective_cpus', '0\n');
    },
  },
  {
    id: 'v1-cpuset/subset-of-parent',
    title: "a child's CPUs must be within its parent's",
    rule: 'v1 cpus/mems must be a subset of the parent\'s (EACCES); a parent cannot drop CPUs a child uses (EBUSY)',
    needs: CPUSET,
    async run(c) {
      await provision(c);
      await c.mkdir('cpuset:a', 'ok');
      await c.write('cpuset:a/cpuset.cpus', '0-1', 'EACCES');
      await c.write('cpuset:a/cpuset.cpus', '0', 'ok');
      await c.write('cpuset:a/cpuset.mems', '0', 'ok');
      await c.write('cpuset:cpuset.cpus', '\n', 'EBUSY');
      await c.read('cpuset:cpuset.cpus', '0\n');
      await c.write('cpuset:a/cpuset.cpus', '\n', 'ok');
      await c.write('cpuset:cpuset.cpus', '\n', 'ok');
    },
  },
  {
    id: 'v1-cpuset/empty-while-populated',
    title: 'a cpuset with tasks cannot be emptied',
    rule: 'clearing cpus or mems of a v1 cpuset that has tasks is ENOSPC',
    needs: CPUSET,
    async run(c) {
      await provision(c);
      await c.mkdir('cpuset:a', 'ok');
      await c.write('cpuset:a/cpuset.cpus', '0', 'ok');
      await c.write('cpuset:a/cpuset.mems', '0', 'ok');
      await c.spawn('cpuset:a');
      await c.write('cpuset:a/cpuset.cpus', '\n', 'ENOSPC');
      await c.write('cpuset:a/cpuset.mems', '\n', 'ENOSPC');
      await c.read('cpuset:a/cpuset.cpus', '0\n');
    },
  },
  {
    id: 'v1-cpuset/clone-children',
    title: 'cgroup.clone_children copies the parent\'s cpuset',
    rule: 'with clone_children set, a new cpuset starts with its parent\'s cpus and mems and inherits the flag',
    needs: CPUSET,
    async run(c) {
      await provision(c);
      await c.write('cpuset:cgroup.clone_children', '1', 'ok');
      await c.mkdir('cpuset:a', 'ok');
      await c.read('cpuset:a/cpuset.cpus', '0\n');
      await c.read('cpuset:a/cpuset.mems', '0\n');
      await c.read('cpuset:a/cgroup.clone_children', '1\n');
      await c.write('cpuset:cgroup.clone_children', '0', 'ok');
      await c.mkdir('cpuset:b', 'ok');
      await c.read('cpuset:b/cpuset.cpus', '\n');
      await c.spawn('cpuset:a');
    },
  },
  {
    id: 'v1-cpuset/flags',
    title: 'v1 cpuset flag files',
    rule: 'boolean files read 0/1 with the kernel\'s defaults',
    needs: CPUSET,
    async run(c) {
      await c.mkdir('cpuset:a', 'ok');
      for (const f of ['cpu_exclusive', 'mem_exclusive', 'mem_hardwall', 'memory_migrate', 'memory_spread_page']) {
        await c.read(`cpuset:a/cpuset.${f}`, '0\n');
      }
      await c.read('cpuset:a/cpuset.sched_load_balance', '1\n');
      await c.read('cpuset:a/cpuset.sched_relax_domain_level', '-1\n');
      await c.write('cpuset:a/cpuset.memory_migrate', '1', 'ok');
      await c.read('cpuset:a/cpuset.memory_migrate', '1\n');
    },
  },
];
