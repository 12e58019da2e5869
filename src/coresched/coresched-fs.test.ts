import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkCookies, snapshot } from './check.test-util.js';
import { CoreSchedFs } from './coresched-fs.js';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import { TrustGroups } from './trust-groups.js';

const M = '/sys/kernel/coresched';
const err = (c: string, path?: string) => (e: unknown) => {
  const x = e as { code?: string; path?: string };
  return x.code === c && (path === undefined || x.path === path);
};

function setup() {
  const k = new FakeCoreSchedKernel();
  const tg = new TrustGroups(k, { cgroups: k.sim });
  return { k, tg, fs: new CoreSchedFs(tg) };
}

test('coreschedfs: the root directory lists its files, groups and member tasks', async () => {
  const { k, fs } = setup();
  const a = k.spawn();
  await fs.mkdir(`${M}/web`);
  assert.deepEqual(await fs.readdir(M), ['cookie_id', 'cookie', 'properties', 'tasks', 'procs', 'web', '1', String(k.self), String(a)]);
  assert.deepEqual(await fs.readdir(`${M}/web`), ['cookie_id', 'cookie', 'properties', 'tasks', 'procs', 'cgroup']);
  assert.equal(await fs.readFile(`${M}/cookie_id`), '0\n');
  assert.equal(await fs.readFile(`${M}/web/cookie_id`), '1\n');
  assert.equal(await fs.readFile(`${M}/web/properties`), 'SAME_COOKIE_FOR_CHILD\n');
  assert.equal(await fs.readFile(`${M}/tasks`), `1\n${k.self}\n${a}\n`);
  assert.deepEqual(await fs.readdir(`${M}/${a}`), ['properties']);
});

test('coreschedfs: echo a tid into tasks, a pid into procs; read back members and cookie', async () => {
  const { k, tg, fs } = setup();
  const p = k.spawn();
  const t = k.thread(p);
  const q = k.spawn();
  await fs.mkdir(`${M}/vm`);
  await fs.writeFile(`${M}/vm/tasks`, `${q}\n`);
  await fs.writeFile(`${M}/vm/procs`, String(p));
  assert.equal(await fs.readFile(`${M}/vm/tasks`), [p, t, q].sort((x, y) => x - y).map((x) => `${x}\n`).join(''));
  assert.equal(await fs.readFile(`${M}/vm/procs`), [p, q].sort((x, y) => x - y).map((x) => `${x}\n`).join(''));
  assert.equal(await fs.readFile(`${M}/vm/cookie`), `${k.getCookie(q)}\n`);
  assert.notEqual(k.getCookie(q), 0n);
  assert.deepEqual((await fs.readdir(`${M}/vm`)).filter((n) => /^\d+$/.test(n)).map(Number), [p, t, q].sort((x, y) => x - y));
  await fs.writeFile(`${M}/tasks`, String(q)); // back to root
  assert.equal(k.getCookie(q), 0n);
  checkCookies(tg, k);
});

test('coreschedfs: properties and per-task properties', async () => {
  const { k, tg, fs } = setup();
  const b = k.spawn();
  await fs.mkdir(`${M}/browser`);
  await fs.writeFile(`${M}/browser/tasks`, String(b));
  await fs.writeFile(`${M}/browser/properties`, 'ROOT_COOKIE_FOR_CHILD\n');
  assert.equal(await fs.readFile(`${M}/browser/${b}/properties`), 'ROOT_COOKIE_FOR_CHILD\n');
  await fs.writeFile(`${M}/browser/${b}/properties`, 'NEW_COOKIE_FOR_CHILD');
  assert.equal(await fs.readFile(`${M}/browser/${b}/properties`), 'NEW_COOKIE_FOR_CHILD\n');
  assert.equal(await fs.readFile(`${M}/browser/properties`), 'ROOT_COOKIE_FOR_CHILD\n', 'the group keeps its own');
  const child = k.fork(b);
  assert.equal(tg.groupOf(child), `task-${child}`);
  assert.ok((await fs.readdir(M)).includes(`task-${child}`), 'automatic groups show as directories');
  await fs.writeFile(`${M}/browser/${b}/properties`, 'inherit');
  assert.equal(await fs.readFile(`${M}/browser/${b}/properties`), 'ROOT_COOKIE_FOR_CHILD\n');
  await assert.rejects(fs.writeFile(`${M}/browser/${b}/properties`, 'SOMETIMES'), err('EINVAL', `${M}/browser/${b}/properties`));
  await assert.rejects(fs.readFile(`${M}/browser/${child}/properties`), err('ENOENT'), 'not a member there');
});

