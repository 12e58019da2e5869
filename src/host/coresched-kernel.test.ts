import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { CoreSchedEvent } from '../core/coresched.js';
import { CgroupError } from '../core/errors.js';
import { openHostCoreSched, parseProcStat, parseProcStatus, type HostCoreSchedKernel, type HostCoreSchedOptions } from './coresched-kernel.js';
import type { PrctlSys } from './coresched.js';
import { FakeNetlink, exec, exit, fork } from './proc-events.test-util.js';

const dir = mkdtempSync(join(tmpdir(), 'cgkit-coresched-kernel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Call = [cmd: number, pid: number, scope: number];

/** A prctl that records its calls; `errnoOf(cmd)` answers (0: success, GET then writes `cookie`). */
function fakePrctl(errnoOf: (cmd: number) => number = () => 0, cookie = 0xc0ffeen): PrctlSys & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    schedCore(cmd, pid, scope, out) {
      calls.push([cmd, pid, scope]);
      const errno = errnoOf(cmd);
      if (errno === 0 && out) out[0] = cookie;
      return errno;
    },
  };
}

interface FakeTask { tid: number; tgid?: number; ppid: number; pgid?: number; uid?: number; name?: string; state?: string; start?: number }

/** A procfs with just the files cgkit reads: <tgid>/{stat,status}, <tgid>/task/<tid>/stat. */
class FakeProc {
  readonly root = mkdtempSync(join(dir, 'proc-'));
  add(...tasks: FakeTask[]): this {
    for (const t of tasks) {
      const tgid = t.tgid ?? t.tid;
      const stat = `${t.tid} (${t.name ?? 'task'}) ${t.state ?? 'S'} ${t.ppid} ${t.pgid ?? tgid} ${tgid} 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 ${t.start ?? 100} 0 0\n`;
      const status = `Name:\t${t.name ?? 'task'}\nTgid:\t${tgid}\nPid:\t${t.tid}\nPPid:\t${t.ppid}\nUid:\t${t.uid ?? 0}\t${t.uid ?? 0}\t0\t0\n`;
      mkdirSync(join(this.root, String(tgid), 'task', String(t.tid)), { recursive: true });
      writeFileSync(join(this.root, String(tgid), 'task', String(t.tid), 'stat'), stat);
      // (A real procfs also has /proc/<tid> for a thread, hidden from readdir; not needed here.)
      if (t.tid === tgid) {
        writeFileSync(join(this.root, String(tgid), 'stat'), stat);
        writeFileSync(join(this.root, String(tgid), 'status'), status);
      }
    }
    return this;
  }
  remove(tgid: number, tid = tgid): void {
    rmSync(join(this.root, String(tgid), ...(tid === tgid ? [] : ['task', String(tid)])), { recursive: true, force: true });
  }
}

