import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpu, cpuStatLocalV2Extra, cpuStatV2Extra, parseCpuMax } from './cpu.js';
import { Harness } from './testing.test-util.js';

describe('cpu v1 (literals and errnos from a 6.18 host)', () => {
  it('a new child reads as on the host', () => {
    const h = new Harness(cpu, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), [
      'cpu.cfs_burst_us', 'cpu.cfs_period_us', 'cpu.cfs_quota_us', 'cpu.idle', 'cpu.rt_period_us',
      'cpu.rt_runtime_us', 'cpu.shares', 'cpu.stat', 'cpu.stat.local',
    ]);
    assert.equal(h.read(c, 'cpu.cfs_burst_us'), '0\n');
    assert.equal(h.read(c, 'cpu.cfs_period_us'), '100000\n');
    assert.equal(h.read(c, 'cpu.cfs_quota_us'), '-1\n');
    assert.equal(h.read(c, 'cpu.idle'), '0\n');
    assert.equal(h.read(c, 'cpu.rt_period_us'), '1000000\n');
    assert.equal(h.read(c, 'cpu.rt_runtime_us'), '0\n');
    assert.equal(h.read(c, 'cpu.shares'), '1024\n');
    assert.equal(h.read(c, 'cpu.stat'), 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n');
    assert.equal(h.read(c, 'cpu.stat.local'), 'throttled_time 0\n');
    assert.equal(h.read(h.root, 'cpu.rt_runtime_us'), '950000\n');
    assert.deepEqual(h.fileNames(h.root), h.fileNames(c));
  });

  it('cpu.shares parses like kstrtoull and clamps silently', () => {
    const h = new Harness(cpu, 1);
    const c = h.mkdir(h.root, 'c');
    const cases: [string, string][] = [
      ['1', '2\n'], ['0', '2\n'], ['300000', '262144\n'], ['0x10', '16\n'], ['1024\n', '1024\n'],
    ];
    for (const [w, r] of cases) {
      assert.equal(h.tryWrite(c, 'cpu.shares', w), 'OK', w);
      assert.equal(h.read(c, 'cpu.shares'), r, w);
    }
    for (const bad of ['-5', 'abc', ' 512 ', '1e3', '1024\n\n']) assert.equal(h.tryWrite(c, 'cpu.shares', bad), 'EINVAL', bad);
    // measured on 6.18: overflow is ERANGE even with garbage after it; one sign only; U+00A0 is not blank
    for (const [w, e] of [['99999999999999999999x', 'ERANGE'], ['18446744073709551616zz', 'ERANGE'], ['-+5', 'EINVAL'], ['2048\u00a0', 'EINVAL']]) {
      assert.equal(h.tryWrite(c, 'cpu.shares', w!), e, w);
    }
    assert.equal(h.tryWrite(h.root, 'cpu.shares', '512'), 'EINVAL');
  });

  it('cfs quota/period/burst bounds', () => {
    const h = new Harness(cpu, 1);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string][] = [
      ['cpu.cfs_quota_us', '999', 'EINVAL'], ['cpu.cfs_quota_us', '1000', 'OK'], ['cpu.cfs_quota_us', '-5', 'OK'],
      ['cpu.cfs_quota_us', 'abc', 'EINVAL'], ['cpu.cfs_quota_us', '17592186044416', 'EINVAL'],
      ['cpu.cfs_quota_us', '17592186044415', 'OK'], ['cpu.cfs_quota_us', '99999999999999999999', 'ERANGE'],
      ['cpu.cfs_period_us', '999', 'EINVAL'], ['cpu.cfs_period_us', '1000001', 'EINVAL'], ['cpu.cfs_period_us', '1000000', 'OK'],
      ['cpu.cfs_period_us', '0', 'EINVAL'], ['cpu.cfs_period_us', '-1', 'EINVAL'], ['cpu.cfs_period_us', '100000', 'OK'],
      ['cpu.cfs_burst_us', '5', 'EINVAL'], // quota 2^44-1: burst + quota > MAX_BW
      ['cpu.cfs_quota_us', '50000', 'OK'], ['cpu.cfs_burst_us', '60000', 'EINVAL'], ['cpu.cfs_burst_us', '50000', 'OK'],
      ['cpu.cfs_burst_us', '-1', 'EINVAL'], ['cpu.cfs_quota_us', '40000', 'EINVAL'], ['cpu.cfs_burst_us', '0', 'OK'],
      ['cpu.cfs_quota_us', '-1', 'OK'], ['cpu.cfs_burst_us', '1000000', 'OK'], ['cpu.cfs_burst_us', '18446744073710', 'OK'],
      ['cpu.cfs_burst_us', '18446744073709551615', 'EINVAL'], ['cpu.cfs_period_us', '18446744073709552000', 'ERANGE'],
      // measured on 6.18 (write_s64 = kstrtoll): no '+' after the '-'
      ['cpu.cfs_quota_us', '-+5', 'EINVAL'], ['cpu.cfs_quota_us', '+-5', 'EINVAL'], ['cpu.cfs_quota_us', '-+1', 'EINVAL'],
    ];
    for (const [f, v, e] of seq) assert.equal(h.tryWrite(c, f, v), e, `${f} <- ${v}`);
    assert.equal(h.read(c, 'cpu.cfs_quota_us'), '-1\n');
    assert.equal(h.read(c, 'cpu.cfs_burst_us'), '18446744073710\n');
    assert.equal(h.tryWrite(h.root, 'cpu.cfs_quota_us', '50000'), 'EINVAL');
  });

  it('v1: a child may not get more normalized quota than its parent', () => {
    const h = new Harness(cpu, 1);
    const t = h.mkdir(h.root, 't');
    const c1 = h.mkdir(t, 'c1');
    const seq: [typeof t, string, string, string][] = [
      [t, 'cpu.cfs_quota_us', '50000', 'OK'], [c1, 'cpu.cfs_quota_us', '60000', 'EINVAL'],
      [c1, 'cpu.cfs_quota_us', '50000', 'OK'], [c1, 'cpu.cfs_quota_us', '40000', 'OK'],
      [t, 'cpu.cfs_quota_us', '30000', 'EINVAL'], [c1, 'cpu.cfs_period_us', '50000', 'EINVAL'],
      [c1, 'cpu.cfs_period_us', '200000', 'OK'], [t, 'cpu.cfs_quota_us', '30000', 'OK'],
      [t, 'cpu.cfs_quota_us', '-1', 'OK'], [c1, 'cpu.cfs_quota_us', '200000', 'OK'],
      [t, 'cpu.cfs_quota_us', '50000', 'EINVAL'], [c1, 'cpu.cfs_quota_us', '-1', 'OK'], [t, 'cpu.cfs_quota_us', '50000', 'OK'],
    ];
    for (const [css, f, v, e] of seq) assert.equal(h.tryWrite(css, f, v), e, `${css.cgroup.path} ${f} <- ${v}`);
    const g = h.mkdir(c1, 'g');
    assert.equal(h.tryWrite(g, 'cpu.cfs_quota_us', '60000'), 'EINVAL');
    assert.equal(h.tryWrite(g, 'cpu.cfs_quota_us', '40000'), 'OK');
    assert.equal(h.tryWrite(t, 'cpu.cfs_quota_us', '30000'), 'EINVAL');
  });

  it('cpu.idle forces the weight and resets it', () => {
    const h = new Harness(cpu, 1);
    const c = h.mkdir(h.root, 'c');
    h.write(c, 'cpu.shares', '512');
    for (const bad of ['2', '-1', ' 1']) assert.equal(h.tryWrite(c, 'cpu.idle', bad), 'EINVAL', bad);
    h.write(c, 'cpu.idle', '1');
    assert.equal(h.read(c, 'cpu.shares'), '3\n');
    assert.equal(h.tryWrite(c, 'cpu.shares', '100'), 'EINVAL');
    h.write(c, 'cpu.idle', '0');
    assert.equal(h.read(c, 'cpu.shares'), '1024\n');
    h.write(c, 'cpu.idle', '0x1');
    assert.equal(h.read(c, 'cpu.idle'), '1\n');
    assert.equal(h.tryWrite(h.root, 'cpu.idle', '1'), 'EINVAL');
  });

  it('RT bandwidth: runtime <= period, children sum <= parent', () => {
    const h = new Harness(cpu, 1);
    const t = h.mkdir(h.root, 't');
    const c1 = h.mkdir(t, 'c1');
    const c2 = h.mkdir(t, 'c2');
    const seq: [typeof t, string, string, string][] = [
      [c1, 'cpu.rt_runtime_us', '10', 'EINVAL'], [t, 'cpu.rt_runtime_us', '500000', 'OK'],
      [c1, 'cpu.rt_runtime_us', '300000', 'OK'], [c2, 'cpu.rt_runtime_us', '300000', 'EINVAL'],
      [c2, 'cpu.rt_runtime_us', '200000', 'OK'], [t, 'cpu.rt_runtime_us', '400000', 'EINVAL'],
      [c2, 'cpu.rt_runtime_us', 'abc', 'EINVAL'], [c2, 'cpu.rt_runtime_us', '2000000', 'EINVAL'],
      [c2, 'cpu.rt_period_us', '100000', 'EINVAL'], [c2, 'cpu.rt_period_us', '400000', 'EINVAL'],
      [c2, 'cpu.rt_period_us', '18446744073709551615', 'EINVAL'], [c2, 'cpu.rt_period_us', '4294967296000', 'OK'],
      [c2, 'cpu.rt_period_us', '1000000', 'OK'], [c2, 'cpu.rt_runtime_us', '-1', 'EINVAL'],
      [c2, 'cpu.rt_period_us', '0', 'EINVAL'], [t, 'cpu.rt_runtime_us', '960000', 'EINVAL'],
      [h.root, 'cpu.rt_runtime_us', '0', 'EINVAL'],
    ];
    for (const [css, f, v, e] of seq) assert.equal(h.tryWrite(css, f, v), e, `${css.cgroup.path} ${f} <- ${v}`);
    assert.equal(h.read(c2, 'cpu.rt_period_us'), '1000000\n');
  });
});

