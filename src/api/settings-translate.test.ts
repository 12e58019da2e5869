import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerOfFile, translateWrite } from './settings-translate.js';
import { failure, simGroup } from './settings-stats.test-util.js';

const w = (file: string, text: string) => ({ file, text });

test('v2 settings become their v1 files', () => {
  assert.deepEqual(translateWrite('cpu.weight', '100', 1), [w('cpu.shares', '1024')]);
  assert.deepEqual(translateWrite('cpu.weight', '0x64\n', 1), [w('cpu.shares', '1024')]);
  assert.deepEqual(translateWrite('cpu.weight', '1', 1), [w('cpu.shares', '10')]);
  assert.deepEqual(translateWrite('cpu.weight.nice', '-20', 1), [w('cpu.shares', '88761')]);
  assert.deepEqual(translateWrite('cpu.weight.nice', '19', 1), [w('cpu.shares', '15')]);
  assert.deepEqual(translateWrite('cpu.max', '50000 100000', 1), [
    w('cpu.cfs_quota_us', '-1'), w('cpu.cfs_period_us', '100000'), w('cpu.cfs_quota_us', '50000'),
  ]);
  assert.deepEqual(translateWrite('cpu.max', 'max 20000', 1), [w('cpu.cfs_quota_us', '-1'), w('cpu.cfs_period_us', '20000')]);
  assert.deepEqual(translateWrite('cpu.max', 'max', 1), [w('cpu.cfs_quota_us', '-1')]);
  assert.deepEqual(translateWrite('cpu.max', '30000\n', 1), [w('cpu.cfs_quota_us', '30000')]);
  assert.deepEqual(translateWrite('cpu.max.burst', '1000', 1), [w('cpu.cfs_burst_us', '1000')]);
  assert.deepEqual(translateWrite('memory.max', 'max', 1), [w('memory.limit_in_bytes', '-1')]);
  assert.deepEqual(translateWrite('memory.max', '1G', 1), [w('memory.limit_in_bytes', '1G')]);
});

test('files v1 has pass through unchanged, and v2 gets every v2 file as written', () => {
  for (const [f, t] of [['pids.max', '10'], ['cpu.idle', '1'], ['cpuset.cpus', '0-1'], ['cgroup.procs', '42'], ['tasks', '42']] as const) {
    assert.deepEqual(translateWrite(f, t, 1), [w(f, t)]);
  }
  for (const [f, t] of [['cpu.weight', 'garbage'], ['memory.high', '1G'], ['cgroup.subtree_control', '+cpu']] as const) {
    assert.deepEqual(translateWrite(f, t, 2), [w(f, t)]);
  }
});

test('values v2 refuses are refused for v1 with the same errno', async () => {
  assert.equal((await failure(() => translateWrite('cpu.weight', '0', 1))).code, 'ERANGE');
  assert.equal((await failure(() => translateWrite('cpu.weight', '10001', 1))).code, 'ERANGE');
  assert.equal((await failure(() => translateWrite('cpu.weight', ' 5', 1))).code, 'EINVAL');
  assert.equal((await failure(() => translateWrite('cpu.max', '500 100000', 1))).code, 'EINVAL');
  assert.equal((await failure(() => translateWrite('cpu.max', 'lots', 1))).code, 'EINVAL');
  assert.equal((await failure(() => translateWrite('memory.max', '-5', 1))).code, 'EINVAL');
  assert.equal((await failure(() => translateWrite('pids.max', '-1', 1))).code, 'EINVAL');
});

test('files with no equivalent are ENOTSUP, naming the file', async () => {
  for (const f of ['memory.high', 'memory.low', 'memory.min', 'memory.swap.max', 'io.weight', 'cpuset.cpus.partition', 'memory.oom.group']) {
    const e = await failure(() => translateWrite(f, '1', 1));
    assert.equal(e.code, 'ENOTSUP', f);
    assert.ok(e.message.includes(f), e.message);
  }
  for (const f of ['cpu.shares', 'memory.limit_in_bytes', 'tasks']) assert.equal((await failure(() => translateWrite(f, '1', 2))).code, 'ENOTSUP', f);
});

test('translated writes do on a hybrid kernel what the v2 write does on a unified one', async () => {
  const uni = await simGroup('unified');
  const hyb = await simGroup('hybrid');
  const script: [string, string][] = [['cpu.weight', '300'], ['cpu.max', '25000 50000'], ['cpu.max.burst', '5000'], ['memory.max', '64M'], ['pids.max', '5']];
  for (const [file, text] of script) {
    await uni.k.fs.writeFile(`${uni.dirs.v2!.dir}/${file}`, text);
    for (const t of translateWrite(file, text, 1)) {
      const dir = hyb.dirs.dirOf(controllerOfFile(t.file)!)!;
      await hyb.k.fs.writeFile(`${dir.dir}/${t.file}`, t.text);
    }
  }
  const read = (g: typeof uni, f: string, c: string) => g.k.fs.readFile(`${g.dirs.dirOf(c)!.dir}/${f}`);
  assert.equal(await read(uni, 'cpu.weight', 'cpu'), '300\n');
  assert.equal(await read(hyb, 'cpu.shares', 'cpu'), '3072\n');
  assert.equal(await read(uni, 'cpu.max', 'cpu'), '25000 50000\n');
  assert.equal(await read(hyb, 'cpu.cfs_quota_us', 'cpu'), '25000\n');
  assert.equal(await read(hyb, 'cpu.cfs_period_us', 'cpu'), '50000\n');
  assert.equal(await read(hyb, 'cpu.cfs_burst_us', 'cpu'), '5000\n');
  assert.equal(await read(uni, 'memory.max', 'memory'), `${64 << 20}\n`);
  assert.equal(await read(hyb, 'memory.limit_in_bytes', 'memory'), `${64 << 20}\n`);
  assert.equal(await read(hyb, 'pids.max', 'pids'), '5\n');
});

test('controllerOfFile names the hierarchy of a file', () => {
  assert.equal(controllerOfFile('cpu.shares'), 'cpu');
  assert.equal(controllerOfFile('cpuacct.usage'), 'cpuacct');
  assert.equal(controllerOfFile('blkio.throttle.read_bps_device'), 'io');
  assert.equal(controllerOfFile('memory.limit_in_bytes'), 'memory');
  assert.equal(controllerOfFile('cgroup.procs'), undefined);
});