async function open(opts: HostCoreSchedOptions & { net?: FakeNetlink } = {}): Promise<{ k: HostCoreSchedKernel; net: FakeNetlink; prctl: ReturnType<typeof fakePrctl> }> {
  const net = opts.net ?? new FakeNetlink();
  const prctl = fakePrctl();
  const r = await openHostCoreSched({ sys: prctl, ...opts, events: { sys: net } });
  assert.ok('kernel' in r, 'error' in r ? r.error : '');
  return { k: r.kernel, net, prctl };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

describe('openHostCoreSched says why it cannot be used', () => {
  it('a kernel without core scheduling (prctl EINVAL): the error and errno, no connector opened', async () => {
    const net = new FakeNetlink();
    const r = await openHostCoreSched({ sys: fakePrctl(() => 22), events: { sys: net } });
    assert.ok('error' in r);
    assert.equal(r.code, 'EINVAL');
    assert.match(r.error, /^no core scheduling on this host: this kernel was built without core scheduling \(CONFIG_SCHED_CORE\)/);
    assert.deepEqual(net.sent, []);
  });

  it('no SMT (ENODEV)', async () => {
    const r = await openHostCoreSched({ sys: fakePrctl(() => 19), events: { sys: new FakeNetlink() } });
    assert.ok('error' in r && r.code === 'ENODEV' && /SMT/.test(r.error));
  });

  it('no permission for the connector (EPERM): the error names CAP_NET_ADMIN; nothing left open', async () => {
    const net = new FakeNetlink();
    net.bindResult = 1;
    const r = await openHostCoreSched({ sys: fakePrctl(), events: { sys: net } });
    assert.ok('error' in r);
    assert.equal(r.code, 'EPERM');
    assert.match(r.error, /^cannot follow new tasks through the kernel's process-event connector: .*CAP_NET_ADMIN/);
    assert.deepEqual(net.closed.sort(), [10, 11]);
  });
});

describe('prctl operations act as cgkit itself', () => {
  it('get, create, share-to, share-from reach prctl with the command, pid and scope numbers', async () => {
    const { k, prctl } = await open();
    try {
      assert.equal(k.self, process.pid);
      assert.equal(k.getCookie(42), 0xc0ffeen);
      k.create(k.self, 43, 'thread-group');
      k.shareTo(k.self, 44, 'process-group');
      k.shareTo(k.self, 45, 'thread');
      k.shareFrom(k.self, 46);
      assert.deepEqual(prctl.calls.slice(1), [[0, 42, 0], [1, 43, 1], [2, 44, 2], [2, 45, 0], [3, 46, 0]]); // [0]: the support probe
    } finally {
      await k.close();
    }
  });

  it('another caller is EINVAL before any system call, saying why', async () => {
    const { k, prctl } = await open();
    try {
      const before = prctl.calls.length;
      for (const call of [() => k.create(1, 43, 'thread'), () => k.shareTo(k.self + 1, 44, 'thread'), () => k.shareFrom(0, 46)]) {
        assert.throws(call, (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL' && e.syscall === 'prctl' && /acts as the thread that calls it, which is cgkit's own main thread/.test(e.message));
      }
      assert.equal(prctl.calls.length, before);
    } finally {
      await k.close();
    }
  });

  it('the kernel\'s refusals come back with their errno', async () => {
    const prctl = fakePrctl((cmd) => (cmd === 0 ? 0 : cmd === 2 ? 1 : 3));
    const r = await openHostCoreSched({ sys: prctl, events: { sys: new FakeNetlink() } });
    assert.ok('kernel' in r);
    try {
      assert.throws(() => r.kernel.shareTo(r.kernel.self, 7, 'thread-group'), (e: unknown) => e instanceof CgroupError && e.code === 'EPERM' && /ptrace/.test(e.message));
      assert.throws(() => r.kernel.create(r.kernel.self, 7, 'thread'), (e: unknown) => e instanceof CgroupError && e.code === 'ESRCH');
    } finally {
      await r.kernel.close();
    }
  });
});

describe('/proc', () => {
  it('stat: fields counted after the last parenthesis (a name with ") (" in it)', () => {
    const real = '18000 (a) b (c) R 17996 17996 18057 0 -1 4194304 104 0 0 0 0 0 0 0 20 0 1 0 1774107 3133440 394 18446744073709551615 93883566841856 0\n';
    assert.deepEqual(parseProcStat(real), { name: 'a) b (c', state: 'R', ppid: 17996, pgid: 17996, start: 1774107 });
    assert.equal(parseProcStat('garbage'), undefined);
    assert.equal(parseProcStat('1 (x) S'), undefined, 'truncated');
  });

  it('status: Tgid and the real uid, by key', () => {
    const text = 'Name:\tgrep\nUmask:\t0022\nState:\tR (running)\nTgid:\t18001\nNgid:\t0\nPid:\t18001\nPPid:\t17996\nUid:\t1000\t0\t0\t0\n';
    assert.deepEqual(parseProcStatus(text), { tgid: 18001, uid: 1000 });
    assert.equal(parseProcStatus('Name:\tx\n'), undefined);
  });

  it('task, threads and tasks from a procfs tree; zombies are not live tasks', async () => {
    const proc = new FakeProc().add(
      { tid: 1, ppid: 0, name: 'init' },
      { tid: 50, ppid: 1, pgid: 40, uid: 1000, name: 'vm (qemu)' }, { tid: 52, tgid: 50, ppid: 1 }, { tid: 51, tgid: 50, ppid: 1 },
      { tid: 60, ppid: 50, state: 'Z' },
    );
    const { k } = await open({ procRoot: proc.root });
    try {
      assert.deepEqual(k.task(50), { tid: 50, tgid: 50, ppid: 1, pgid: 40, uid: 1000, name: 'vm (qemu)' });
      assert.equal(k.task(60)?.tid, 60, 'a zombie is still a task');
      assert.equal(k.task(99), undefined);
      assert.equal(k.task(-1), undefined);
      assert.deepEqual(k.threads(50), [50, 51, 52], 'leader first');
      assert.deepEqual(k.threads(99), []);
      assert.deepEqual(k.tasks(), [1, 50, 51, 52]);
    } finally {
      await k.close();
    }
  });
});

describe('watch: the connector\'s events as CoreSchedEvents', () => {
  it('fork of a process (parent: the forking thread), of a thread (parent: its process), exec, exit; each once', async () => {
    const proc = new FakeProc().add({ tid: 1, ppid: 0 }, { tid: 10, ppid: 1 });
    const { k, net } = await open({ procRoot: proc.root });
    try {
      const got: CoreSchedEvent[] = [];
      const off = k.watch((e) => got.push(e));
      net.push(fork(10, 10, 20, 20), fork(1, 1, 21, 20), exec(20, 20), fork(10, 10, 20, 20), exit(21, 20), exit(21, 20), exit(77, 77), exit(20, 20));
      await settle();
      assert.deepEqual(got, [
        { kind: 'fork', parent: 10, child: 20, thread: false },
        { kind: 'fork', parent: 20, child: 21, thread: true },
        { kind: 'exec', tid: 20 },
        { kind: 'exit', tid: 21 },
        { kind: 'exit', tid: 20 },
      ]);
      off();
      net.push(fork(10, 10, 30, 30));
      await settle();
      assert.equal(got.length, 5, 'nothing after the last unsubscribe');
    } finally {
      await k.close();
    }
  });

  it('after an overrun: exits for the tasks gone, forks for the new ones, parents first, zombies left out', async () => {
    const proc = new FakeProc().add({ tid: 1, ppid: 0 }, { tid: 10, ppid: 1 }, { tid: 11, ppid: 1 });
    const { k, net } = await open({ procRoot: proc.root });
    try {
      const got: CoreSchedEvent[] = [];
      k.watch((e) => got.push(e));
      // While events were lost: 11 exited; 90 forked 40 (both new, same tick), 40 started a thread 41; 95 is a zombie.
      proc.remove(11);
      proc.add({ tid: 40, ppid: 90, start: 500 }, { tid: 41, tgid: 40, ppid: 90, start: 500 }, { tid: 90, ppid: 10, start: 500 }, { tid: 95, ppid: 10, state: 'Z' });
      net.push({ errno: 105 }, fork(90, 90, 40, 40), exit(11, 11));
      await settle();
      assert.deepEqual(got, [
        { kind: 'exit', tid: 11 },
        { kind: 'fork', parent: 10, child: 90, thread: false },
        { kind: 'fork', parent: 90, child: 40, thread: false },
        { kind: 'fork', parent: 40, child: 41, thread: true },
      ], 'the queued events after the overrun repeat nothing');
    } finally {
      await k.close();
    }
  });

  it('a failure of the connector goes to onError; watch after close is EBADF', async () => {
    const errors: CgroupError[] = [];
    const { k, net } = await open({ onError: (e) => errors.push(e) });
    k.watch(() => undefined);
    net.push({ errno: 9 });
    await settle();
    assert.equal(errors[0]?.code, 'EBADF');
    await k.close();
    assert.throws(() => k.watch(() => undefined), (e: unknown) => e instanceof CgroupError && e.code === 'EBADF');
  });
});
