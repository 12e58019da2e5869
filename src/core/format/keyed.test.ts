import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { formatFlat, formatNested, keyedBig, keyedFlag, keyedInt, parseFlat, parseNested } from './keyed.js';

const isEinval = (e: unknown): boolean => e instanceof CgroupError && e.code === 'EINVAL';

// Read once from the test host (Linux 6.18, hybrid layout) and kept as literals.
const V2_ROOT_CPU_STAT = 'usage_usec 29504431\nuser_usec 17300611\nsystem_usec 12203819\nnice_usec 0\n';
const V1_CPU_STAT = 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n';
const V2_ROOT_CGROUP_STAT = 'nr_descendants 0\nnr_subsys_perf_event 1\nnr_subsys_hugetlb 1\nnr_dying_descendants 0\n'
  + 'nr_dying_subsys_perf_event 0\nnr_dying_subsys_hugetlb 0\n';
const V2_CHILD_EVENTS = 'populated 0\nfrozen 0\n';
const V2_CHILD_STAT_LOCAL = 'frozen_usec 0\n';
const V1_PIDS_EVENTS = 'max 0\n';
const V1_CPUACCT_STAT = 'user 1829\nsystem 1293\n';
const V1_OOM_CONTROL = 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n';
const V1_MEMORY_STAT = `cache 9682944
rss 6418432
rss_huge 0
shmem 8998912
mapped_file 7622656
dirty 24576
writeback 0
workingset_refault_anon 0
workingset_refault_file 79
swap 0
swapcached 0
pgpgin 33906
pgpgout 29982
pgfault 34032
pgmajfault 0
inactive_anon 0
active_anon 1531904
inactive_file 40960
active_file 643072
unevictable 13885440
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 122986496
total_rss 11599872
total_rss_huge 0
total_shmem 8998912
total_mapped_file 11108352
total_dirty 176128
total_writeback 0
total_workingset_refault_anon 0
total_workingset_refault_file 36400
total_swap 0
total_swapcached 0
total_pgpgin 903684
total_pgpgout 871690
total_pgfault 1082315
total_pgmajfault 270
total_inactive_anon 5005312
total_active_anon 1568768
total_inactive_file 49561600
total_active_file 64425984
total_unevictable 13885440
`;
// Shapes from the kernel's cgroup-v2 documentation (io.stat, io.max, io.weight).
const V2_IO_STAT = '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n'
  + '8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n';
const V2_IO_MAX = '8:16 rbps=2097152 wbps=max riops=max wiops=120\n';
const V2_IO_WEIGHT = 'default 100\n8:16 200\n8:0 50\n';

test('cpu.stat (v2 root, v1): counters by key, as bigint', () => {
  const m = parseFlat(V2_ROOT_CPU_STAT);
  assert.equal(keyedBig(m, 'usage_usec'), 29504431n);
  assert.equal(keyedBig(m, 'system_usec'), 12203819n);
  assert.equal(keyedBig(m, 'nice_usec'), 0n);
  assert.equal(keyedBig(m, 'throttled_usec'), undefined);
  assert.equal(formatFlat(m), V2_ROOT_CPU_STAT);
  const v1 = parseFlat(V1_CPU_STAT);
  assert.equal(keyedInt(v1, 'nr_periods'), 0);
  assert.equal(keyedBig(v1, 'burst_time'), 0n);
  assert.equal(formatFlat(v1), V1_CPU_STAT);
});

test('memory.stat (v1): 64-bit values past 2^53 stay exact; keys are found regardless of position', () => {
  const m = parseFlat(V1_MEMORY_STAT);
  assert.equal(m.size, 42);
  assert.equal(keyedBig(m, 'hierarchical_memory_limit'), 9223372036854771712n);
  assert.equal(keyedBig(parseFlat('c 18446744073709551615\nd 9007199254740993\n'), 'd'), 9007199254740993n);
  assert.equal(keyedBig(parseFlat('c 18446744073709551615\n'), 'c'), 18446744073709551615n);
  assert.equal(keyedBig(m, 'total_inactive_file'), 49561600n);
  assert.equal(keyedBig(m, 'cache'), 9682944n);
  assert.throws(() => keyedInt(m, 'hierarchical_memsw_limit'), isEinval);
  const reordered = V1_MEMORY_STAT.split('\n').filter((l) => l).reverse().join('\n') + '\n';
  assert.equal(keyedBig(parseFlat(reordered), 'total_rss'), 11599872n);
  assert.equal(formatFlat(m), V1_MEMORY_STAT);
});

