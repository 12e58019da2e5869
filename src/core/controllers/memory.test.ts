import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memory } from './memory.js';
import { memoryCharge } from './memory-charge.js';
import { Harness, task } from './testing.test-util.js';

const MAX = '9223372036854771712\n';

const HOST_V1_STAT_NEW_CHILD =
  'cache 0\nrss 0\nrss_huge 0\nshmem 0\nmapped_file 0\ndirty 0\nwriteback 0\nworkingset_refault_anon 0\nworkingset_refault_file 0\n' +
  'swap 0\nswapcached 0\npgpgin 0\npgpgout 0\npgfault 0\npgmajfault 0\ninactive_anon 0\nactive_anon 0\ninactive_file 0\n' +
  'active_file 0\nunevictable 0\nhierarchical_memory_limit 9223372036854771712\nhierarchical_memsw_limit 9223372036854771712\n' +
  'total_cache 0\ntotal_rss 0\ntotal_rss_huge 0\ntotal_shmem 0\ntotal_mapped_file 0\ntotal_dirty 0\ntotal_writeback 0\n' +
  'total_workingset_refault_anon 0\ntotal_workingset_refault_file 0\ntotal_swap 0\ntotal_swapcached 0\ntotal_pgpgin 0\n' +
  'total_pgpgout 0\ntotal_pgfault 0\ntotal_pgmajfault 0\ntotal_inactive_anon 0\ntotal_active_anon 0\ntotal_inactive_file 0\n' +
  'total_active_file 0\ntotal_unevictable 0\n';

const HOST_V1_NUMA_NEW_CHILD =
  'total=0 N0=0\nfile=0 N0=0\nanon=0 N0=0\nunevictable=0 N0=0\n' +
  'hierarchical_total=0 N0=0\nhierarchical_file=0 N0=0\nhierarchical_anon=0 N0=0\nhierarchical_unevictable=0 N0=0\n';

