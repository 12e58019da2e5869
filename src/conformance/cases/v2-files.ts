import { KERNEL_CONTROLLER_ORDER } from '../../core/layout.js';
import type { Case } from '../case.js';
import { V2, V2_DOMAIN, dom, events } from './util.js';

/** cgroup v2 core interface files: which exist, their modes, read and write formats. */
export const v2Files: Case[] = [
  {
    id: 'v2-files/core-files',
    title: 'a new cgroup has every core interface file',
    rule: 'every non-root v2 cgroup has the cgroup.* core files',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.readdir('a', 'cgroup.controllers cgroup.events cgroup.freeze cgroup.kill cgroup.max.depth cgroup.max.descendants '
        + 'cgroup.pressure cgroup.procs cgroup.stat cgroup.stat.local cgroup.subtree_control cgroup.threads cgroup.type', 'cgroup.');
    },
  },
  {
    id: 'v2-files/defaults',
    title: 'core files of a new cgroup read their defaults',
    rule: 'a new cgroup is an empty domain with no limits, no controllers enabled, not frozen',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.read('a/cgroup.type', 'domain\n');
      await c.read('a/cgroup.procs', '');
      await c.read('a/cgroup.threads', '');
      await c.read('a/cgroup.subtree_control', '');
      await c.read('a/cgroup.controllers', '');
      await c.read('a/cgroup.events', events(0));
      await c.read('a/cgroup.max.descendants', 'max\n');
      await c.read('a/cgroup.max.depth', 'max\n');
      await c.read('a/cgroup.freeze', '0\n');
    },
  },
  {
    id: 'v2-files/modes',
    title: 'owner and mode of a cgroup and its core files',
    rule: 'read-only files are 0444, cgroup.kill is 0200, the rest 0644; the directory 0755; owner is the creator',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.stat('a', 'dir 755 0:0');
      await c.stat('a/cgroup.procs', 'file 644 0:0');
      await c.stat('a/cgroup.threads', 'file 644 0:0');
      await c.stat('a/cgroup.subtree_control', 'file 644 0:0');
      await c.stat('a/cgroup.type', 'file 644 0:0');
      await c.stat('a/cgroup.freeze', 'file 644 0:0');
      await c.stat('a/cgroup.max.depth', 'file 644 0:0');
      await c.stat('a/cgroup.controllers', 'file 444 0:0');
      await c.stat('a/cgroup.events', 'file 444 0:0');
      await c.stat('a/cgroup.stat', 'file 444 0:0');
      await c.stat('a/cgroup.kill', 'file 200 0:0');
    },
  },
  {
    id: 'v2-files/read-only',
    title: 'writing a read-only core file is refused',
    rule: 'a file without a write handler opens for writing as root (mode bits do not stop root) but every write is EINVAL',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.events', 'populated 1', 'EINVAL');
      await c.write('a/cgroup.controllers', 'hugetlb', 'EINVAL');
      await c.write('a/cgroup.stat', '0', 'EINVAL');
      await c.write('a/cgroup.stat', '', 'ok');
    },
  },
  {
    id: 'v2-files/kill-values',
    title: 'cgroup.kill is write-only and takes only 1',
    rule: 'reading cgroup.kill is EINVAL; writing a number other than 1 is ERANGE, a non-number EINVAL',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.read('a/cgroup.kill', 'EINVAL');
      await c.write('a/cgroup.kill', '2', 'ERANGE');
      await c.write('a/cgroup.kill', '0', 'ERANGE');
      await c.write('a/cgroup.kill', 'yes', 'EINVAL');
      await c.write('a/cgroup.kill', '1', 'ok');
    },
  },
  {
    id: 'v2-files/freeze-values',
    title: 'cgroup.freeze takes 0 or 1',
    rule: 'cgroup.freeze outside {0,1} is ERANGE, a non-number EINVAL; an empty cgroup is frozen at once',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.write('a/cgroup.freeze', '2', 'ERANGE');
      await c.write('a/cgroup.freeze', '-1', 'ERANGE');
      await c.write('a/cgroup.freeze', 'on', 'EINVAL');
      await c.write('a/cgroup.freeze', '1', 'ok');
      await c.read('a/cgroup.freeze', '1\n');
      await c.read('a/cgroup.events', events(0, 1));
      await c.write('a/cgroup.freeze', '0', 'ok');
      await c.read('a/cgroup.events', events(0, 0));
    },
  },
  {
    id: 'v2-files/max-values',
    title: 'cgroup.max.descendants and cgroup.max.depth formats',
    rule: 'an integer >= 0 or "max"; negative is ERANGE, other text EINVAL',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      for (const f of ['cgroup.max.descendants', 'cgroup.max.depth']) {
        await c.write(`a/${f}`, '5', 'ok');
        await c.read(`a/${f}`, '5\n');
        await c.write(`a/${f}`, ' 7\n', 'ok');
        await c.read(`a/${f}`, '7\n');
        await c.write(`a/${f}`, '-1', 'ERANGE');
        await c.write(`a/${f}`, 'lots', 'EINVAL');
        await c.write(`a/${f}`, 'max', 'ok');
        await c.read(`a/${f}`, 'max\n');
        await c.write(`a/${f}`, '0', 'ok');
        await c.read(`a/${f}`, '0\n');
      }
    },
  },
  {
    id: 'v2-files/stat',
    title: 'cgroup.stat counts descendants and controller states',
    rule: 'nr_descendants counts live descendants at every level; nr_subsys_<ss> counts the csses of each controller of the hierarchy, listed even when 0',
    needs: V2,
    async run(c) {
      for (const d of ['a', 'a/b', 'a/b/c', 'd']) await c.mkdir(d, 'ok');
      await c.read('cgroup.stat');
      await c.readWith('cgroup.stat', 'nr_descendants', (s) => /^nr_descendants (\d+)$/m.exec(s)?.[1] ?? 'absent', '4');
      await c.readWith('a/cgroup.stat', 'nr_descendants', (s) => /^nr_descendants (\d+)$/m.exec(s)?.[1] ?? 'absent', '2');
      // Every controller of the hierarchy has its counters, 0 where it has no css (perf_event is implicit on v2).
      const ss = KERNEL_CONTROLLER_ORDER.filter((x) => x === 'perf_event' || c.v2Bound.includes(x));
      const keys = ['nr_descendants', ...ss.map((x) => `nr_subsys_${x}`), 'nr_dying_descendants', ...ss.map((x) => `nr_dying_subsys_${x}`)];
      await c.readKeys('a/b/c/cgroup.stat', keys.join(' '));
      await c.read('a/b/c/cgroup.stat');
    },
  },
  {
    id: 'v2-files/missing',
    title: 'names that are not there, and names that are taken',
    rule: 'unknown files ENOENT; mkdir over an existing name EEXIST; rmdir of a file ENOTDIR',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.read('a/cgroup.nothing', 'ENOENT');
      await c.write('a/cpu.weight', '100', 'ENOENT');
      await c.mkdir('x/y', 'ENOENT');
      await c.mkdir('a', 'EEXIST');
      await c.mkdir('a/cgroup.procs', 'EEXIST');
      await c.rmdir('a/cgroup.procs', 'ENOTDIR');
      await c.rmdir('nothing', 'ENOENT');
    },
  },
  {
    id: 'v2-files/no-rename',
    title: 'v2 cgroups cannot be renamed',
    rule: 'rename(2) of a v2 cgroup is refused',
    needs: V2,
    async run(c) {
      await c.mkdir('a', 'ok');
      await c.rename('a', 'b', 'EPERM');
      await c.readdir('', 'a', 'a');
    },
  },
  {
    id: 'v2-files/subtree-control-syntax',
    title: 'cgroup.subtree_control write syntax',
    rule: 'tokens are +name/-name; anything else or an unknown name is EINVAL; the last token for a name wins; repeats are no-ops; a known controller the cgroup is not offered is ENOENT',
    needs: V2_DOMAIN,
    async run(c) {
      const d = dom(c);
      await c.readWith('cgroup.controllers', `offers ${d}`, (t) => String(t.trim().split(' ').includes(d)), 'true');
      await c.write('cgroup.subtree_control', d, 'EINVAL');
      await c.write('cgroup.subtree_control', '+nosuch', 'EINVAL');
      await c.write('cgroup.subtree_control', `+${d} -${d}`, 'ok');
      await c.read('cgroup.subtree_control', '');
      await c.write('cgroup.subtree_control', `-${d} +${d}`, 'ok');
      await c.read('cgroup.subtree_control', `${d}\n`);
      await c.write('cgroup.subtree_control', `+${d}`, 'ok');
      await c.write('cgroup.subtree_control', `  -${d}  `, 'ok');
      await c.read('cgroup.subtree_control', '');
      await c.write('cgroup.subtree_control', `-${d}`, 'ok');
      // perf_event is implicit on v2: never listed in cgroup.controllers, so it cannot be enabled.
      await c.write('cgroup.subtree_control', '+perf_event', 'ENOENT');
    },
  },
];
