import type { Case } from '../case.js';

const CPU = { v1: ['cpu'] };

/** v1 cpu and cpuacct. */
export const v1Cpu: Case[] = [
  {
    id: 'v1-cpu/files',
    title: 'files of a v1 cpu cgroup',
    rule: 'a v1 cpu cgroup has the cpu.* legacy files',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.readdir('cpu:a', 'cpu.cfs_burst_us cpu.cfs_period_us cpu.cfs_quota_us cpu.idle cpu.rt_period_us cpu.rt_runtime_us cpu.shares cpu.stat cpu.stat.local', 'cpu.');
    },
  },
  {
    id: 'v1-cpu/shares',
    title: 'cpu.shares default and clamping',
    rule: 'cpu.shares defaults to 1024; written values are clamped to [2, 262144] silently; non-numbers are EINVAL',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.read('cpu:a/cpu.shares', '1024\n');
      await c.write('cpu:a/cpu.shares', '1', 'ok');
      await c.read('cpu:a/cpu.shares', '2\n');
      await c.write('cpu:a/cpu.shares', '0', 'ok');
      await c.read('cpu:a/cpu.shares', '2\n');
      await c.write('cpu:a/cpu.shares', '300000', 'ok');
      await c.read('cpu:a/cpu.shares', '262144\n');
      await c.write('cpu:a/cpu.shares', '100', 'ok');
      await c.read('cpu:a/cpu.shares', '100\n');
      await c.write('cpu:a/cpu.shares', 'abc', 'EINVAL');
      await c.write('cpu:a/cpu.shares', '-5', 'EINVAL');
      await c.read('cpu:a/cpu.shares', '100\n');
    },
  },
  {
    id: 'v1-cpu/quota-period-bounds',
    title: 'cpu.cfs_quota_us and cpu.cfs_period_us bounds',
    rule: 'quota is -1 (unlimited) or >= 1000 us; any negative means unlimited; period must be in [1000, 1000000] us (EINVAL)',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.read('cpu:a/cpu.cfs_quota_us', '-1\n');
      await c.read('cpu:a/cpu.cfs_period_us', '100000\n');
      await c.write('cpu:a/cpu.cfs_quota_us', '999', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_quota_us', '1000', 'ok');
      await c.read('cpu:a/cpu.cfs_quota_us', '1000\n');
      await c.write('cpu:a/cpu.cfs_quota_us', '-5', 'ok');
      await c.read('cpu:a/cpu.cfs_quota_us', '-1\n');
      await c.write('cpu:a/cpu.cfs_quota_us', 'lots', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_period_us', '999', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_period_us', '1000001', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_period_us', '1000000', 'ok');
      await c.read('cpu:a/cpu.cfs_period_us', '1000000\n');
      await c.write('cpu:a/cpu.cfs_period_us', '1000', 'ok');
      await c.read('cpu:a/cpu.cfs_period_us', '1000\n');
    },
  },
  {
    id: 'v1-cpu/child-quota',
    title: "a child's quota may not exceed its parent's",
    rule: 'v1: a finite child bandwidth (quota/period) above a finite parent\'s is EINVAL, in either order of writing',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.mkdir('cpu:a/b', 'ok');
      await c.write('cpu:a/cpu.cfs_quota_us', '50000', 'ok');
      await c.write('cpu:a/b/cpu.cfs_quota_us', '60000', 'EINVAL');
      await c.write('cpu:a/b/cpu.cfs_quota_us', '50000', 'ok');
      await c.write('cpu:a/b/cpu.cfs_quota_us', '40000', 'ok');
      await c.write('cpu:a/cpu.cfs_quota_us', '30000', 'EINVAL');
      await c.read('cpu:a/cpu.cfs_quota_us', '50000\n');
      await c.write('cpu:a/b/cpu.cfs_period_us', '50000', 'EINVAL');
      await c.write('cpu:a/b/cpu.cfs_quota_us', '-1', 'ok');
      await c.write('cpu:a/cpu.cfs_quota_us', '30000', 'ok');
      await c.write('cpu:a/cpu.cfs_quota_us', '-1', 'ok');
      await c.write('cpu:a/b/cpu.cfs_quota_us', '200000', 'ok');
    },
  },
  {
    id: 'v1-cpu/burst',
    title: 'cpu.cfs_burst_us bounds',
    rule: 'burst defaults to 0 and may not exceed the quota (EINVAL)',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.read('cpu:a/cpu.cfs_burst_us', '0\n');
      await c.write('cpu:a/cpu.cfs_quota_us', '10000', 'ok');
      await c.write('cpu:a/cpu.cfs_burst_us', '20000', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_burst_us', '5000', 'ok');
      await c.read('cpu:a/cpu.cfs_burst_us', '5000\n');
      await c.write('cpu:a/cpu.cfs_quota_us', '2000', 'EINVAL');
      await c.write('cpu:a/cpu.cfs_quota_us', '-1', 'ok');
      await c.read('cpu:a/cpu.cfs_burst_us', '5000\n');
    },
  },
  {
    id: 'v1-cpu/stat',
    title: 'cpu.stat of a new cgroup',
    rule: 'v1 cpu.stat is flat keyed: nr_periods, nr_throttled, throttled_time (ns), bursts; all zero for an idle cgroup',
    needs: CPU,
    async run(c) {
      await c.mkdir('cpu:a', 'ok');
      await c.read('cpu:a/cpu.stat', 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n');
      await c.readWith('cpu:a/cpu.stat', 'nr_throttled', (s) => /^nr_throttled (\d+)$/m.exec(s)?.[1] ?? 'absent', '0');
    },
  },
  {
    id: 'v1-cpuacct/files',
    title: 'cpuacct files of a new cgroup',
    rule: 'cpuacct reports usage in ns (total, per CPU, user/system) and cpuacct.stat in ticks; all zero for a new cgroup',
    needs: { v1: ['cpuacct'] },
    async run(c) {
      await c.mkdir('cpuacct:a', 'ok');
      await c.readdir('cpuacct:a', 'cpuacct.stat cpuacct.usage cpuacct.usage_all cpuacct.usage_percpu cpuacct.usage_percpu_sys '
        + 'cpuacct.usage_percpu_user cpuacct.usage_sys cpuacct.usage_user', 'cpuacct.');
      for (const f of ['usage', 'usage_user', 'usage_sys']) await c.read(`cpuacct:a/cpuacct.${f}`, '0\n');
      // One figure per possible CPU: "0 0 \n" on two CPUs.
      await c.readWith('cpuacct:a/cpuacct.usage_percpu', 'all zero with a trailing space', (s) => String(/^(0 )+\n$/.test(s)), 'true');
      await c.readWith('cpuacct:a/cpuacct.usage_all', 'header', (s) => s.split('\n')[0] ?? '', 'cpu user system');
      await c.read('cpuacct:a/cpuacct.usage_all');
      await c.read('cpuacct:a/cpuacct.stat', 'user 0\nsystem 0\n');
    },
  },
  {
    id: 'v1-cpuacct/reset',
    title: 'cpuacct.usage can only be reset',
    rule: 'writing 0 to cpuacct.usage resets it; any other value is EINVAL; writes to the read-only files are EINVAL',
    needs: { v1: ['cpuacct'] },
    async run(c) {
      await c.mkdir('cpuacct:a', 'ok');
      await c.write('cpuacct:a/cpuacct.usage', '0', 'ok');
      await c.write('cpuacct:a/cpuacct.usage', '5', 'EINVAL');
      await c.write('cpuacct:a/cpuacct.usage_percpu', '0', 'EINVAL');
      await c.write('cpuacct:a/cpuacct.stat', '0', 'EINVAL');
      await c.stat('cpuacct:a/cpuacct.stat', 'file 444 0:0');
      await c.stat('cpuacct:a/cpuacct.usage', 'file 644 0:0');
    },
  },
];