test('cgroup.stat, cgroup.events, cgroup.stat.local, pids.events, cpuacct.stat, memory.oom_control', () => {
  const st = parseFlat(V2_ROOT_CGROUP_STAT);
  assert.equal(keyedInt(st, 'nr_descendants'), 0);
  assert.equal(keyedInt(st, 'nr_subsys_hugetlb'), 1);
  const ev = parseFlat(V2_CHILD_EVENTS);
  assert.equal(keyedFlag(ev, 'populated'), false);
  assert.equal(keyedFlag(ev, 'frozen'), false);
  assert.equal(keyedFlag(parseFlat('populated 1\nfrozen 0\n'), 'populated'), true);
  assert.equal(keyedFlag(ev, 'absent'), undefined);
  assert.throws(() => keyedFlag(parseFlat('populated 2\n'), 'populated'), isEinval);
  assert.equal(keyedBig(parseFlat(V2_CHILD_STAT_LOCAL), 'frozen_usec'), 0n);
  assert.equal(keyedInt(parseFlat(V1_PIDS_EVENTS), 'max'), 0);
  assert.equal(keyedInt(parseFlat(V1_CPUACCT_STAT), 'system'), 1293);
  assert.equal(keyedFlag(parseFlat(V1_OOM_CONTROL), 'under_oom'), false);
  for (const t of [V2_ROOT_CGROUP_STAT, V2_CHILD_EVENTS, V1_PIDS_EVENTS, V1_CPUACCT_STAT, V1_OOM_CONTROL]) {
    assert.equal(formatFlat(parseFlat(t)), t);
  }
});

test('io.weight is flat keyed with a "default" line', () => {
  const m = parseFlat(V2_IO_WEIGHT);
  assert.equal(keyedInt(m, 'default'), 100);
  assert.equal(keyedInt(m, '8:16'), 200);
  assert.equal(formatFlat(m), V2_IO_WEIGHT);
});

test('io.stat and io.max are nested keyed by MAJ:MIN', () => {
  const st = parseNested(V2_IO_STAT);
  assert.equal(st.get('8:0')?.get('dbytes'), '50331648');
  assert.equal(st.get('8:16')?.get('wios'), '353');
  assert.equal(formatNested(st), V2_IO_STAT);
  const mx = parseNested(V2_IO_MAX);
  assert.equal(mx.get('8:16')?.get('wbps'), 'max');
  assert.equal(formatNested(mx), V2_IO_MAX);
});

test('malformed text is EINVAL, never a silent default', () => {
  assert.throws(() => parseFlat('usage_usec\n'), isEinval);
  assert.throws(() => parseFlat('a 1\na 2\n'), isEinval); // a repeated key would hide a value
  assert.throws(() => parseNested('8:0 rbytes\n'), isEinval);
  assert.throws(() => parseNested('8:0 =1\n'), isEinval);
  assert.throws(() => parseNested('8:0 a=1 a=2\n'), isEinval);
  assert.throws(() => parseNested('8:0 a=1\n8:0 b=2\n'), isEinval);
  for (const v of ['0x10', '1e3', '1.5', ' ', '+1', 'abc']) {
    assert.throws(() => keyedBig(new Map([['k', v]]), 'k'), isEinval, v);
  }
  assert.equal(keyedBig(new Map([['k', '-5']]), 'k'), -5n);
});

const key = fc.stringMatching(/^[a-z0-9_.:]{1,12}$/);
const value = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.stringMatching(/^[!-~]([ -~]{0,8}[!-~])?$/));

test('property: flat keyed round-trips both ways', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: (e) => e[0], maxLength: 30 }), (entries) => {
    const text = formatFlat(entries);
    assert.deepEqual([...parseFlat(text)], entries);
    assert.equal(formatFlat(parseFlat(text)), text);
  }));
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(key, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), { selector: (e) => e[0] }),
    (entries) => {
      const m = parseFlat(formatFlat(entries));
      for (const [k, v] of entries) assert.equal(keyedBig(m, k), v);
    }));
});

test('property: nested keyed round-trips both ways', () => {
  const sub = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,8}$/), fc.stringMatching(/^[!-~]{0,10}$/)),
    { selector: (e) => e[0], maxLength: 8 });
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(key, sub), { selector: (e) => e[0], maxLength: 10 }), (entries) => {
    const text = formatNested(entries);
    const parsed = parseNested(text);
    assert.deepEqual([...parsed].map(([k, s]) => [k, [...s]]), entries);
    assert.equal(formatNested(parsed), text);
  }));
});
