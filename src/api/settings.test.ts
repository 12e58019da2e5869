import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planWrites, readSetting, type SettingKey, type Settings, writeSettings } from './settings.js';
import { failure, LAYOUTS, MACHINE, makeGroup, simGroup, snapshot, spawnIn } from './settings-stats.test-util.js';

const V2_ONLY: Settings = {
  'memory.high': 512n << 20n,
  'memory.low': 64n << 20n,
  'memory.min': 'max',
  'memory.swap.max': 0n,
  'io.weight': 300,
};

/** Steps of settings applied one after another; each is read back after it is written. */
const ROUND_TRIPS: Settings[] = [
  {
    'cpu.weight': 250,
    'cpu.max': { quotaUs: 50000, periodUs: 200000 },
    'cpu.max.burst': 10000,
    'cpuset.cpus': [1],
    'cpuset.mems': [0],
    'memory.max': 1n << 30n,
    'pids.max': 42,
  },
  { 'cpu.weight.nice': 5, 'cpu.max': { quotaUs: 'max', periodUs: 100000 }, 'cpu.max.burst': 0, 'memory.max': 'max', 'pids.max': 'max' },
  { 'cpu.idle': true, 'cpuset.cpus': [0, 1] },
  { 'cpu.idle': false, 'cpu.weight': 10000, 'cpu.max': { quotaUs: 1000, periodUs: 1000 } },
];

async function readBack(g: Awaited<ReturnType<typeof simGroup>>, s: Settings): Promise<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s) as SettingKey[]) out[k] = await readSetting(g.k.fs, g.dirs, k);
  return out as Settings;
}

for (const layout of LAYOUTS) {
  describe(`settings on a ${layout} kernel`, () => {
    test('every key reads back what was set', async () => {
      const g = await simGroup(layout);
      const steps = layout === 'unified' ? [...ROUND_TRIPS, V2_ONLY] : ROUND_TRIPS;
      for (const s of steps) {
        await writeSettings(g.k.fs, g.dirs, s, MACHINE);
        assert.deepEqual(await readBack(g, s), s);
      }
    });

    test('weights, nice values and idle read back as the kernel derives them', async () => {
      const g = await simGroup(layout);
      await writeSettings(g.k.fs, g.dirs, { 'cpu.weight.nice': -20 });
      assert.equal(await readSetting(g.k.fs, g.dirs, 'cpu.weight'), 8668);
      await writeSettings(g.k.fs, g.dirs, { 'cpu.idle': true });
      assert.equal(await readSetting(g.k.fs, g.dirs, 'cpu.weight'), 1);
    });

    const BAD: [string, Settings, string, string][] = [
      ['cpu.weight 0', { 'cpu.weight': 0 }, 'ERANGE', '0'],
      ['cpu.weight 10001', { 'cpu.weight': 10001 }, 'ERANGE', '10001'],
      ['cpu.weight -1', { 'cpu.weight': -1 }, 'ERANGE', ''],
      ['cpu.weight 1.5', { 'cpu.weight': 1.5 }, 'EINVAL', '1.5'],
      ["cpu.weight 'x'", { 'cpu.weight': 'x' as unknown as number }, 'EINVAL', 'x'],
      ['cpu.weight.nice 20', { 'cpu.weight.nice': 20 }, 'ERANGE', '20'],
      ['cpu.max quota 500', { 'cpu.max': { quotaUs: 500, periodUs: 100000 } }, 'EINVAL', '500 100000'],
      ['cpu.max period 0', { 'cpu.max': { quotaUs: 'max', periodUs: 0 } }, 'EINVAL', 'max 0'],
      ['cpu.max.burst over the quota', { 'cpu.max': { quotaUs: 5000, periodUs: 10000 }, 'cpu.max.burst': 6000 }, 'EINVAL', ''],
      ['cpu.idle 1', { 'cpu.idle': 1 as unknown as boolean }, 'EINVAL', ''],
      ['memory.max -5n', { 'memory.max': -5n }, 'EINVAL', '-5'],
      ['memory.max 5 (a number)', { 'memory.max': 5 as unknown as bigint }, 'EINVAL', ''],
      ['pids.max -1', { 'pids.max': -1 }, 'EINVAL', '-1'],
      ['pids.max NaN', { 'pids.max': NaN }, 'EINVAL', ''],
      ['cpuset.cpus [9999]', { 'cpuset.cpus': [9999] }, 'ERANGE', '9999'],
      ['cpuset.cpus [-1]', { 'cpuset.cpus': [-1] }, 'EINVAL', ''],
    ];
    for (const [name, bad, code, raw] of BAD) {
      test(`${name} is ${code} and nothing is written`, async () => {
        const g = await simGroup(layout);
        const before = await snapshot(g.k.fs, g.dirs);
        const good: Settings = { 'pids.max': 7, 'memory.max': 1n << 30n, 'cpu.idle': false, 'cpuset.mems': [0] };
        const e = await failure(writeSettings(g.k.fs, g.dirs, { ...good, ...bad }, MACHINE));
        assert.equal(e.code, code, e.message);
        const key = Object.keys(bad).at(-1)!;
        assert.match(e.message, new RegExp(key.replace(/\./g, '\\.')));
        assert.deepEqual(await snapshot(g.k.fs, g.dirs), before);
        assert.equal((await failure(() => planWrites(g.dirs, bad, MACHINE))).code, code);
        if (layout === 'unified' && raw !== '') {
          // The kernel answers the same text with the same errno.
          const direct = await failure(g.k.fs.writeFile(`${g.dirs.v2!.dir}/${key}`, raw));
          assert.equal(direct.code, code);
        }
      });
    }

    test('a key the group does not span is ENOENT; unknown keys and contradictions are EINVAL', async () => {
      const { k } = await simGroup(layout);
      const memOnly = await makeGroup(k, '/m', ['memory']);
      assert.equal((await failure(() => planWrites(memOnly, { 'cpu.weight': 100 }))).code, 'ENOENT');
      assert.equal((await failure(readSetting(k.fs, memOnly, 'pids.max'))).code, 'ENOENT');
      const dirs = await makeGroup(k, '/n');
      assert.equal((await failure(() => planWrites(dirs, { 'cpu.shares': 100 } as Settings))).code, 'EINVAL');
      assert.equal((await failure(() => planWrites(dirs, { 'cpu.weight': 100, 'cpu.weight.nice': 0 }))).code, 'EINVAL');
      assert.equal((await failure(() => planWrites(dirs, { 'cpu.idle': true, 'cpu.weight': 100 }))).code, 'EINVAL');
    });

    test('a quota/period change under a limited parent passes through no invalid state', async () => {
      const { k } = await simGroup(layout);
      const parent = await makeGroup(k, '/p');
      const child = await makeGroup(k, '/p/c');
      await writeSettings(k.fs, parent, { 'cpu.max': { quotaUs: 50000, periodUs: 100000 } });
      await writeSettings(k.fs, child, { 'cpu.max': { quotaUs: 50000, periodUs: 100000 }, 'cpu.max.burst': 40000 });
      for (const next of [{ quotaUs: 25000, periodUs: 50000 }, { quotaUs: 100000, periodUs: 200000 }, { quotaUs: 2000, periodUs: 4000 }]) {
        await writeSettings(k.fs, child, { 'cpu.max': next, 'cpu.max.burst': next.quotaUs / 2 });
        assert.deepEqual(await readSetting(k.fs, child, 'cpu.max'), next);
        assert.equal(await readSetting(k.fs, child, 'cpu.max.burst'), next.quotaUs / 2);
      }
    });
  });
}

