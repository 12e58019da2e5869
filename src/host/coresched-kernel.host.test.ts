/**
 * HostCoreSchedKernel on the running kernel: /proc read for real children,
 * the connector's events for real forks. This host has no core scheduling
 * (prctl EINVAL), so the prctl binding is a recording fake where the
 * kernel is opened. Only processes started here are signalled, by the pid
 * held; every kernel is closed in `finally`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreSchedEvent } from '../core/coresched.js';
import { coreSchedSupport, type PrctlSys } from './coresched.js';
import { openHostCoreSched, type HostCoreSchedKernel, type HostCoreSchedOptions } from './coresched-kernel.js';

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root: the tests start processes as another user and open the process-event connector';
  try {
    return /^cn_proc\s+1:1$/m.test(readFileSync('/proc/net/connector', 'utf8')) ? false : 'kernel without CONFIG_PROC_EVENTS (no cn_proc in /proc/net/connector)';
  } catch {
    return 'kernel without CONFIG_CONNECTOR (no /proc/net/connector)';
  }
}
const skip = skipReason();
if (skip) console.log(`skipping the host core scheduling kernel tests: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'cgkit-coresched-host-'));
const started: ChildProcess[] = [];
after(async () => {
  for (const c of started) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((resolve) => c.once('exit', resolve));
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const okPrctl: PrctlSys = { schedCore: () => 0 };

async function withKernel(body: (k: HostCoreSchedKernel) => Promise<void>, opts: HostCoreSchedOptions = {}): Promise<void> {
  const r = await openHostCoreSched({ sys: okPrctl, ...opts });
  assert.ok('kernel' in r, 'error' in r ? r.error : '');
  try {
    await body(r.kernel);
  } finally {
    await r.kernel.close();
  }
}

function start(cmd: string, args: string[], opts: Parameters<typeof spawn>[2] = {}): ChildProcess & { pid: number } {
  const c = spawn(cmd, args, { stdio: 'ignore', ...opts });
  started.push(c);
  assert.ok(c.pid !== undefined, `${cmd} started`);
  return c as ChildProcess & { pid: number };
}

async function waitFor(done: () => boolean, what: string, guardMs = 15_000): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > guardMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

const support = coreSchedSupport();
describe('openHostCoreSched on this host', { skip: support.code !== 'EINVAL' && `core scheduling here: ${support.why ?? 'supported'}` }, () => {
  it('refuses with the missing kernel feature and EINVAL', async () => {
    const r = await openHostCoreSched();
    assert.ok('error' in r);
    assert.equal(r.code, 'EINVAL');
    assert.match(r.error, /built without core scheduling \(CONFIG_SCHED_CORE\)/);
  });
});

describe('HostCoreSchedKernel on this host', { skip }, () => {
  it('task(): a child whose name holds ") (", its parent, process group and uid', async () => {
    const odd = join(dir, 'a) b (c');
    symlinkSync('/bin/sleep', odd);
    const mine = start(odd, ['30']);
    const other = start('sleep', ['30'], { uid: 65534, gid: 65534, detached: true });
    await withKernel(async (k) => {
      await waitFor(() => k.task(mine.pid)?.name === 'a) b (c', 'the exec of the child');
      assert.deepEqual(k.task(mine.pid), { tid: mine.pid, tgid: mine.pid, ppid: process.pid, pgid: k.task(process.pid)?.pgid, uid: 0, name: 'a) b (c' });
      await waitFor(() => k.task(other.pid)?.name === 'sleep', 'the exec of the other child');
      assert.deepEqual([k.task(other.pid)?.uid, k.task(other.pid)?.pgid], [65534, other.pid], 'detached: its own process group');
      mine.kill('SIGKILL');
      await new Promise((resolve) => mine.once('exit', resolve));
      assert.equal(k.task(mine.pid), undefined, 'reaped: gone');
    });
  });

  it('threads() of a node child: its leader first, then its threads; tasks() lists them all, ascending', async () => {
    const child = start(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await withKernel(async (k) => {
      await waitFor(() => readdirSync(`/proc/${child.pid}/task`).length > 1, 'node\'s threads');
      const threads = k.threads(child.pid);
      assert.equal(threads[0], child.pid);
      assert.deepEqual(threads.slice(1), [...threads.slice(1)].sort((a, b) => a - b));
      assert.ok(threads.length > 1);
      const thread = threads[1] ?? 0;
      assert.equal(k.task(thread)?.tgid, child.pid, 'a thread\'s task() names its process');
      assert.deepEqual(k.threads(thread), [], 'a thread is not a thread group');
      const all = k.tasks();
      assert.deepEqual(all, [...all].sort((a, b) => a - b));
      for (const t of [process.pid, ...threads]) assert.ok(all.includes(t), `tasks() has ${t}`);
    });
  });

  it('a zombie is a task() but not among the live tasks()', async () => {
    // sh starts `true` in the background and becomes `sleep`, which never reaps it.
    const parent = start('sh', ['-c', 'true & exec sleep 30']);
    await withKernel(async (k) => {
      let zombie: number | undefined;
      await waitFor(() => {
        zombie = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)
          .find((p) => { try { return / Z \d+ /.test(readFileSync(`/proc/${p}/stat`, 'utf8')) && k.task(p)?.ppid === parent.pid; } catch { return false; } });
        return zombie !== undefined;
      }, 'the zombie');
      assert.equal(k.task(zombie ?? 0)?.ppid, parent.pid);
      assert.ok(!k.tasks().includes(zombie ?? 0));
    });
  });

  it('watch(): fork, exec and exit of a child and its subshell, as CoreSchedEvents', async () => {
    await withKernel(async (k) => {
      const got: CoreSchedEvent[] = [];
      k.watch((e) => got.push(e));
      const child = start('sh', ['-c', '(exit 3) & wait']);
      await waitFor(() => got.some((e) => e.kind === 'exit' && e.tid === child.pid), `the exit of ${child.pid}`);
      assert.deepEqual(got.find((e) => e.kind === 'fork' && e.child === child.pid), { kind: 'fork', parent: process.pid, child: child.pid, thread: false });
      assert.ok(got.some((e) => e.kind === 'exec' && e.tid === child.pid));
      const sub = got.find((e) => e.kind === 'fork' && e.parent === child.pid);
      assert.ok(sub?.kind === 'fork' && !sub.thread, 'sh forked the subshell');
      assert.ok(got.some((e) => e.kind === 'exit' && e.tid === sub.child), 'the subshell exited');
    });
  });

  it('watch(): node\'s threads are forks with thread set and their process as parent', async () => {
    await withKernel(async (k) => {
      const got: CoreSchedEvent[] = [];
      k.watch((e) => got.push(e));
      const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await waitFor(() => got.some((e) => e.kind === 'exit' && e.tid === r.pid), `the exit of ${r.pid}`);
      const threads = got.filter((e) => e.kind === 'fork' && e.thread && e.parent === r.pid);
      assert.ok(threads.length > 0);
      for (const t of threads) assert.ok(t.kind === 'fork' && got.some((e) => e.kind === 'exit' && e.tid === t.child), 'each thread exited');
    });
  });

  it('watch() after lost events: a process whose fork was dropped is reported from /proc, and its exit', async () => {
    await withKernel(async (k) => {
      const got: CoreSchedEvent[] = [];
      k.watch((e) => got.push(e));
      const pidFile = join(dir, 'bg.pid');
      // spawnSync blocks this thread: 300 processes fill the small buffer, then the background sleep's fork is dropped.
      spawnSync('sh', ['-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; sleep 30 & echo $! > "$1"', 'sh', pidFile], { stdio: 'ignore' });
      const bg = Number(readFileSync(pidFile, 'utf8'));
      try {
        await waitFor(() => got.some((e) => e.kind === 'fork' && e.child === bg), `a fork for ${bg}`);
        const f = got.find((e) => e.kind === 'fork' && e.child === bg);
        assert.ok(f?.kind === 'fork' && !f.thread);
      } finally {
        process.kill(bg, 'SIGKILL');
      }
      await waitFor(() => got.some((e) => e.kind === 'exit' && e.tid === bg), `the exit of ${bg}`);
    }, { events: { receiveBufferBytes: 16 << 10 } });
  });
});
