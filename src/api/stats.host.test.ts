import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { findMount, liveHost, whyNotWritable } from '../host/live.js';
import { Scratch } from '../host/scratch.js';
import { placeGroup, type GroupDirs } from './group-dirs.js';
import { planWrites, readSetting, type Settings, translateWrite, writeSettings } from './settings.js';
import { readStats } from './stats.js';

// Settings and statistics on the real kernel of a hybrid (or legacy) host.
// Only groups named cgkit-test-<random> are made, in the cpu, cpuacct,
// memory and pids hierarchies; no process is moved; `after` removes them.

const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'];
const host = await liveHost();
const scratch = host === undefined ? undefined : new Scratch(host.fs);
after(async () => {
  await scratch?.dispose();
});

/** The group `/<scratch name>[/<label>]` in the four v1 hierarchies, or a skip with the reason. */
async function group(t: TestContext, label?: string): Promise<{ dirs: GroupDirs; fs: NonNullable<typeof host>['fs'] } | undefined> {
  if (host === undefined || scratch === undefined) {
    t.skip('no cgroup filesystem');
    return undefined;
  }
  for (const c of CONTROLLERS) {
    const m = findMount(host.layout, c);
    const why = m?.version === 1 ? await whyNotWritable(m) : `${c} is not on a v1 hierarchy here`;
    if (why !== undefined) {
      t.skip(`${c}: ${why}`);
      console.log(`# skipped: ${c}: ${why}`);
      return undefined;
    }
  }
  for (const c of CONTROLLERS) {
    const top = await scratch.top(findMount(host.layout, c)!.mountPoint);
    if (label !== undefined) await host.fs.mkdir(`${top}/${label}`);
  }
  const path = label === undefined ? `/${scratch.name}` : `/${scratch.name}/${label}`;
  return { dirs: placeGroup(host.layout, path, CONTROLLERS), fs: host.fs };
}

test('host: statistics of an empty v1 group', async (t) => {
  const g = await group(t);
  if (!g) return;
  const s = await readStats(g.fs, g.dirs);
  assert.equal(s.path, g.dirs.path);
  assert.deepEqual(Object.keys(s).sort(), ['cpu', 'memory', 'path', 'pids']);
  assert.equal(s.cpu!.usageUsec, 0n);
  assert.equal(s.cpu!.nrThrottled, 0n);
  assert.equal(typeof s.cpu!.nrBursts, 'bigint');
  assert.equal(s.memory!.max, 'max');
  assert.equal(s.memory!.events.oomKill, 0n);
  assert.equal(s.memory!.underOom, false);
  assert.equal(typeof s.memory!.stat.anon, 'bigint');
  assert.deepEqual({ ...s.pids, peak: undefined }, { current: 0n, max: 'max', peak: undefined, events: { max: 0n } });
});

test('host: settings round-trip through the v1 files', async (t) => {
  const g = await group(t, 'set');
  if (!g) return;
  const steps: Settings[] = [
    { 'cpu.weight': 250, 'cpu.max': { quotaUs: 50000, periodUs: 200000 }, 'cpu.max.burst': 10000, 'memory.max': 256n << 20n, 'pids.max': 42 },
    { 'cpu.weight.nice': 5, 'cpu.max': { quotaUs: 'max', periodUs: 100000 }, 'cpu.max.burst': 0, 'memory.max': 'max', 'pids.max': 'max' },
    { 'cpu.idle': true },
    { 'cpu.idle': false, 'cpu.weight': 100 },
  ];
  for (const s of steps) {
    await writeSettings(g.fs, g.dirs, s);
    for (const [k, v] of Object.entries(s)) assert.deepEqual(await readSetting(g.fs, g.dirs, k as keyof Settings), v, k);
  }
  await writeSettings(g.fs, g.dirs, { 'cpu.weight': 250 });
  assert.equal(await g.fs.readFile(`${g.dirs.dirOf('cpu')!.dir}/cpu.shares`), '2560\n');
});

