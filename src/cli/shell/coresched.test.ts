import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { SimKernel } from '../../api/sim-kernel.js';
import { TrustGroups } from '../../coresched/trust-groups.js';
import { main } from '../program.js';
import { withTrustGroups } from './coresched-mount.js';
import { Collect, runScript } from './harness.test.util.js';

/** The shell with trust groups mounted at /sys/kernel/coresched, over a simulated SMT machine. */

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const CS = '/sys/kernel/coresched';

function smtShell(): { k: SimKernel; tg: TrustGroups; run: (script: string[], opts?: Parameters<typeof runScript>[2]) => ReturnType<typeof runScript> } {
  const k = new SimKernel({ cpus: 4, smt: 2 });
  const tg = new TrustGroups(k.coresched, { cgroups: k });
  const shell = withTrustGroups(k, tg);
  return { k, tg, run: (script, opts) => runScript(shell, script.join('\n') + '\n', opts) };
}

/** `cgkit ARGS...` with `script` on standard input. */
async function cgkitShell(args: string[], script: string): Promise<{ out: string; err: string; status: number }> {
  const stdin = new PassThrough();
  stdin.end(script);
  const stdout = new Collect();
  const stderr = new Collect();
  const status = await main(args, { stdin, stdout, stderr });
  return { out: stdout.text, err: stderr.text, status };
}

describe('cgkit shell: trust groups at /sys/kernel/coresched', () => {
  it('mkdir a group, add a task, read its ids; a NEW_COOKIE_FOR_CHILD fork gets a group of its own', async () => {
    const { k, tg, run } = smtShell();
    const r = await run([
      'spawn --name web >/dev/null; W=$!', 'spawn --name db >/dev/null; D=$!',
      `mkdir ${CS}/web`, `echo $W > ${CS}/web/tasks`, 'echo $W', `cat ${CS}/web/cookie_id ${CS}/web/cookie ${CS}/web/tasks ${CS}/web/properties`,
      `echo NEW_COOKIE_FOR_CHILD > ${CS}/web/properties`, `cat ${CS}/web/$W/properties`,
      'fork $W >/dev/null; C=$!', 'echo $C', `ls ${CS}`,
    ]);
    assert.equal(r.err, '');
    assert.equal(r.status, 0);
    const out = lines(r.out);
    const w = Number(out[0]);
    const webCookie = k.coresched.getCookie(w);
    assert.notEqual(webCookie, 0n, 'the member got a cookie');
    assert.deepEqual(out.slice(1, 6), ['1', String(webCookie), String(w), 'SAME_COOKIE_FOR_CHILD', 'NEW_COOKIE_FOR_CHILD']);
    const c = Number(out[6]);
    const child = tg.groupOf(c);
    assert.notEqual(child, 'web', 'the fork left the group for one of its own');
    assert.notEqual(k.coresched.getCookie(c), webCookie);
    assert.notEqual(k.coresched.getCookie(c), 0n);
    const d = k.ps().find((t) => t.name === 'db')!.tid;
    const listing = out.slice(7);
    assert.ok(listing.includes('web') && listing.includes(child), listing.join(' '));
    assert.ok(listing.includes(String(d)), 'the untagged task is a member of the root group');
    assert.ok(!listing.includes(String(w)), 'the tagged task is not');
    for (const f of ['cookie', 'cookie_id', 'procs', 'properties', 'tasks']) assert.ok(listing.includes(f), f);
  });

  it('refuses what the seed refuses, with the errno: deeper groups, removing a busy group, writing a read-only file', async () => {
    const { run } = smtShell();
    const r = await run([
      'spawn --name web >/dev/null; W=$!', `cd ${CS}`, 'pwd', 'mkdir web', 'echo $W > web/tasks', 'mkdir web/deeper', 'rmdir web',
      'echo 7 > web/cookie_id', 'echo SOMETIMES > web/properties', 'echo 99999 > web/tasks',
      'exit-task $W', 'rmdir web', 'ls',
    ]);
    assert.equal(lines(r.out)[0], CS);
    assert.ok(!lines(r.out).includes('web'), 'removed once empty');
    assert.deepEqual(lines(r.err), [
      "mkdir: cannot create directory 'web/deeper': Operation not permitted",
      "rmdir: failed to remove 'web': Device or resource busy",
      'cgkit: web/cookie_id: Permission denied',
      'cgkit: echo: write error: Invalid argument',
      'cgkit: echo: write error: No such process',
    ]);
    assert.equal(r.status, 1);
  });

  it('as PID acts with the task\'s uid and gid: mode and owner decide, chown and chmod set them', async () => {
    const { k, tg, run } = smtShell();
    const r = await run([
      'spawn --uid 1000 --name user >/dev/null; U=$!', 'spawn --name rootjob >/dev/null; R=$!', `cd ${CS}`,
      'as $U mkdir mine', 'mkdir jobs', 'as $U echo $U > jobs/tasks',
      'chown 1000:1000 jobs', 'as $U echo $U > jobs/tasks', 'as $U echo $R > jobs/tasks',
      'as $U chmod 700 jobs', 'as $U chown 0 jobs', 'ls -l', 'as $U cat jobs/tasks',
    ]);
    const u = k.ps().find((t) => t.name === 'user')!.tid;
    assert.deepEqual(tg.members('jobs'), [u]);
    assert.deepEqual(lines(r.err), [
      "mkdir: cannot create directory 'mine': Permission denied",
      'cgkit: jobs/tasks: Permission denied', // root's group, mode 0755: uid 1000 cannot open tasks for writing
      'cgkit: echo: write error: Operation not permitted', // uid 1000 may not change root's task
      "chown: changing ownership of 'jobs': Operation not permitted",
    ]);
    assert.ok(lines(r.out).includes('drwx------ 3 1000 1000 0 jobs'), r.out);
    assert.equal(lines(r.out).at(-1), String(u));
  });

  it('a group bound to a cgroup takes the cgroup\'s tasks, present and future', async () => {
    const { k, tg, run } = smtShell();
    const r = await run([
      'mkdir a', 'spawn --cgroup a --name early >/dev/null', `mkdir ${CS}/a-group`, `echo /a > ${CS}/a-group/cgroup`,
      'spawn --cgroup a --name late >/dev/null', `cat ${CS}/a-group/cgroup`,
    ]);
    assert.equal(r.err, '');
    assert.equal(r.out, '/a\n');
    const names = tg.members('a-group').map((t) => k.task(t)?.name).sort();
    assert.deepEqual(names, ['early', 'late']);
  });

  it('/sys lists kernel, /sys/kernel lists coresched; the mount point cannot be removed; mv between filesystems is EXDEV', async () => {
    const { run } = smtShell();
    const r = await run([
      'ls /sys', 'ls /sys/kernel', 'cd /sys/kernel', 'pwd', 'mkdir /sys/kernel', 'rmdir coresched',
      `mkdir ${CS}/g`, 'mv coresched/g /sys/fs/cgroup/g', 'mkdir /sys/fs/cgroup/x', 'ls /sys/fs/cgroup',
    ]);
    const out = lines(r.out);
    assert.deepEqual(out.slice(0, 4), ['fs', 'kernel', 'coresched', '/sys/kernel']);
    assert.ok(out.includes('x'), 'the cgroup tree works as before');
    assert.deepEqual(lines(r.err), [
      "mkdir: cannot create directory '/sys/kernel': File exists",
      "rmdir: failed to remove 'coresched': Device or resource busy",
      "mv: cannot move 'coresched/g' to '/sys/fs/cgroup/g': Invalid cross-device link",
    ]);
  });
});