describe('settings on cgroup v1 only', () => {
  test('v2-only keys are ENOTSUP, naming the key', async () => {
    const g = await simGroup('hybrid');
    for (const key of Object.keys(V2_ONLY) as SettingKey[]) {
      const e = await failure(() => planWrites(g.dirs, { [key]: V2_ONLY[key] }));
      assert.equal(e.code, 'ENOTSUP');
      assert.ok(e.message.includes(key), e.message);
      assert.equal((await failure(readSetting(g.k.fs, g.dirs, key))).code, 'ENOTSUP');
    }
  });

  test('the v1 files hold the converted values', async () => {
    const g = await simGroup('hybrid');
    const plan = planWrites(g.dirs, { 'cpu.weight': 250, 'cpu.max': { quotaUs: 50000, periodUs: 200000 }, 'memory.max': 'max' });
    assert.deepEqual(plan.map((w) => [w.path, w.text]), [
      ['/sys/fs/cgroup/cpu/g/cpu.shares', '2560'],
      ['/sys/fs/cgroup/cpu/g/cpu.cfs_quota_us', '-1'],
      ['/sys/fs/cgroup/cpu/g/cpu.cfs_period_us', '200000'],
      ['/sys/fs/cgroup/cpu/g/cpu.cfs_quota_us', '50000'],
      ['/sys/fs/cgroup/memory/g/memory.limit_in_bytes', '-1'],
    ]);
    await writeSettings(g.k.fs, g.dirs, { 'cpu.weight': 250, 'cpu.max': { quotaUs: 50000, periodUs: 200000 } });
    assert.equal(await g.k.fs.readFile('/sys/fs/cgroup/cpu/g/cpu.shares'), '2560\n');
    assert.equal(await g.k.fs.readFile('/sys/fs/cgroup/cpu/g/cpu.cfs_quota_us'), '50000\n');
  });

  test('a write the kernel refuses midway puts back what was already written', async () => {
    const g = await simGroup('hybrid');
    await spawnIn(g, 'sleep 1ms; alloc 64M; hog');
    g.k.runSync(10_000_000);
    const e = await failure(writeSettings(g.k.fs, g.dirs, { 'cpu.weight': 500, 'pids.max': 9, 'memory.max': 1n << 20n }));
    assert.equal(e.code, 'EBUSY');
    assert.equal(await g.k.fs.readFile('/sys/fs/cgroup/cpu/g/cpu.shares'), '1024\n');
    assert.equal(await g.k.fs.readFile('/sys/fs/cgroup/pids/g/pids.max'), 'max\n');
  });
});