describe('memory v1 (host literals)', () => {
  it('lists the host files and reads a new child like the host', () => {
    const h = new Harness(memory, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), [
      'memory.failcnt', 'memory.force_empty', 'memory.kmem.failcnt', 'memory.kmem.limit_in_bytes', 'memory.kmem.max_usage_in_bytes',
      'memory.kmem.slabinfo', 'memory.kmem.tcp.failcnt', 'memory.kmem.tcp.limit_in_bytes', 'memory.kmem.tcp.max_usage_in_bytes',
      'memory.kmem.tcp.usage_in_bytes', 'memory.kmem.usage_in_bytes', 'memory.limit_in_bytes', 'memory.max_usage_in_bytes',
      'memory.memsw.failcnt', 'memory.memsw.limit_in_bytes', 'memory.memsw.max_usage_in_bytes', 'memory.memsw.usage_in_bytes',
      'memory.move_charge_at_immigrate', 'memory.numa_stat', 'memory.oom_control', 'memory.pressure_level',
      'memory.soft_limit_in_bytes', 'memory.stat', 'memory.swappiness', 'memory.usage_in_bytes', 'memory.use_hierarchy',
    ]);
    assert.deepEqual(h.fileNames(h.root), h.fileNames(c));
    const expect: Record<string, string> = {
      'memory.failcnt': '0\n', 'memory.kmem.failcnt': '0\n', 'memory.kmem.limit_in_bytes': MAX, 'memory.kmem.max_usage_in_bytes': '0\n',
      'memory.kmem.slabinfo': '', 'memory.kmem.tcp.failcnt': '0\n', 'memory.kmem.tcp.limit_in_bytes': MAX,
      'memory.kmem.tcp.max_usage_in_bytes': '0\n', 'memory.kmem.tcp.usage_in_bytes': '0\n', 'memory.kmem.usage_in_bytes': '0\n',
      'memory.limit_in_bytes': MAX, 'memory.max_usage_in_bytes': '0\n', 'memory.memsw.failcnt': '0\n', 'memory.memsw.limit_in_bytes': MAX,
      'memory.memsw.max_usage_in_bytes': '0\n', 'memory.memsw.usage_in_bytes': '0\n', 'memory.move_charge_at_immigrate': '0\n',
      'memory.numa_stat': HOST_V1_NUMA_NEW_CHILD, 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
      'memory.soft_limit_in_bytes': MAX, 'memory.stat': HOST_V1_STAT_NEW_CHILD, 'memory.swappiness': '60\n',
      'memory.usage_in_bytes': '0\n', 'memory.use_hierarchy': '1\n',
    };
    for (const [f, v] of Object.entries(expect)) assert.equal(h.read(c, f), v, f);
    assert.equal(h.tryWrite(c, 'memory.pressure_level', 'low'), 'EINVAL');
    assert.throws(() => h.read(c, 'memory.pressure_level'), { code: 'EINVAL' });
    assert.throws(() => h.read(c, 'memory.force_empty'), { code: 'EINVAL' });
  });

  it('memory.limit_in_bytes: memparse, rounding down to pages, -1 (host sequence)', () => {
    const h = new Harness(memory, 1);
    const c = h.mkdir(h.root, 'c');
    const cases: [string, string][] = [
      ['1000', '0\n'], ['4097', '4096\n'], ['1k', '0\n'], ['10M', '10485760\n'], ['-1', MAX], ['-2', 'EINVAL'], ['max', 'EINVAL'],
      ['abc', 'EINVAL'], ['0', '0\n'], ['9223372036854775807', MAX], ['18446744073709551615', MAX], ['18446744073709551616', '0\n'],
      ['10M ', '10485760\n'], [' 10M', '10485760\n'], ['1.5M', 'EINVAL'], ['0x1000', '4096\n'], ['010', '0\n'], ['1g', '1073741824\n'],
      ['1t', '1099511627776\n'], ['1p', '1125899906842624\n'], ['1E', '1152921504606846976\n'], ['8E', MAX], ['16E', '0\n'],
      ['1KB', 'EINVAL'],
      // measured on 6.18: a blank text or a bare suffix is memparse() of nothing, 0; U+00A0 is not blank
      ['-1', MAX], ['\n', '0\n'], ['-1', MAX], ['K', '0\n'], ['-1', MAX], [' K\n', '0\n'], ['-1', MAX], ['\t\n', '0\n'],
      ['k\n', '0\n'], ['5\u00a0', 'EINVAL'], ['-+5', 'EINVAL'],
    ];
    for (const [w, r] of cases) {
      const e = h.tryWrite(c, 'memory.limit_in_bytes', w);
      if (r === 'EINVAL') assert.equal(e, 'EINVAL', w);
      else {
        assert.equal(e, 'OK', w);
        assert.equal(h.read(c, 'memory.limit_in_bytes'), r, w);
      }
    }
    assert.equal(h.tryWrite(h.root, 'memory.limit_in_bytes', '10M'), 'EINVAL');
  });

  it('memory <= memory+swap invariant, soft limit, swappiness, oom_control, use_hierarchy, move_charge (host errnos)', () => {
    const h = new Harness(memory, 1);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string, string?][] = [
      ['memory.memsw.limit_in_bytes', '10M', 'EINVAL'], ['memory.limit_in_bytes', '20M', 'OK'],
      ['memory.memsw.limit_in_bytes', '20M', 'OK', '20971520\n'], ['memory.limit_in_bytes', '30M', 'EINVAL'],
      ['memory.memsw.limit_in_bytes', '10M', 'EINVAL'], ['memory.memsw.limit_in_bytes', '-1', 'OK', MAX],
      ['memory.soft_limit_in_bytes', '5000', 'OK', '4096\n'], ['memory.soft_limit_in_bytes', 'max', 'EINVAL'],
      ['memory.swappiness', '200', 'OK', '200\n'], ['memory.swappiness', '201', 'EINVAL'], ['memory.swappiness', '-1', 'EINVAL'],
      ['memory.swappiness', '0x10', 'OK', '16\n'], ['memory.use_hierarchy', '0', 'EINVAL'], ['memory.use_hierarchy', '1', 'OK'],
      ['memory.use_hierarchy', '2', 'EINVAL'], ['memory.oom_control', '1', 'OK', 'oom_kill_disable 1\nunder_oom 0\noom_kill 0\n'],
      ['memory.oom_control', '2', 'EINVAL'], ['memory.oom_control', 'abc', 'EINVAL'],
      ['memory.move_charge_at_immigrate', '1', 'EINVAL'], ['memory.move_charge_at_immigrate', '3', 'EINVAL'],
      ['memory.move_charge_at_immigrate', '0', 'OK'], ['memory.force_empty', 'abc', 'OK'], ['memory.failcnt', 'abc', 'OK', '0\n'],
      ['memory.max_usage_in_bytes', '5', 'OK', '0\n'], ['memory.kmem.limit_in_bytes', '10M', 'OK', MAX],
      ['memory.kmem.limit_in_bytes', 'abc', 'EINVAL'], ['memory.kmem.tcp.limit_in_bytes', '10M', 'OK', '10485760\n'],
      ['memory.usage_in_bytes', '0', 'EINVAL'], ['memory.stat', '0', 'EINVAL'], ['memory.numa_stat', '0', 'EINVAL'],
    ];
    for (const [f, w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, `${f} <- ${w}`);
      if (r) assert.equal(h.read(c, f), r, f);
    }
    const g = h.mkdir(c, 'g');
    assert.equal(h.read(g, 'memory.swappiness'), '16\n', 'inherited from the parent');
    assert.equal(h.read(g, 'memory.oom_control'), 'oom_kill_disable 1\nunder_oom 0\noom_kill 0\n');
    assert.equal(h.tryWrite(h.root, 'memory.oom_control', '1'), 'EINVAL');
    assert.equal(h.tryWrite(h.root, 'memory.force_empty', '1'), 'EINVAL');
  });

  it('hierarchical limit in memory.stat; a child may be above its parent', () => {
    const h = new Harness(memory, 1);
    const t = h.mkdir(h.root, 't');
    h.write(t, 'memory.limit_in_bytes', '10M');
    const c = h.mkdir(t, 'c');
    assert.match(h.read(c, 'memory.stat'), /^hierarchical_memory_limit 10485760$/m);
    h.write(c, 'memory.limit_in_bytes', '5M');
    h.write(t, 'memory.limit_in_bytes', '1M');
    assert.match(h.read(c, 'memory.stat'), /^hierarchical_memory_limit 1048576$/m);
    assert.equal(h.read(c, 'memory.limit_in_bytes'), '5242880\n');
  });

  it('a limit below usage is EBUSY (nothing to reclaim); reset of max_usage reads usage', () => {
    const h = new Harness(memory, 1);
    const c = h.mkdir(h.root, 'c');
    const p = h.fork(c, task());
    assert.ok(memoryCharge(c, p, 8192n, h.k).ok);
    assert.equal(h.tryWrite(c, 'memory.limit_in_bytes', '4096'), 'EBUSY');
    h.write(c, 'memory.max_usage_in_bytes', '0');
    assert.equal(h.read(c, 'memory.max_usage_in_bytes'), '8192\n');
    assert.match(h.read(c, 'memory.stat'), /^rss 8192$/m);
    assert.match(h.read(h.root, 'memory.stat'), /^total_rss 8192$/m);
    assert.match(h.read(h.root, 'memory.stat'), /^rss 0$/m);
    assert.equal(h.read(c, 'memory.numa_stat').split('\n')[0], 'total=2 N0=2');
  });
});