describe('cgkit shell --smt', () => {
  it('the interactive banner names the mount', async () => {
    const r = await smtShell().run([`cd ${CS}`], { interactive: true, terminal: false, historyFile: null });
    assert.match(r.err, /^cgkit shell: simulated kernel, unified layout, cgroup mount \/sys\/fs\/cgroup, also mounted: \/sys\/kernel\/coresched\. Type 'help'\.\ncgkit:~\$ cgkit:\/sys\/kernel\/coresched\$ /);
  });

  it('mounts the trust groups and says so in help', async () => {
    const r = await cgkitShell(['shell', '--cpus', '4', '--smt', '2'], `spawn --name w >/dev/null\nmkdir ${CS}/g\necho $! > ${CS}/g/procs\ncat ${CS}/g/procs\nhelp\n`);
    assert.equal(r.err, '');
    assert.equal(r.status, 0);
    const out = lines(r.out);
    assert.match(out[0] ?? '', /^\d+$/);
    assert.ok(out.includes('Mounted beside the cgroup filesystem:'), r.out);
    assert.ok(out.some((l) => l.startsWith(`${CS}  core scheduling trust groups`)), r.out);
  });

  it('without SMT there is no /sys/kernel; a CPU count that is not a multiple is a usage error', async () => {
    const none = await cgkitShell(['shell'], 'ls /sys/kernel\n');
    assert.equal(none.err, "ls: cannot access '/sys/kernel': No such file or directory\n");
    const bad = await cgkitShell(['shell', '--cpus', '3', '--smt', '2'], '');
    assert.equal(bad.status, 2);
    assert.equal(bad.err, 'cgkit: --cpus 3 is not a multiple of --smt 2\n');
    const dflt = await cgkitShell(['shell', '--smt', '4'], '');
    assert.equal(dflt.status, 2);
    assert.match(dflt.err, /^cgkit: --smt 4: smt 4 must be a positive integer dividing cpus \(2\)\n$/);
    const help = await cgkitShell(['shell', '--help'], '');
    assert.match(help.out, /--smt <n> +hardware threads per core/);
    assert.match(help.out, /mounted at \/sys\/kernel\/coresched/);
  });
});