test('host: a refused value writes nothing, and the probe refuses what the kernel refuses', async (t) => {
  const g = await group(t, 'bad');
  if (!g) return;
  const files = g.dirs.dirs.filter((d) => d.version === 1).flatMap((d) =>
    ['cpu.shares', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'memory.limit_in_bytes', 'pids.max'].map((f) => `${d.dir}/${f}`));
  const snap = async (): Promise<string[]> => Promise.all(files.map((f) => g.fs.readFile(f).catch((e: CgroupError) => `!${e.code}`)));
  const before = await snap();
  for (const [bad, code] of [
    [{ 'cpu.weight': 0 }, 'ERANGE'], [{ 'cpu.max': { quotaUs: 500, periodUs: 100000 } }, 'EINVAL'], [{ 'memory.max': -5n }, 'EINVAL'], [{ 'pids.max': -1 }, 'EINVAL'],
  ] as [Settings, string][]) {
    const e = await writeSettings(g.fs, g.dirs, { 'pids.max': 7, 'cpu.weight': 300, ...bad }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof CgroupError && e.code === code, `${JSON.stringify(Object.keys(bad))}: ${String(e)}`);
  }
  assert.deepEqual(await snap(), before);
  const cpu = g.dirs.dirOf('cpu')!.dir;
  const pids = g.dirs.dirOf('pids')!.dir;
  // v2 text → what the planner says; the v1 write → what the kernel says.
  const pairs: [string, string, string, string][] = [
    ['cpu.max', '500', `${cpu}/cpu.cfs_quota_us`, '500'],
    ['cpu.max', 'max 2000000', `${cpu}/cpu.cfs_period_us`, '2000000'],
    ['cpu.max', 'max 999', `${cpu}/cpu.cfs_period_us`, '999'],
    ['cpu.max.burst', '-1', `${cpu}/cpu.cfs_burst_us`, '-1'],
    ['pids.max', '-1', `${pids}/pids.max`, '-1'],
    ['memory.max', '1Q', `${g.dirs.dirOf('memory')!.dir}/memory.limit_in_bytes`, '1Q'],
  ];
  for (const [file, text, path, v1text] of pairs) {
    const kernel: string = await g.fs.writeFile(path, v1text).then(() => 'ok', (e: CgroupError) => e.code);
    const planned = (() => {
      try {
        translateWrite(file, text, 1);
        return 'ok';
      } catch (e) {
        return (e as CgroupError).code;
      }
    })();
    assert.equal(planned, kernel, `${file} ${text}`);
    assert.notEqual(kernel, 'ok');
  }
  assert.deepEqual(await snap(), before);
});

test('host: quota and period change under a limited parent without an invalid step', async (t) => {
  const g = await group(t, 'child');
  if (!g || !scratch || !host) return;
  const parent = placeGroup(host.layout, `/${scratch.name}`, ['cpu']);
  await writeSettings(g.fs, parent, { 'cpu.max': { quotaUs: 50000, periodUs: 100000 } });
  await writeSettings(g.fs, g.dirs, { 'cpu.max': { quotaUs: 50000, periodUs: 100000 }, 'cpu.max.burst': 40000 });
  for (const next of [{ quotaUs: 25000, periodUs: 50000 }, { quotaUs: 100000, periodUs: 200000 }, { quotaUs: 2000, periodUs: 4000 }]) {
    assert.ok(planWrites(g.dirs, { 'cpu.max': next }).length === 3);
    await writeSettings(g.fs, g.dirs, { 'cpu.max': next, 'cpu.max.burst': next.quotaUs / 2 });
    assert.deepEqual(await readSetting(g.fs, g.dirs, 'cpu.max'), next);
  }
  // The same change written period first is refused by the kernel: the order matters.
  const cpu = g.dirs.dirOf('cpu')!.dir;
  const e = await g.fs.writeFile(`${cpu}/cpu.cfs_period_us`, '2000').then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof CgroupError && e.code === 'EINVAL', String(e));
});
