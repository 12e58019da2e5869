import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeKernel } from './fake-kernel.test.util.js';
import { runScript } from './harness.test.util.js';

/** The shell's commands over the small fake kernel: output, error lines, statuses. */

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

describe('shell commands (fake kernel)', () => {
  it('starts at the v2 mount; cd and pwd work with relative paths, .., ~ and no argument', async () => {
    const r = await runScript(new FakeKernel(), 'pwd\nmkdir a a/b\ncd a/b; pwd\ncd ../..; pwd\ncd a; cd; pwd\ncd ~/a; pwd\ncd /; pwd\n');
    assert.deepEqual(lines(r.out), ['/sys/fs/cgroup', '/sys/fs/cgroup/a/b', '/sys/fs/cgroup', '/sys/fs/cgroup', '/sys/fs/cgroup/a', '/']);
    assert.equal(r.status, 0);
    const legacy = await runScript(new FakeKernel('legacy'), 'pwd\n');
    assert.equal(legacy.out, '/sys/fs/cgroup\n');
    const hybrid = await runScript(new FakeKernel('hybrid'), 'pwd\n');
    assert.equal(hybrid.out, '/sys/fs/cgroup/unified\n');
  });

  it('prints cd errors like bash', async () => {
    const r = await runScript(new FakeKernel(), 'cd nope\ncd cgroup.procs\ncd a b\npwd\n');
    assert.deepEqual(lines(r.err), ['cgkit: cd: nope: No such file or directory', 'cgkit: cd: cgroup.procs: Not a directory', 'cgkit: cd: too many arguments']);
    assert.equal(r.out, '/sys/fs/cgroup\n');
    assert.equal(r.status, 1);
  });

  it('mkdir and mkdir -p, with coreutils messages', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a\nmkdir a\nmkdir x/y\nmkdir -p a/b/c a\nmkdir\nmkdir -q z\nls a/b\n');
    assert.deepEqual(lines(r.err), [
      "mkdir: cannot create directory 'a': File exists",
      "mkdir: cannot create directory 'x/y': No such file or directory",
      'mkdir: missing operand',
      "mkdir: invalid option -- 'q'",
    ]);
    assert.ok(lines(r.out).includes('c'));
    assert.equal(r.status, 1);
  });

  it('rmdir, with coreutils messages', async () => {
    const r = await runScript(new FakeKernel(), 'mkdir -p a/b\nrmdir a\nrmdir nope\nrmdir a/b a\nls\n');
    assert.deepEqual(lines(r.err), ["rmdir: failed to remove 'a': Device or resource busy", "rmdir: failed to remove 'nope': No such file or directory"]);
    assert.ok(!lines(r.out).includes('a'));
  });

  it('echo writes WORDS and a newline in ONE write, > and >> alike; -n, -e', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a\necho threaded > a/cgroup.type\necho -n 5 >> a/cgroup.max.depth\necho -e "x\\ty"\necho -n\necho a  b\n');
    assert.deepEqual(k.writes, [
      { path: '/sys/fs/cgroup/a/cgroup.type', data: 'threaded\n' },
      { path: '/sys/fs/cgroup/a/cgroup.max.depth', data: '5' },
    ]);
    assert.equal(r.out, 'x\ty\na b\n');
    assert.equal(r.status, 0);
  });

  it('prints write and open errors as bash does and goes on', async () => {
    const r = await runScript(new FakeKernel(), 'echo domain > cgroup.type\necho 1 > cgroup.events\necho 1 > nofile\necho -1 > cgroup.max.depth\necho after\n');
    assert.deepEqual(lines(r.err), [
      'cgkit: echo: write error: Invalid argument',
      'cgkit: echo: write error: Invalid argument',
      'cgkit: nofile: Permission denied',
      'cgkit: echo: write error: Numerical result out of range',
    ]);
    assert.equal(r.out, 'after\n');
    assert.equal(r.status, 1);
  });

  it('redirects any command, to /dev/null too, and 2>/dev/null hides errors', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'spawn > /dev/null\ncat nope 2>/dev/null\necho $?\ncat cgroup.procs > /dev/null\nls cgroup.procs >> cgroup.procs\n');
    assert.equal(r.out, '1\n');
    assert.equal(r.err, 'ls: write error: Invalid argument\n');
    assert.equal(k.writes[0]?.data, 'cgroup.procs\n');
  });

  it('cat prints files and coreutils errors', async () => {
    const r = await runScript(new FakeKernel(), 'mkdir a\ncat a/cgroup.type a/nope a/cgroup.events a\n');
    assert.equal(r.out, 'domain\npopulated 0\nfrozen 0\n');
    assert.deepEqual(lines(r.err), ['cat: a/nope: No such file or directory', 'cat: a: Is a directory']);
    assert.equal(r.status, 1);
  });

  it('ls lists one name per line in byte order; -l shows mode, links, owner; several paths get headers', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a a/B a/c\nchown 1000:100 a/c\nchmod g+w a/cgroup.procs\nls a\nls -l a\nls a/cgroup.type nope a\necho $?\n');
    const out = r.out.split('\n');
    assert.deepEqual(out.slice(0, 7), ['B', 'c', 'cgroup.controllers', 'cgroup.events', 'cgroup.max.depth', 'cgroup.procs', 'cgroup.type']);
    assert.deepEqual(out.slice(7, 15), [
      'total 0',
      'drwxr-xr-x 2 root root 0 B',
      'drwxr-xr-x 2 1000 100 0 c',
      '-r--r--r-- 1 root root 0 cgroup.controllers',
      '-r--r--r-- 1 root root 0 cgroup.events',
      '-rw-r--r-- 1 root root 0 cgroup.max.depth',
      '-rw-rw-r-- 1 root root 0 cgroup.procs',
      '-rw-r--r-- 1 root root 0 cgroup.type',
    ]);
    assert.deepEqual(out.slice(15, 19), ['a/cgroup.type', '', 'a:', 'B']);
    assert.equal(out[out.length - 2], '2'); // ls's own status for a missing operand, as GNU ls
    assert.equal(r.err, "ls: cannot access 'nope': No such file or directory\n");
    assert.equal(r.status, 1);
  });

  it('chown and chmod change owners and modes, with coreutils messages', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir d\nchown 1000 d\nchown :7 d\nchmod 700 d\nchmod u-w,o+r d/cgroup.procs\nchown -R 5:5 d\n');
    assert.deepEqual([r.err, r.status], ['', 0]);
    const st = await k.fs.stat(k.at('d'));
    assert.deepEqual([st.uid, st.gid, st.mode.toString(8)], [5, 5, '700']);
    const procs = await k.fs.stat(k.at('d/cgroup.procs'));
    assert.deepEqual([procs.uid, procs.mode.toString(8)], [5, '444']);
    const bad = await runScript(k, 'chown bob d\nchown 1:x d\nchmod zz d\nchmod 644 nope\nchown 1 nope\nspawn --uid 9\nas $! chown 9 d\nas $! chmod 777 d\n');
    assert.deepEqual(lines(bad.err), [
      "chown: invalid user: 'bob'",
      "chown: invalid group: '1:x'",
      "chmod: invalid mode: 'zz'",
      "chmod: cannot access 'nope': No such file or directory",
      "chown: cannot access 'nope': No such file or directory",
      "chown: changing ownership of 'd': Operation not permitted",
      "chmod: changing permissions of 'd': Operation not permitted",
    ]);
  });

  it('mv renames, and into a directory like mv', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a b\nmv a c\nls\nmv c b/\nmv nope x\n');
    assert.ok(lines(r.out).includes('c'));
    assert.ok(!lines(r.out).includes('a'));
    // The fake, like cgroup v1, renames only within one parent: the error names the target mv computed.
    assert.deepEqual(lines(r.err), ["mv: cannot move 'c' to 'b/c': Invalid cross-device link", "mv: cannot stat 'nope': No such file or directory"]);
  });

  it('spawn, fork and thread print ids and set $!; ps shows every task', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a\nspawn --name w --cgroup a --uid 7 --gid=8\nP=$!\nfork $P\nthread $P\necho $! $P\nps\n');
    assert.deepEqual(lines(r.out), [
      '2', '3', '4', '4 2',
      'PID TID PPID UID STATE    NAME CGROUP',
      '  1   1    0   0 sleeping init /',
      '  2   2    1   7 running  w    /a',
      '  2   4    1   7 running  w    /a',
      '  3   3    2   7 running  w    /a',
    ]);
    assert.equal(r.status, 0);
  });

  it('process errors: kill like procps, the others like bash', async () => {
    const r = await runScript(new FakeKernel(), 'kill 99\nkill -9 99 98\nkill -BOGUS 1\nkill abc\nfork 99\nthread x\nexit-task 99\nspawn --cgroup nope\nspawn --bogus\nkill -0 99\nwait 1\n');
    assert.deepEqual(lines(r.err), [
      'kill: (99) - No such process',
      'kill: (99) - No such process',
      'kill: (98) - No such process',
      'cgkit: kill: BOGUS: invalid signal specification',
      'kill: usage: kill [-SIG | -s SIG] PID... | kill -l',
      'cgkit: kill: abc: arguments must be process ids',
      'cgkit: fork: (99) - No such process',
      'cgkit: thread: x: arguments must be process ids',
      'thread: usage: thread PID',
      'cgkit: exit-task: (99) - No such process',
      'cgkit: spawn: No such file or directory',
      'cgkit: spawn: --bogus: invalid option',
      'spawn: usage: spawn [--uid U] [--gid G] [--name N] [--cgroup DIR] [--ppid P]',
      'kill: (99) - No such process',
      'cgkit: wait: pid 1 is not a zombie child',
    ]);
    assert.equal(r.status, 1);
  });

  it('kill sends signals by number and name; exit-task ends a process', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'spawn; A=$!\nspawn; B=$!\nspawn; C=$!\nkill -STOP $A\nkill -s 9 $B\nexit-task $C 3\nkill -l\n');
    assert.equal(k.task(2)?.state, 'stopped');
    assert.equal(k.task(3), undefined);
    assert.equal(k.task(4), undefined);
    assert.match(r.out, / 9\) SIGKILL/);
    assert.equal(r.status, 0);
  });

  it('tree shows groups and their processes', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir -p a/b c\nspawn --cgroup a --name w >/dev/null\nspawn --cgroup a/b --name x >/dev/null\ntree\ntree a\ntree nope\n');
    assert.equal(r.out, [
      '.', '├── 1 init', '├── a/', '│   ├── 2 w', '│   └── b/', '│       └── 3 x', '└── c/',
      'a', '├── 2 w', '└── b/', '    └── 3 x', '',
    ].join('\n'));
    assert.equal(r.err, 'tree: nope: No such file or directory\n');
  });

  it('as PID runs one file command with the task\'s credentials', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir d\nchown 1000 d\nspawn --uid 1000; U=$!\nas $U mkdir d/x\nas $U mkdir y\nas $U echo $U > d/cgroup.procs\nas $U spawn\nas 99 ls\nas\n');
    assert.deepEqual(lines(r.err), [
      "mkdir: cannot create directory 'y': Permission denied",
      'cgkit: nofile: Permission denied'.replace('nofile', 'd/cgroup.procs'),
      'cgkit: as: spawn: only file commands run as a task',
      'cgkit: as: (99) - No such process',
      'cgkit: as: usage: as PID COMMAND...',
    ]);
    assert.equal((await k.fs.stat(k.at('d/x'))).isDirectory, true);
  });

  it('variables: $? is the last status, $! the last new pid, NAME=value; unknown commands are 127', async () => {
    const r = await runScript(new FakeKernel(), 'echo $? $!\nfalse; echo $?\nnope; echo $?\nX=a\\ b Y="$X!"; echo "$Y" ${X}\necho $UNSET | cat\n');
    assert.equal(r.out, '0\n1\n127\na b! a b\n');
    assert.deepEqual(lines(r.err), ['cgkit: nope: command not found', "cgkit: syntax error near unexpected token `|'"]);
  });

  it('exit status: 0 when every command succeeded, 1 when any failed, N after exit N', async () => {
    assert.equal((await runScript(new FakeKernel(), 'mkdir a\necho ok\n')).status, 0);
    assert.equal((await runScript(new FakeKernel(), 'mkdir a\nmkdir a\nmkdir b\n')).status, 1);
    const r = await runScript(new FakeKernel(), 'echo 1\nexit 3\necho never\n');
    assert.deepEqual([r.out, r.status], ['1\n', 3]);
    assert.equal((await runScript(new FakeKernel(), 'false\nexit\n')).status, 1);
    assert.equal((await runScript(new FakeKernel(), 'exit x\n')).status, 2);
    assert.equal((await runScript(new FakeKernel(), "echo 'open\n")).status, 1);
  });

  it('a quoted string may span lines in a script', async () => {
    const r = await runScript(new FakeKernel(), "echo 'a\nb'\necho c \\\nd\n");
    assert.equal(r.out, 'a\nb\nc d\n');
  });

  it('--json: keyed files as objects, ls, ps and tree as JSON; other files as text', async () => {
    const k = new FakeKernel();
    const r = await runScript(k, 'mkdir a\nspawn --cgroup a --name w >/dev/null\ncat a/cgroup.events a/cgroup.type\nls a\nls -l a/cgroup.type\nps\ntree a\n', { json: true });
    const out = r.out.split('\n');
    assert.deepEqual(JSON.parse(out[0] ?? ''), { populated: 1, frozen: 0 });
    assert.equal(out[1], 'domain');
    assert.deepEqual(JSON.parse(out[2] ?? ''), [
      { name: 'cgroup.controllers', type: 'file', mode: '0444', uid: 0, gid: 0 },
      { name: 'cgroup.events', type: 'file', mode: '0444', uid: 0, gid: 0 },
      { name: 'cgroup.max.depth', type: 'file', mode: '0644', uid: 0, gid: 0 },
      { name: 'cgroup.procs', type: 'file', mode: '0644', uid: 0, gid: 0 },
      { name: 'cgroup.type', type: 'file', mode: '0644', uid: 0, gid: 0 },
    ]);
    assert.equal(JSON.parse(out[3] ?? '')[0].name, 'a/cgroup.type');
    assert.deepEqual(JSON.parse(out[4] ?? '')[1], { pid: 2, tid: 2, ppid: 1, uid: 0, gid: 0, state: 'running', name: 'w', cgroups: [{ mountPoint: '/sys/fs/cgroup', path: '/a' }] });
    assert.deepEqual(JSON.parse(out[5] ?? ''), { name: 'a', path: '/sys/fs/cgroup/a', procs: [{ pid: 2, name: 'w' }], threads: [], children: [] });
  });

  it('help lists the commands; help CMD one', async () => {
    const r = await runScript(new FakeKernel(), 'help\nhelp mkdir\nhelp nope\n');
    for (const c of ['mkdir', 'rmdir', 'echo', 'cat', 'ls', 'tree', 'cd', 'pwd', 'chown', 'chmod', 'mv', 'spawn', 'fork', 'thread', 'kill', 'exit-task', 'ps', 'as', 'help', 'exit']) {
      assert.match(r.out, new RegExp(`^${c}\\b`, 'm'), c);
    }
    assert.match(r.out, /^mkdir \[-p\] DIR\.\.\. +create cgroups/m);
    assert.equal(r.err, "cgkit: help: no help topics match 'nope'\n");
  });
});
