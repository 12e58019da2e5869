import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonText } from './group-output.js';
import { formatSettingValue, parseAssignments, parseSettingValue, parseSize } from './setting-args.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('setting values from the command line', () => {
  it('sizes take K/M/G/T suffixes (KiB spellings too) and are exact', () => {
    assert.equal(parseSize('memory.max', '4096'), 4096n);
    assert.equal(parseSize('memory.max', '512M'), 512n << 20n);
    assert.equal(parseSize('memory.max', '2g'), 2n << 30n);
    assert.equal(parseSize('memory.max', '1GiB'), 1n << 30n);
    assert.equal(parseSize('memory.max', '3T'), 3n << 40n);
    assert.equal(parseSize('memory.max', '18446744073709551615'), 18446744073709551615n);
    for (const bad of ['1.5G', '-1', '', 'G', '12Q', '0x100']) assert.equal(code(() => parseSize('memory.max', bad)), 'EINVAL', bad);
    assert.equal(parseSettingValue('memory.high', 'max'), 'max');
  });

  it('cpu.max: QUOTA/PERIOD, "QUOTA PERIOD", max, or a quota alone', () => {
    assert.deepEqual(parseSettingValue('cpu.max', '50000/100000'), { quotaUs: 50000, periodUs: 100000 });
    assert.deepEqual(parseSettingValue('cpu.max', '50000 100000'), { quotaUs: 50000, periodUs: 100000 });
    assert.deepEqual(parseSettingValue('cpu.max', 'max'), { quotaUs: 'max' });
    assert.deepEqual(parseSettingValue('cpu.max', 'max/20000'), { quotaUs: 'max', periodUs: 20000 });
    assert.deepEqual(parseSettingValue('cpu.max', '7000'), { quotaUs: 7000 });
    for (const bad of ['', '/100', '50000/', '1/2/3', 'half', '-5/100000']) assert.equal(code(() => parseSettingValue('cpu.max', bad)), 'EINVAL', bad);
  });

  it('lists, booleans, numbers, max', () => {
    assert.deepEqual(parseSettingValue('cpuset.cpus', '0-2,5'), [0, 1, 2, 5]);
    assert.deepEqual(parseSettingValue('cpuset.mems', ''), []);
    assert.equal(code(() => parseSettingValue('cpuset.cpus', '3-1')), 'EINVAL');
    assert.equal(parseSettingValue('cpu.idle', '1'), true);
    assert.equal(parseSettingValue('cpu.idle', 'false'), false);
    assert.equal(code(() => parseSettingValue('cpu.idle', '2')), 'EINVAL');
    assert.equal(parseSettingValue('cpu.weight.nice', '-5'), -5);
    assert.equal(code(() => parseSettingValue('cpu.weight', '-5')), 'EINVAL');
    assert.equal(code(() => parseSettingValue('cpu.weight', '99999999999999999999')), 'ERANGE');
    assert.equal(parseSettingValue('pids.max', 'max'), 'max');
    assert.equal(parseSettingValue('pids.max', '64'), 64);
  });

  it('KEY=VALUE lists: unknown keys and missing = are EINVAL; the last of a repeated key wins', () => {
    assert.deepEqual([...parseAssignments(['cpu.weight=5', 'pids.max=9', 'cpu.weight=7'])], [['cpu.weight', 7], ['pids.max', 9]]);
    assert.equal(code(() => parseAssignments(['cpu.weight'])), 'EINVAL');
    assert.equal(code(() => parseAssignments(['=5'])), 'EINVAL');
    assert.equal(code(() => parseAssignments(['memory.limit_in_bytes=5'])), 'EINVAL');
  });

  it('printed values parse back to the same value', () => {
    const cases: [Parameters<typeof formatSettingValue>[0], string][] = [
      ['cpu.max', '25000/50000'], ['cpu.max', 'max/100000'], ['cpuset.cpus', '0-3,7'], ['cpu.idle', '1'],
      ['memory.max', '1073741824'], ['memory.low', 'max'], ['pids.max', '12'], ['cpu.weight', '100'],
    ];
    for (const [key, text] of cases) assert.equal(formatSettingValue(key, parseSettingValue(key, text)), text, key);
  });
});

describe('JSON output', () => {
  it('bigints are bare integer literals with every digit', () => {
    const big = (1n << 60n) + 4097n;
    assert.equal(jsonText({ a: big, b: [1n, 'x'], c: undefined, d: null }), `{"a":${big},"b":[1,"x"],"d":null}`);
    assert.equal(jsonText({ a: { b: 2n } }, 2), '{\n  "a": {\n    "b": 2\n  }\n}');
    assert.equal(jsonText(new Map([['k', 3n]])), '{"k":3}');
  });
});
