import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupError } from '../core/errors.js';
import { HostFs } from './hostfs.js';

// A fake host tree: HostFs pointed at a temporary root, so nothing here needs
// privileges or touches the real cgroupfs.
const root = mkdtempSync(join(tmpdir(), 'cgkit-hostfs-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cg = join(root, 'sys/fs/cgroup');
mkdirSync(join(cg, 'grp'), { recursive: true });
mkdirSync(join(cg, 'real,target'));
mkdirSync(join(root, 'proc/42'), { recursive: true });
mkdirSync(join(root, 'outside'));
writeFileSync(join(root, 'outside/secret'), 'secret\n');
writeFileSync(join(cg, 'grp/cgroup.procs'), '');
writeFileSync(join(cg, 'grp/value'), 'xyz\n');
writeFileSync(join(root, 'proc/42/cgroup'), '0::/grp\n');
symlinkSync('real,target', join(cg, 'alias'));
symlinkSync(join(root, 'outside'), join(cg, 'escape'));
symlinkSync('../../../../outside/secret', join(cg, 'grp/escape-file'));
symlinkSync('../../../../outside/none', join(cg, 'grp/dangling'));
symlinkSync('/nonexistent-cgkit', join(cg, 'grp/dangling-abs'));
symlinkSync('loop', join(cg, 'loop'));
symlinkSync('/', join(root, 'proc/42/root'));

const fs = new HostFs({ root });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof CgroupError, `not a CgroupError: ${String(e)}`);
    return e.code;
  }
}

test('reads, lists and stats under the injected root', async () => {
  assert.equal(await fs.readFile('/sys/fs/cgroup/grp/value'), 'xyz\n');
  assert.equal(await fs.readFile('/proc/42/cgroup'), '0::/grp\n');
  assert.deepEqual((await fs.readdir('/sys/fs/cgroup/grp')).sort(), ['cgroup.procs', 'dangling', 'dangling-abs', 'escape-file', 'value']);
  const ents = await fs.readdirEntries('/sys/fs/cgroup');
  assert.equal(ents.find((e) => e.name === 'grp')?.isDirectory, true);
  const st = await fs.stat('/sys/fs/cgroup/grp/value');
  assert.equal(st.isFile, true);
  assert.equal(st.isDirectory, false);
  assert.equal(st.ino, statSync(join(cg, 'grp/value')).ino);
  assert.equal(st.mode, statSync(join(cg, 'grp/value')).mode & 0o7777);
  assert.equal((await fs.stat('/sys/fs/cgroup/alias')).isDirectory, true, 'a link inside the tree is followed');
});

test('writeFile neither creates nor truncates', async () => {
  await fs.writeFile('/sys/fs/cgroup/grp/value', 'ab');
  assert.equal(readFileSync(join(cg, 'grp/value'), 'utf8'), 'abz\n');
  const e = await fs.writeFile('/sys/fs/cgroup/grp/new', '1').then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof CgroupError);
  assert.equal(e.code, 'ENOENT');
  assert.equal(e.syscall, 'open');
  assert.equal(e.path, '/sys/fs/cgroup/grp/new', 'errors name the host path, not the prefixed one');
  assert.equal(existsSync(join(cg, 'grp/new')), false);
});

test('mkdir, chmod, chown, rename, rmdir pass through', async () => {
  await fs.mkdir('/sys/fs/cgroup/grp/kid', 0o750);
  assert.equal(statSync(join(cg, 'grp/kid')).mode & 0o777, 0o750 & ~process.umask());
  await fs.chmod('/sys/fs/cgroup/grp/kid', 0o700);
  assert.equal((await fs.stat('/sys/fs/cgroup/grp/kid')).mode, 0o700);
  const me = statSync(join(cg, 'grp/kid'));
  await fs.chown('/sys/fs/cgroup/grp/kid', me.uid, me.gid);
  assert.equal(await code(fs.mkdir('/sys/fs/cgroup/grp/kid')), 'EEXIST');
  await fs.rename('/sys/fs/cgroup/grp/kid', '/sys/fs/cgroup/grp/kid2');
  assert.equal(await code(fs.rmdir('/sys/fs/cgroup/grp/kid')), 'ENOENT');
  await fs.rmdir('/sys/fs/cgroup/grp/kid2');
  assert.equal(await code(fs.rmdir('/sys/fs/cgroup/grp/value')), 'ENOTDIR');
  assert.equal(await code(fs.readFile('/sys/fs/cgroup/grp')), 'EISDIR');
  assert.equal(await code(fs.readdir('/sys/fs/cgroup/grp/value')), 'ENOTDIR');
  assert.equal(await code(fs.readFile('/sys/fs/cgroup/grp/value/x')), 'ENOTDIR');
});