describe('memory v2', () => {
  it('files on root and child with kernel defaults', () => {
    const h = new Harness(memory, 2);
    assert.deepEqual(h.fileNames(h.root), ['memory.numa_stat', 'memory.reclaim', 'memory.stat']);
    const c = h.mkdir(h.root, 'c');
    const expect: Record<string, string> = {
      'memory.current': '0\n', 'memory.min': '0\n', 'memory.low': '0\n', 'memory.high': 'max\n', 'memory.max': 'max\n',
      'memory.peak': '0\n', 'memory.oom.group': '0\n', 'memory.swap.current': '0\n', 'memory.swap.max': 'max\n',
      'memory.swap.high': 'max\n', 'memory.swap.peak': '0\n', 'memory.swap.events': 'high 0\nmax 0\nfail 0\n',
      'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\nsock_throttled 0\n',
      'memory.zswap.current': '0\n', 'memory.zswap.max': 'max\n', 'memory.zswap.writeback': '1\n',
    };
    for (const [f, v] of Object.entries(expect)) assert.equal(h.read(c, f), v, f);
    assert.equal(h.read(c, 'memory.events.local'), expect['memory.events']);
    assert.match(h.read(c, 'memory.stat'), /^anon 0\nfile 0\nkernel 0\n/);
    assert.match(h.read(c, 'memory.numa_stat'), /^anon N0=0\nfile N0=0\n/);
  });

  it('limits take max or bytes rounded down to pages; garbage is EINVAL', () => {
    const h = new Harness(memory, 2);
    const c = h.mkdir(h.root, 'c');
    for (const f of ['memory.min', 'memory.low', 'memory.high', 'memory.max', 'memory.swap.max']) {
      h.write(c, f, '1G');
      assert.equal(h.read(c, f), '1073741824\n', f);
      h.write(c, f, '4097\n');
      assert.equal(h.read(c, f), '4096\n', f);
      h.write(c, f, ' max ');
      assert.equal(h.read(c, f), 'max\n', f);
      for (const bad of ['-1', 'abc', '1.5G', 'MAX']) assert.equal(h.tryWrite(c, f, bad), 'EINVAL', `${f} <- ${bad}`);
    }
    for (const [w, e] of [['0', 'OK'], ['1', 'OK'], ['2', 'EINVAL'], ['-1', 'EINVAL'], ['x', 'EINVAL']] as const) {
      assert.equal(h.tryWrite(c, 'memory.oom.group', w), e, w);
    }
    assert.equal(h.tryWrite(c, 'memory.reclaim', '1000'), 'OK', 'less than a page');
    assert.equal(h.tryWrite(c, 'memory.reclaim', '1M'), 'EAGAIN');
    assert.equal(h.tryWrite(c, 'memory.reclaim', '1M swappiness=300'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'memory.reclaim', 'x'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'memory.zswap.writeback', '2'), 'EINVAL');
  });
});