describe('cpu v2', () => {
  it('has no knobs on the root and the kernel defaults below it', () => {
    const h = new Harness(cpu, 2);
    assert.deepEqual(h.fileNames(h.root), []);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), ['cpu.idle', 'cpu.max', 'cpu.max.burst', 'cpu.weight', 'cpu.weight.nice']);
    assert.equal(h.read(c, 'cpu.weight'), '100\n');
    assert.equal(h.read(c, 'cpu.weight.nice'), '0\n');
    assert.equal(h.read(c, 'cpu.max'), 'max 100000\n');
    assert.equal(h.read(c, 'cpu.max.burst'), '0\n');
  });

  it('cpu.weight range is ERANGE, idle group is EINVAL', () => {
    const h = new Harness(cpu, 2);
    const c = h.mkdir(h.root, 'c');
    assert.equal(h.tryWrite(c, 'cpu.weight', '0'), 'ERANGE');
    assert.equal(h.tryWrite(c, 'cpu.weight', '10001'), 'ERANGE');
    assert.equal(h.tryWrite(c, 'cpu.weight', 'x'), 'EINVAL');
    h.write(c, 'cpu.weight', '1');
    assert.equal(h.read(c, 'cpu.weight'), '1\n');
    h.write(c, 'cpu.weight', '10000');
    assert.equal(h.read(c, 'cpu.weight'), '10000\n');
    h.write(c, 'cpu.weight', '250');
    assert.equal(h.read(c, 'cpu.weight'), '250\n');
    h.write(c, 'cpu.idle', '1');
    assert.equal(h.read(c, 'cpu.weight'), '1\n');
    assert.equal(h.tryWrite(c, 'cpu.weight', '0'), 'ERANGE');
    assert.equal(h.tryWrite(c, 'cpu.weight', '100'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'cpu.weight.nice', '0'), 'EINVAL');
    h.write(c, 'cpu.idle', '0');
    assert.equal(h.read(c, 'cpu.weight'), '100\n');
  });

  it('cpu.weight.nice sets the table weight and reads back the closest nice', () => {
    const h = new Harness(cpu, 2);
    const c = h.mkdir(h.root, 'c');
    for (const n of [-20, -1, 0, 5, 19]) {
      h.write(c, 'cpu.weight.nice', `${n}`);
      assert.equal(h.read(c, 'cpu.weight.nice'), `${n}\n`);
    }
    h.write(c, 'cpu.weight.nice', '-20');
    assert.equal(h.read(c, 'cpu.weight'), '8668\n');
    h.write(c, 'cpu.weight', '50');
    assert.equal(h.read(c, 'cpu.weight.nice'), '3\n');
    assert.equal(h.tryWrite(c, 'cpu.weight.nice', '20'), 'ERANGE');
    assert.equal(h.tryWrite(c, 'cpu.weight.nice', '-21'), 'ERANGE');
  });

  it('cpu.max parses "$MAX [$PERIOD]" and enforces the bounds with EINVAL', () => {
    const h = new Harness(cpu, 2);
    const p = h.mkdir(h.root, 'p');
    const c = h.mkdir(p, 'c');
    h.write(c, 'cpu.max', '50000 200000');
    assert.equal(h.read(c, 'cpu.max'), '50000 200000\n');
    h.write(c, 'cpu.max', '60000');
    assert.equal(h.read(c, 'cpu.max'), '60000 200000\n');
    h.write(c, 'cpu.max', 'max');
    assert.equal(h.read(c, 'cpu.max'), 'max 200000\n');
    h.write(c, 'cpu.max', '200000 100000\n');
    assert.equal(h.read(c, 'cpu.max'), '200000 100000\n');
    for (const bad of ['', 'abc', '-5 100000', '999', '1000 999', '1000 1000001', '17592186044416', 'MAX']) {
      assert.equal(h.tryWrite(c, 'cpu.max', bad), 'EINVAL', bad);
    }
    h.write(p, 'cpu.max', '10000 100000');
    assert.equal(h.tryWrite(c, 'cpu.max', '90000 100000'), 'OK', 'v2 allows a child above its parent');
    h.write(c, 'cpu.max.burst', '90000');
    assert.equal(h.tryWrite(c, 'cpu.max.burst', '90001'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'cpu.max', '80000'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'cpu.max', '18446744073709551615 100000'), 'OK', 'RUNTIME_INF');
    assert.equal(h.read(c, 'cpu.max'), 'max 100000\n');
  });

  it('parseCpuMax keeps the period when only the quota is given', () => {
    assert.deepEqual(parseCpuMax('  5000', { periodUs: 7000n }), { quotaUs: 5000n, periodUs: 7000n });
    assert.deepEqual(parseCpuMax('max 20000', { periodUs: 7000n }), { quotaUs: 'max', periodUs: 20000n });
  });

  it('exports the v2 cpu.stat and cpu.stat.local keys of its counters', () => {
    const h = new Harness(cpu, 2);
    const c = h.mkdir(h.root, 'c');
    c.state.stats.nrPeriods = 7n;
    c.state.stats.throttledNs = 12345678n;
    c.state.stats.throttledSelfNs = 2000n;
    assert.deepEqual(cpuStatV2Extra(c), [['nr_periods', 7n], ['nr_throttled', 0n], ['throttled_usec', 12345n], ['nr_bursts', 0n], ['burst_usec', 0n]]);
    assert.deepEqual(cpuStatLocalV2Extra(c), [['throttled_usec', 2n]]);
  });
});