test('coreschedfs: mkdir deeper is EPERM, names are checked, bad input changes nothing', async () => {
  const { k, tg, fs } = setup();
  const a = k.spawn();
  await fs.mkdir(`${M}/g`);
  await fs.writeFile(`${M}/g/tasks`, String(a));
  const before = snapshot(tg, k);
  await assert.rejects(fs.mkdir(`${M}/g/sub`), err('EPERM', `${M}/g/sub`));
  await assert.rejects(fs.mkdir(`${M}/g/${a}/x`), err('EPERM'));
  await assert.rejects(fs.mkdir(`${M}/123`), err('EINVAL'));
  await assert.rejects(fs.mkdir(`${M}/tasks`), err('EEXIST'));
  await assert.rejects(fs.mkdir(`${M}/g`), err('EEXIST'));
  await assert.rejects(fs.mkdir(`${M}/nope/x`), err('ENOENT'));
  await assert.rejects(fs.mkdir(`${M}/tasks/x`), err('ENOTDIR'));
  await assert.rejects(fs.writeFile(`${M}/g/tasks`, 'abc'), err('EINVAL'));
  await assert.rejects(fs.writeFile(`${M}/g/tasks`, '1 2'), err('EINVAL'));
  await assert.rejects(fs.writeFile(`${M}/g/tasks`, '99999'), err('ESRCH', `${M}/g/tasks`));
  await assert.rejects(fs.writeFile(`${M}/g/properties`, 'same_cookie_for_child'), err('EINVAL'));
  await assert.rejects(fs.writeFile(`${M}/g/cookie_id`, '7'), err('EACCES'));
  await assert.rejects(fs.writeFile(`${M}/g`, '7'), err('EISDIR'));
  await assert.rejects(fs.readFile(`${M}/g`), err('EISDIR'));
  await assert.rejects(fs.readdir(`${M}/g/tasks`), err('ENOTDIR'));
  await assert.rejects(fs.rmdir(`${M}/g`), err('EBUSY'));
  await assert.rejects(fs.rmdir(M), err('EBUSY'));
  await assert.rejects(fs.rmdir(`${M}/g/${a}`), err('EPERM'));
  await assert.rejects(fs.readFile('/sys/fs/cgroup/tasks'), err('ENOENT'));
  await assert.rejects(fs.chmod(`${M}/g/tasks`, 0o666), err('EPERM'));
  await assert.rejects(fs.rename(`${M}/g`, `${M}/other/g`), err('EPERM'));
  assert.deepEqual(snapshot(tg, k), before);
  await fs.writeFile(`${M}/tasks`, String(a));
  await fs.rename(`${M}/g`, `${M}/h`);
  await fs.rmdir(`${M}/h`);
  assert.deepEqual(await fs.readdir(M), ['cookie_id', 'cookie', 'properties', 'tasks', 'procs', '1', String(k.self), String(a)]);
});

test('coreschedfs: a view acting as a uid follows owner and mode', async () => {
  const { k, fs } = setup();
  const alice = fs.as({ uid: 1000, gid: 100 });
  const bob = fs.as({ uid: 2000, gid: 100 });
  const [ta, tb] = [k.spawn({ uid: 1000 }), k.spawn({ uid: 2000 })];
  await assert.rejects(alice.mkdir(`${M}/mine`), err('EACCES'));
  await fs.mkdir(`${M}/team`, 0o755);
  await assert.rejects(alice.chown(`${M}/team`, 1000, 100), err('EPERM'));
  await fs.chown(`${M}/team`, 1000, 100);
  assert.deepEqual(await fs.stat(`${M}/team/tasks`).then((s) => [s.mode, s.uid, s.gid, s.isFile]), [0o644, 1000, 100, true]);
  assert.equal((await fs.stat(`${M}/team/cookie_id`)).mode, 0o444);
  await alice.writeFile(`${M}/team/tasks`, String(ta));
  await assert.rejects(bob.writeFile(`${M}/team/tasks`, String(tb)), err('EACCES'));
  await assert.rejects(alice.writeFile(`${M}/team/tasks`, String(tb)), err('EPERM'), 'not alice\'s task');
  await alice.chmod(`${M}/team`, 0o770);
  await bob.writeFile(`${M}/team/tasks`, String(tb));
  const other = fs.as(3000);
  await assert.rejects(other.readFile(`${M}/team/tasks`), err('EACCES'));
  await assert.rejects(other.readdir(`${M}/team`), err('EACCES'));
  assert.equal(await bob.readFile(`${M}/team/tasks`), `${ta}\n${tb}\n`);
  const st = await fs.stat(`${M}/team`);
  assert.deepEqual([st.isDirectory, st.mode, st.uid], [true, 0o770, 1000]);
  assert.notEqual(st.ino, (await fs.stat(M)).ino);
});

test('coreschedfs: the cgroup file binds a group to a cgroup', async () => {
  const { k, tg, fs } = setup();
  await k.sim.fs.mkdir('/sys/fs/cgroup/job');
  const p = k.spawn({ cgroup: '/sys/fs/cgroup/job' });
  await fs.mkdir(`${M}/job`);
  await fs.writeFile(`${M}/job/cgroup`, '/job\n');
  assert.equal(await fs.readFile(`${M}/job/cgroup`), '/job\n');
  assert.equal(await fs.readFile(`${M}/job/tasks`), `${p}\n`);
  await assert.rejects(fs.writeFile(`${M}/job/cgroup`, '/missing'), err('EBUSY', `${M}/job/cgroup`));
  await fs.writeFile(`${M}/job/cgroup`, '\n');
  assert.equal(await fs.readFile(`${M}/job/cgroup`), '');
  await assert.rejects(fs.writeFile(`${M}/job/cgroup`, '/missing'), err('ENOENT', `${M}/job/cgroup`));
  tg.close();
});

test('coreschedfs: another mount point', async () => {
  const { tg } = setup();
  const fs = new CoreSchedFs(tg, { mount: '/mnt/cs/' });
  assert.equal(await fs.readFile('/mnt/cs/cookie_id'), '0\n');
  await assert.rejects(fs.readFile(`${M}/cookie_id`), err('ENOENT'));
});
