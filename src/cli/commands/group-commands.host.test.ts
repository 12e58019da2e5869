/**
 * The group commands on this machine's kernel (root on a writable
 * cgroupfs). Every test works in its own `/cgkit-test-<hex>` group, starts
 * only its own processes, and removes the group in `finally`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { Cgroup } from '../../api/cgroup.js';
import { openTestHost } from '../../host/host-test.test-util.js';
import type { HostKernel } from '../../host/kernel.js';
import { cgkit } from './group-cli.test-util.js';

/** Run `body` with a fresh group name on the host; the group is removed (killing what is left) afterwards. */
async function withGroup(t: TestContext, body: (k: HostKernel, path: string) => Promise<void>): Promise<void> {
  const k = await openTestHost();
  if (typeof k === 'string') {
    t.diagnostic(`skipped: ${k}`);
    t.skip(k);
    return;
  }
  const path = `/cgkit-test-${randomBytes(6).toString('hex')}`;
  try {
    await body(k, path);
  } finally {
    const g = await Cgroup.open(k, path).catch(() => undefined);
    await g?.delete({ kill: true });
  }
}

const gone = async (k: HostKernel, path: string): Promise<void> => {
  await assert.rejects(Cgroup.open(k, path), { code: 'ENOENT' });
};

/** `cgkit` as its own process (for signals sent to it). */
function cgkitProcess(args: string[]): { pid: number; running: () => boolean; done: Promise<{ status: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const here = fileURLToPath(import.meta.url);
  const mainFile = fileURLToPath(new URL(here.endsWith('.ts') ? '../main.ts' : '../main.js', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), mainFile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  return {
    pid: child.pid!,
    // Not yet reaped: its pid is still its own.
    running: () => child.exitCode === null && child.signalCode === null,
    done: new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, out }))),
  };
}

/** Wait until the group at `path` holds a process (cgkit made it and started the command). */
async function populated(k: HostKernel, path: string): Promise<void> {
  for (let i = 0; i < 400 && (await Cgroup.open(k, path).then((g) => g.procs({ recursive: true }), () => [])).length === 0; i++) await k.sleep(25);
}

