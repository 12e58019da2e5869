import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import { placeGroup } from './group-dirs.js';
import { readStats, type CgroupStats } from './stats.js';
import { failure, LAYOUTS, makeGroup, simGroup, spawnIn, type TestLayout } from './settings-stats.test-util.js';
import { SimKernel } from './sim-kernel.js';

const MiB = 1n << 20n;

async function busyGroup(layout: TestLayout): Promise<CgroupStats> {
  const g = await simGroup(layout);
  await spawnIn(g, 'sleep 1ms; alloc 64M; hog');
  g.k.runSync(1_000_000_000);
  return readStats(g.k.fs, g.dirs);
}

/** Every field path of a value (`memory.events.max`), memory.stat's keys left out. */
function shape(v: unknown, at = ''): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [at];
  return Object.entries(v).flatMap(([k, x]) => (`${at}.${k}` === '.memory.stat' ? [`${at}.${k}`] : shape(x, `${at}.${k}`)));
}

describe('statistics after a hog ran', () => {
  for (const layout of LAYOUTS) {
    test(`${layout}: cpu, memory and pids count what the task did`, async () => {
      const s = await busyGroup(layout);
      assert.equal(s.path, '/g');
      assert.ok(s.cpu && s.cpu.usageUsec > 0n, `usage ${s.cpu?.usageUsec}`);
      assert.ok(s.cpu.userUsec + s.cpu.systemUsec > 0n);
      assert.equal(s.cpu.nrThrottled, 0n);
      assert.ok(s.memory && s.memory.current >= 64n * MiB, `current ${s.memory?.current}`);
      assert.ok(s.memory.peak !== undefined && s.memory.peak >= s.memory.current);
      assert.equal(s.memory.max, 'max');
      assert.ok((s.memory.stat.anon ?? 0n) >= 64n * MiB, `anon ${s.memory.stat.anon}`);
      assert.equal(s.memory.events.oomKill, 0n);
      assert.deepEqual(s.pids, { current: 1n, max: 'max', peak: 1n, events: { max: 0n } });
      assert.ok(s.io && Array.isArray(s.io.devices));
      assert.ok(s.pressure?.cpu && typeof s.pressure.cpu.some.totalUsec === 'bigint');
    });
  }

  test('v1 and v2 give the same shape, but for the fields one of them lacks', async () => {
    const [v2, v1] = [await busyGroup('unified'), await busyGroup('hybrid')];
    const a = new Set(shape(v2));
    const b = new Set(shape(v1));
    assert.deepEqual([...a].filter((p) => !b.has(p)), ['.memory.events.oom']);
    assert.deepEqual([...b].filter((p) => !a.has(p)), ['.memory.underOom']);
    assert.ok(Object.keys(v1.memory!.stat).every((k) => k in v2.memory!.stat), 'v1 memory.stat keys are v2 names');
  });

  test('bandwidth throttling is counted on both versions', async () => {
    for (const layout of LAYOUTS) {
      const g = await simGroup(layout);
      const cpu = g.dirs.dirOf('cpu')!;
      if (cpu.version === 2) await g.k.fs.writeFile(`${cpu.dir}/cpu.max`, '10000 100000');
      else await g.k.fs.writeFile(`${cpu.dir}/cpu.cfs_quota_us`, '10000');
      await spawnIn(g, 'hog');
      g.k.runSync(1_000_000_000);
      const s = await readStats(g.k.fs, g.dirs);
      const { nrPeriods, nrThrottled, throttledUsec } = s.cpu!;
      assert.ok(nrPeriods !== undefined && nrThrottled !== undefined && throttledUsec !== undefined, `${layout}: throttling counters are there`);
      assert.ok(nrThrottled > 0n && throttledUsec > 0n, `${layout}: ${nrThrottled}`);
      assert.ok(nrPeriods >= nrThrottled);
      assert.ok(s.cpu!.usageUsec <= 150_000n, `${layout}: ${s.cpu!.usageUsec} µs under a 10% limit`);
    }
  });
});

/** A CgroupFs that fails reads of files whose name matches. */
function failingReads(fs: CgroupFs, name: string, code: 'ENOENT' | 'EACCES' | 'EIO'): CgroupFs {
  return new Proxy(fs, {
    get(target, prop, recv) {
      if (prop === 'readFile') {
        return async (p: string) => {
          if (p.endsWith(`/${name}`)) throw new CgroupError(code, 'read', p);
          return target.readFile(p);
        };
      }
      const v = Reflect.get(target, prop, recv) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('what readStats does with missing and failing files', () => {
  for (const layout of LAYOUTS) {
    test(`${layout}: a missing optional file leaves its field out; other failures are thrown`, async () => {
      const g = await simGroup(layout);
      const peak = layout === 'unified' ? 'memory.peak' : 'memory.max_usage_in_bytes';
      const s = await readStats(failingReads(g.k.fs, peak, 'ENOENT'), g.dirs);
      assert.ok(s.memory && !('peak' in s.memory));
      assert.equal(s.memory.current, 0n);
      assert.equal((await failure(readStats(failingReads(g.k.fs, peak, 'EACCES'), g.dirs))).code, 'EACCES');
      assert.equal((await failure(readStats(failingReads(g.k.fs, 'memory.stat', 'EIO'), g.dirs))).code, 'EIO');
      assert.equal((await failure(readStats(failingReads(g.k.fs, 'cpu.pressure', 'EACCES'), g.dirs))).code, 'EACCES');
      const noPsi = await readStats(failingReads(g.k.fs, 'cpu.pressure', 'ENOENT'), g.dirs);
      assert.ok(noPsi.pressure && !('cpu' in noPsi.pressure) && noPsi.pressure.memory);
    });

    test(`${layout}: a group that does not exist is ENOENT`, async () => {
      const k = new SimKernel({ layout });
      const e = await failure(readStats(k.fs, placeGroup(k.layout, '/nowhere')));
      assert.equal(e.code, 'ENOENT');
    });
  }

  test('on v2 a part is there only where its controller is enabled; CPU usage always is', async () => {
    const k = new SimKernel({ layout: 'unified' });
    await k.fs.writeFile('/sys/fs/cgroup/cgroup.subtree_control', '+pids');
    await k.fs.mkdir('/sys/fs/cgroup/only-pids');
    k.spawn({ cgroup: '/sys/fs/cgroup/only-pids', program: 'hog' });
    k.runSync(200_000_000);
    const s = await readStats(k.fs, placeGroup(k.layout, '/only-pids'));
    assert.deepEqual(Object.keys(s).sort(), ['cpu', 'path', 'pids', 'pressure']);
    // cpu.stat is a core file: usage without the cpu controller, no throttling counters.
    assert.deepEqual(Object.keys(s.cpu!).sort(), ['systemUsec', 'usageUsec', 'userUsec']);
    assert.ok(s.cpu!.usageUsec > 100_000n, `usage ${s.cpu!.usageUsec} µs`);
  });

  test('a group that spans fewer controllers has fewer parts', async () => {
    const { k } = await simGroup('hybrid');
    const dirs = await makeGroup(k, '/mem', ['memory']);
    const s = await readStats(k.fs, dirs);
    assert.deepEqual(Object.keys(s).sort(), ['memory', 'path', 'pressure']);
  });

  test('the v1 root: cpu and memory, no pids files', async () => {
    const k = new SimKernel({ layout: 'hybrid' });
    const s = await readStats(k.fs, placeGroup(k.layout, '/'));
    assert.ok(s.cpu && s.memory && !s.pids);
    assert.equal(s.memory.max, 'max');
  });
});