test('bad modes and ids are EINVAL before any I/O', async () => {
  assert.equal(await code(fs.mkdir('/sys/fs/cgroup/grp/m', 0o10000)), 'EINVAL');
  assert.equal(await code(fs.chmod('/sys/fs/cgroup/grp', -1)), 'EINVAL');
  assert.equal(await code(fs.chown('/sys/fs/cgroup/grp', 1.5, 0)), 'EINVAL');
  assert.equal(existsSync(join(cg, 'grp/m')), false);
});

test('malformed paths are EINVAL and nothing is touched', async () => {
  for (const p of ['/sys/fs/cgroup/grp/../../../../outside', '/sys/fs/cgroup/./grp', 'sys/fs/cgroup/grp', '/sys/fs/cgroup//grp', '/sys/fs/cgroup/grp/', '/sys/fs/cgroup/gr\0p']) {
    assert.equal(await code(fs.readdir(p)), 'EINVAL', JSON.stringify(p));
    assert.equal(await code(fs.mkdir(p)), 'EINVAL', JSON.stringify(p));
  }
});

test('paths outside the cgroup tree and /proc are EACCES; /proc is read-only', async () => {
  assert.equal(await code(fs.readFile('/outside/secret')), 'EACCES');
  assert.equal(await code(fs.mkdir('/tmp/x')), 'EACCES');
  assert.equal(await code(fs.writeFile('/proc/42/cgroup', '1')), 'EACCES');
  assert.equal(await code(fs.rename('/sys/fs/cgroup/grp', '/outside/grp')), 'EACCES');
  assert.ok(existsSync(join(cg, 'grp')));
});

test('symlinks that lead out of the area are EACCES; loops too', async () => {
  assert.equal(await code(fs.readdir('/sys/fs/cgroup/escape')), 'EACCES');
  assert.equal(await code(fs.readFile('/sys/fs/cgroup/escape/secret')), 'EACCES');
  assert.equal(await code(fs.mkdir('/sys/fs/cgroup/escape/made')), 'EACCES');
  assert.equal(await code(fs.writeFile('/sys/fs/cgroup/grp/escape-file', 'x')), 'EACCES');
  assert.equal(await code(fs.writeFile('/sys/fs/cgroup/grp/dangling', 'x')), 'EACCES');
  assert.equal(await code(fs.readFile('/sys/fs/cgroup/grp/dangling-abs')), 'EACCES');
  assert.equal(await code(fs.mkdir('/sys/fs/cgroup/grp/dangling/sub')), 'EACCES');
  assert.equal(await code(fs.readFile('/proc/42/root/outside/secret')), 'EACCES');
  assert.equal(await code(fs.stat('/sys/fs/cgroup/loop')), 'EACCES');
  assert.equal(existsSync(join(root, 'outside/made')), false);
  assert.equal(existsSync(join(root, 'outside/none')), false);
  assert.equal(readFileSync(join(root, 'outside/secret'), 'utf8'), 'secret\n');
});

test('a root without the area reports ENOENT for the area', async () => {
  const bare = new HostFs({ root: join(root, 'outside') });
  const e = await bare.readFile('/proc/self/cgroup').then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof CgroupError);
  assert.equal(e.code, 'ENOENT');
  assert.equal(e.path, '/proc');
});

test('the root option must be absolute', () => {
  assert.throws(() => new HostFs({ root: 'relative/dir' }), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
  assert.equal(new HostFs().root, '/');
});
