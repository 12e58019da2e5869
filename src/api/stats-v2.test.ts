import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuStatsFromV2, ioStatsFromV2, memoryStatsFromV2, pidsStatsFromTexts, pressureFromText } from './stats-v2.js';

test('cpu.stat: usage and throttling by key; without the throttling keys, usage alone', () => {
  const s = cpuStatsFromV2('usage_usec 999000\nuser_usec 990000\nsystem_usec 9000\nnice_usec 0\n' +
    'nr_periods 10\nnr_throttled 9\nthrottled_usec 800000\nnr_bursts 1\nburst_usec 70\n');
  assert.deepEqual(s, {
    usageUsec: 999000n, userUsec: 990000n, systemUsec: 9000n, nrPeriods: 10n, nrThrottled: 9n, throttledUsec: 800000n, nrBursts: 1n, burstUsec: 70n,
  });
  // The host's unified root: the cpu controller is bound to v1, so only the core's counters.
  assert.deepEqual(cpuStatsFromV2('usage_usec 6254941562\nuser_usec 5774413997\nsystem_usec 480527564\nnice_usec 432000\n'),
    { usageUsec: 6254941562n, userUsec: 5774413997n, systemUsec: 480527564n });
  assert.throws(() => cpuStatsFromV2('usage_usec 1\nuser_usec 1\nsystem_usec 0\nnr_periods 1\n'), { code: 'EINVAL' });
  assert.throws(() => cpuStatsFromV2('nr_periods 1\nnr_throttled 0\nthrottled_usec 0\n'), { code: 'EINVAL' });
});

test('memory: counters over 2^53 stay exact, max and events by key', () => {
  const m = memoryStatsFromV2({
    'memory.current': '9007199254740993\n',
    'memory.max': 'max\n',
    'memory.events': 'low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 0\nsock_throttled 0\n',
    'memory.stat': 'anon 4096\nfile 8192\nkernel 0\nsock 0\nshmem 0\npgfault 12\n',
  });
  assert.equal(m.current, 9007199254740993n);
  assert.equal(m.max, 'max');
  assert.deepEqual(m.events, { low: 1n, high: 2n, max: 3n, oom: 4n, oomKill: 5n });
  assert.equal(m.stat.file, 8192n);
  assert.ok(!('peak' in m));
  const limited = memoryStatsFromV2({
    'memory.current': '0\n', 'memory.max': '1073741824\n', 'memory.events': 'low 0\nhigh 0\nmax 0\noom_kill 0\n', 'memory.stat': '', 'memory.peak': '8192\n',
  });
  assert.equal(limited.max, 1073741824n);
  assert.equal(limited.peak, 8192n);
  assert.ok(!('oom' in limited.events));
});

test('pids', () => {
  assert.deepEqual(pidsStatsFromTexts({ 'pids.current': '3\n', 'pids.max': '10\n', 'pids.events': 'max 2\n', 'pids.peak': '7\n' }),
    { current: 3n, max: 10n, peak: 7n, events: { max: 2n } });
  assert.deepEqual(pidsStatsFromTexts({ 'pids.current': '0\n', 'pids.max': 'max\n', 'pids.events': 'max 0\n' }),
    { current: 0n, max: 'max', events: { max: 0n } });
});

test('io.stat: devices by key; a bare device line counted nothing', () => {
  assert.deepEqual(ioStatsFromV2('8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 \n'), {
    devices: [
      { device: '8:16', rbytes: 1459200n, wbytes: 314773504n, rios: 192n, wios: 353n },
      { device: '8:0', rbytes: 0n, wbytes: 0n, rios: 0n, wios: 0n },
    ],
  });
  assert.throws(() => ioStatsFromV2('8:16 rbytes=1 wbytes=2\n'), { code: 'EINVAL' });
});

test('pressure, from the host unified root', () => {
  assert.deepEqual(pressureFromText('some avg10=0.00 avg60=0.00 avg300=0.00 total=24430\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=14177\n'), {
    some: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 24430n },
    full: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 14177n },
  });
  assert.deepEqual(pressureFromText('some avg10=0.48 avg60=0.33 avg300=5.99 total=1371492113\n').some.avg300, 5.99);
  assert.throws(() => pressureFromText('full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n'), { code: 'EINVAL' });
});