describe('cgkit group commands on the host kernel', () => {
  it('exec: the command starts in the new group in every hierarchy, its status comes back, the group is removed', async (t) => {
    await withGroup(t, async (k, path) => {
      const r = await cgkit(['exec', '-g', path, '--cpu-max', '50000/100000', '--memory-max', '64M', '--pids-max', '50', '--', 'cat', '/proc/self/cgroup']);
      assert.equal(r.status, 0, r.err);
      const lines = r.out.split('\n');
      assert.ok(lines.some((l) => /^\d+:cpu:/.test(l) && l.endsWith(`:${path}`)) || lines.some((l) => l === `0::${path}`), r.out);
      if (k.layout.mounts.some((m) => m.version === 1 && m.controllers.includes('cpu'))) assert.ok(lines.some((l) => /^\d+:cpu:/.test(l) && l.endsWith(`:${path}`)), r.out);
      if (k.layout.mounts.some((m) => m.version === 2)) assert.ok(lines.includes(`0::${path}`), r.out);
      await gone(k, path);

      assert.equal((await cgkit(['exec', '-g', path, '--', 'sh', '-c', 'exit 7'])).status, 7);
      assert.equal((await cgkit(['exec', '-g', path, '--', 'sh', '-c', 'kill -TERM $$'])).status, 128 + 15);
      assert.equal((await cgkit(['exec', '-g', path, '--', '/nonexistent/cgkit-test'])).status, 127);
      await gone(k, path);
    });
  });

  it('exec: a bad limit is 125 and nothing is made; an existing group is used and kept', async (t) => {
    await withGroup(t, async (k, path) => {
      const r = await cgkit(['exec', '-g', path, '--cpu-weight', '0', '--', 'true']);
      assert.equal(r.status, 125);
      assert.match(r.err, /ERANGE/);
      await gone(k, path);
      assert.equal((await cgkit(['create', path, 'pids.max=40'])).status, 0);
      const x = await cgkit(['exec', '-g', path, '--cpu-weight', '300', '--', 'true']);
      assert.equal(x.status, 0, x.err);
      assert.equal(await (await Cgroup.open(k, path)).get('cpu.weight'), 300);
      assert.equal(await (await Cgroup.open(k, path)).get('pids.max'), 40);
    });
  });

  it('exec: SIGTERM to cgkit reaches the command; the group is removed after', async (t) => {
    await withGroup(t, async (k, path) => {
      const p = cgkitProcess(['exec', '-g', path, '--', 'sh', '-c', 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.05; done']);
      await populated(k, path);
      await k.sleep(300); // let the shell set its trap
      process.kill(p.pid, 'SIGTERM');
      const { status, out } = await p.done;
      assert.equal(out, 'ready\ngot-term\n');
      assert.equal(status, 9);
      await gone(k, path);
    });
  });

  it('exec: signals that come while cgkit cleans up are ignored: the group is still removed', async (t) => {
    await withGroup(t, async (k, path) => {
      const p = cgkitProcess(['exec', '-g', path, '--', 'sh', '-c', 'sleep 0.2']);
      await populated(k, path);
      // SIGTERM after SIGTERM from here until cgkit has exited: the first reaches the command,
      // the others come while cgkit removes the group.
      let sent = 0;
      while (p.running()) {
        process.kill(p.pid, 'SIGTERM');
        sent++;
        await k.sleep(2);
      }
      const { status, signal } = await p.done;
      assert.ok(sent > 1);
      await gone(k, path);
      // Once the group is gone, a SIGTERM may still end cgkit while Node shuts down (it restores the
      // default action then): either way, the command's status or that SIGTERM.
      assert.ok(status === 128 + 15 || signal === 'SIGTERM', `status ${status}, signal ${signal}`);
    });
  });

  it('exec: once the command exits, what it left running holds its output open no longer: it is killed with the group', { timeout: 120_000 }, async (t) => {
    await withGroup(t, async (k, path) => {
      const r = await cgkit(['exec', '-g', path, '--', 'sh', '-c', 'sleep 600 & echo "left $!"']);
      assert.equal(r.status, 0, r.err);
      const m = /^left (\d+)\n$/.exec(r.out);
      assert.ok(m, r.out);
      const cmdline = (): string => { try { return readFileSync(`/proc/${m[1]}/cmdline`, 'latin1'); } catch { return ''; } };
      assert.notEqual(cmdline(), 'sleep\x00600\x00', 'the background sleep is gone');
      await gone(k, path);
    });
  });

  it('exec: parents made for the group are removed with it; a parent that was there stays', async (t) => {
    await withGroup(t, async (k, path) => {
      let r = await cgkit(['exec', '-g', `${path}/a/b`, '--', 'true']);
      assert.equal(r.status, 0, r.err);
      await gone(k, path);
      assert.equal((await cgkit(['create', path])).status, 0);
      r = await cgkit(['exec', '-g', `${path}/a/b`, '--', 'true']);
      assert.equal(r.status, 0, r.err);
      await gone(k, `${path}/a`);
      await Cgroup.open(k, path);
    });
  });

  it('create, set, get, stat, delete on a group of our own; a refused value changes nothing', async (t) => {
    await withGroup(t, async (k, path) => {
      let r = await cgkit(['create', path, 'cpu.weight=200', 'memory.max=64M', 'pids.max=50', 'cpu.max=20000/100000']);
      assert.equal(r.status, 0, r.err);
      r = await cgkit(['get', path, 'cpu.weight', 'memory.max', 'pids.max', 'cpu.max']);
      assert.equal(r.out, 'cpu.weight=200\nmemory.max=67108864\npids.max=50\ncpu.max=20000/100000\n');
      r = await cgkit(['set', path, 'pids.max=9', 'cpu.weight=0']);
      assert.equal(r.status, 1);
      assert.match(r.err, /^cgkit: ERANGE: /);
      r = await cgkit(['set', path, 'memory.max=128M', 'cpu.max=max']);
      assert.equal(r.status, 0, r.err);
      r = await cgkit(['get', '--json', path, 'cpu.weight', 'memory.max', 'pids.max', 'cpu.max']);
      assert.deepEqual(JSON.parse(r.out), { path, settings: { 'cpu.weight': 200, 'memory.max': 128 * 2 ** 20, 'pids.max': 50, 'cpu.max': { quotaUs: 'max', periodUs: 100000 } } });
      const g = await Cgroup.open(k, path);
      const h = await g.exec(['sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'], { stdio: 'ignore' });
      await h.exited;
      r = await cgkit(['stat', '--json', path]);
      assert.equal(r.status, 0, r.err);
      const s = JSON.parse(r.out) as { path: string; cpu: { usageUsec: number }; memory: { max: number }; pids: { current: number; max: number } };
      assert.equal(s.path, path);
      assert.ok(s.cpu.usageUsec > 0);
      assert.equal(s.memory.max, 128 * 2 ** 20);
      assert.equal(s.pids.max, 50);
      assert.match(r.out, /"max": 134217728/);
      const text = await cgkit(['stat', path]);
      assert.match(text.out, /^memory\.max +134217728$/m);
      r = await cgkit(['delete', path]);
      assert.equal(r.status, 0, r.err);
      await gone(k, path);
    });
  });

  it('kill empties a group whose command forks; the forked children die too', async (t) => {
    await withGroup(t, async (k, path) => {
      const g = await Cgroup.create(k, path);
      const h = await g.exec(['sh', '-c', 'sleep 30 & sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
      for (let i = 0; i < 200 && (await g.procs()).length < 4; i++) await k.sleep(20);
      assert.equal((await g.procs()).length, 4);
      const r = await cgkit(['kill', path]);
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, new RegExp(`^${path}: SIGKILL sent to 4 processes\\n$`));
      assert.deepEqual(await g.procs(), []);
      assert.equal((await h.exited).signal, 'SIGKILL');
    });
  });

  it('freeze stops the group using CPU, thaw lets it run again', async (t) => {
    await withGroup(t, async (k, path) => {
      const g = await Cgroup.create(k, path);
      await g.exec(['sh', '-c', 'while :; do :; done'], { stdio: 'ignore' });
      await k.sleep(100);
      let r = await cgkit(['freeze', path]);
      assert.equal(r.status, 0, r.err);
      const a = (await g.stats()).cpu!.usageUsec;
      await k.sleep(300);
      assert.equal((await g.stats()).cpu!.usageUsec, a, 'no CPU time while frozen');
      r = await cgkit(['thaw', path]);
      assert.equal(r.status, 0, r.err);
      let b = a;
      for (let i = 0; i < 100 && b === a; i++) {
        await k.sleep(50);
        b = (await g.stats()).cpu!.usageUsec;
      }
      assert.ok(b > a, 'runs again once thawed');
    });
  });

  it('tree and events see our group', async (t) => {
    await withGroup(t, async (k, path) => {
      const g = await Cgroup.create(k, path);
      const h = await g.exec(['sleep', '0.5'], { stdio: 'ignore' });
      const tr = await cgkit(['tree', path]);
      assert.equal(tr.out, `${path}\n└─${h.pid} sleep 0.5\n`);
      // --initial gives populated, and frozen where a v2 tree is mounted; then the sleep ends.
      const n = k.layout.mounts.some((m) => m.version === 2) ? 3 : 2;
      const ev = await cgkit(['events', '--json', '--initial', path, '-n', String(n), '--timeout', '30']);
      assert.equal(ev.status, 0, ev.err);
      const types = ev.out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; populated?: boolean });
      assert.deepEqual(types.filter((e) => e.type === 'populated').map((e) => e.populated), [true, false]);
    });
  });
});
