import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuStatsFromV1, ioStatsFromV1, memoryStatFromV1, memoryStatsFromV1 } from './stats-v1.js';

// Literal texts of the v1 root groups of the project's hybrid test host
// (Linux 6.18, HZ 250, USER_HZ 100), read from /sys/fs/cgroup/<ctrl>/.
const HOST = {
  cpuStat: 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n',
  cpuacctUsage: '6331426124511\n',
  cpuacctStat: 'user 584556\nsystem 48609\n',
  usage: '351547392\n',
  maxUsage: '5172822016\n',
  limit: '9223372036854771712\n',
  failcnt: '0\n',
  oomControl: 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
  memoryStat: 'cache 9158656\nrss 8470528\nrss_huge 0\nshmem 8998912\nmapped_file 7593984\ndirty 16384\nwriteback 0\n' +
    'workingset_refault_anon 0\nworkingset_refault_file 804\nswap 0\nswapcached 0\npgpgin 165298\npgpgout 160994\npgfault 335832\n' +
    'pgmajfault 0\ninactive_anon 0\nactive_anon 1531904\ninactive_file 0\nactive_file 159744\nunevictable 15937536\n' +
    'hierarchical_memory_limit 9223372036854771712\nhierarchical_memsw_limit 9223372036854771712\ntotal_cache 226828288\n' +
    'total_rss 106147840\ntotal_rss_huge 0\ntotal_shmem 8998912\ntotal_mapped_file 53248000\ntotal_dirty 552960\ntotal_writeback 0\n' +
    'total_workingset_refault_anon 0\ntotal_workingset_refault_file 496086\ntotal_swap 0\ntotal_swapcached 0\ntotal_pgpgin 72409089\n' +
    'total_pgpgout 72329294\ntotal_pgfault 85001364\ntotal_pgmajfault 6421\ntotal_inactive_anon 97406976\ntotal_active_anon 1601536\n' +
    'total_inactive_file 52420608\ntotal_active_file 165408768\ntotal_unevictable 15937536\n',
  ioServiceBytes: '253:0 Read 0\n253:0 Write 0\n253:0 Sync 0\n253:0 Async 0\n253:0 Discard 0\n253:0 Total 0\n254:0 Read 2017452032\n' +
    '254:0 Write 1247588352\n254:0 Sync 2512715776\n254:0 Async 1239461888\n254:0 Discard 487137280\n254:0 Total 3752177664\nTotal 3752177664\n',
  ioServiced: '253:0 Read 0\n253:0 Write 0\n253:0 Sync 0\n253:0 Async 0\n253:0 Discard 0\n253:0 Total 0\n254:0 Read 157612\n' +
    '254:0 Write 122191\n254:0 Sync 200254\n254:0 Async 121873\n254:0 Discard 42324\n254:0 Total 322127\nTotal 322127\n',
};

test('cpu: cpuacct.usage ns and cpuacct.stat ticks become µs; throttling from cpu.stat', () => {
  const s = cpuStatsFromV1({ 'cpuacct.usage': HOST.cpuacctUsage, 'cpuacct.stat': HOST.cpuacctStat, 'cpu.stat': HOST.cpuStat });
  assert.deepEqual(s, {
    usageUsec: 6331426124n,
    userUsec: 5845560000n,
    systemUsec: 486090000n,
    nrPeriods: 0n,
    nrThrottled: 0n,
    throttledUsec: 0n,
    nrBursts: 0n,
    burstUsec: 0n,
  });
  const throttled = cpuStatsFromV1({
    'cpuacct.usage': '1999\n',
    'cpuacct.stat': 'system 0\nuser 3\n',
    'cpu.stat': 'nr_periods 40\nnr_throttled 7\nthrottled_time 123456789\n',
  });
  assert.equal(throttled.usageUsec, 1n);
  assert.equal(throttled.userUsec, 30000n);
  assert.equal(throttled.throttledUsec, 123456n);
  assert.ok(!('nrBursts' in throttled) && !('burstUsec' in throttled));
});

test('memory: limit 9223372036854771712 is max, failcnt is the max event, stat by v2 names from the total_ lines', () => {
  const m = memoryStatsFromV1({
    'memory.usage_in_bytes': HOST.usage,
    'memory.limit_in_bytes': HOST.limit,
    'memory.failcnt': HOST.failcnt,
    'memory.oom_control': HOST.oomControl,
    'memory.stat': HOST.memoryStat,
    'memory.max_usage_in_bytes': HOST.maxUsage,
  });
  assert.equal(m.current, 351547392n);
  assert.equal(m.peak, 5172822016n);
  assert.equal(m.max, 'max');
  assert.deepEqual(m.events, { low: 0n, high: 0n, max: 0n, oomKill: 0n });
  assert.equal(m.underOom, false);
  assert.equal(m.stat.anon, 106147840n);
  assert.equal(m.stat.file, 226828288n);
  assert.equal(m.stat.shmem, 8998912n);
  assert.equal(m.stat.file_mapped, 53248000n);
  assert.equal(m.stat.pgfault, 85001364n);
  assert.ok(!('kernel' in m.stat) && !('rss' in m.stat) && !('cache' in m.stat));
});

test('memory: a finite limit, OOM kills and a missing peak', () => {
  const m = memoryStatsFromV1({
    'memory.usage_in_bytes': '4096\n',
    'memory.limit_in_bytes': '67108864\n',
    'memory.failcnt': '12\n',
    'memory.oom_control': 'oom_kill_disable 1\nunder_oom 1\noom_kill 2\n',
    'memory.stat': 'rss 4096\ncache 0\n',
  });
  assert.equal(m.max, 67108864n);
  assert.deepEqual(m.events, { low: 0n, high: 0n, max: 12n, oomKill: 2n });
  assert.equal(m.underOom, true);
  assert.ok(!('peak' in m));
  assert.deepEqual(memoryStatFromV1('rss 4096\ncache 0\n'), { anon: 4096n, file: 0n });
});

test('memory: a text that is not a counter is EINVAL, not 0', () => {
  assert.throws(() => memoryStatsFromV1({
    'memory.usage_in_bytes': 'lots\n',
    'memory.limit_in_bytes': HOST.limit,
    'memory.failcnt': '0\n',
    'memory.oom_control': HOST.oomControl,
    'memory.stat': '',
  }), { code: 'EINVAL' });
  assert.throws(() => memoryStatsFromV1({
    'memory.usage_in_bytes': '0\n',
    'memory.limit_in_bytes': HOST.limit,
    'memory.failcnt': '0\n',
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\n',
    'memory.stat': '',
  }), { code: 'EINVAL' });
});

test('io: the Read and Write rows of both blkio files, per device', () => {
  assert.deepEqual(ioStatsFromV1(HOST.ioServiceBytes, HOST.ioServiced), {
    devices: [
      { device: '253:0', rbytes: 0n, wbytes: 0n, rios: 0n, wios: 0n },
      { device: '254:0', rbytes: 2017452032n, wbytes: 1247588352n, rios: 157612n, wios: 122191n },
    ],
  });
  assert.deepEqual(ioStatsFromV1('Total 0\n', 'Total 0\n'), { devices: [] });
  assert.deepEqual(ioStatsFromV1(undefined, undefined), { devices: [] });
});
