/**
 * The process-event connector of the running kernel (root; CONFIG_PROC_EVENTS).
 * Only processes started here are waited for or signalled, by the pid held.
 * Every watcher is closed in `finally`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcEvents, type ProcEventMessage, type ProcExitEvent, type ProcForkEvent } from './proc-events.js';

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root: the connector tests open a netlink socket that older kernels keep to CAP_NET_ADMIN';
  let table: string;
  try {
    table = readFileSync('/proc/net/connector', 'utf8');
  } catch {
    return 'no /proc/net/connector: kernel without CONFIG_CONNECTOR';
  }
  return /^cn_proc\s+1:1$/m.test(table) ? false : 'no cn_proc in /proc/net/connector: kernel without CONFIG_PROC_EVENTS';
}
const skip = skipReason();
if (skip) console.log(`skipping the process-event connector tests: ${skip}`);

/** Wait until `done()` holds; a guard against a hang, not a timing assertion. */
async function waitFor(done: () => boolean, what: string, guardMs = 15_000): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > guardMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

/** Subscribe, collecting every message; `tree` collects the pids descending from `root` once set. */
function collect(pe: ProcEvents): { seen: ProcEventMessage[]; tree: Set<number> } {
  const seen: ProcEventMessage[] = [];
  const tree = new Set<number>();
  pe.subscribe((e) => {
    if (e.kind === 'fork' && tree.has(e.parentTgid)) tree.add(e.childPid);
    seen.push(e);
  });
  return { seen, tree };
}

describe('the process-event connector on this host', { skip }, () => {
  it('reports fork, exec and exit of a child, with the pids cgkit holds', async () => {
    const pe = await ProcEvents.open();
    try {
      const { seen, tree } = collect(pe);
      const child = spawn('sh', ['-c', '(exit 3) & wait'], { stdio: 'ignore' });
      const pid = child.pid ?? 0;
      tree.add(pid);
      const exitOf = (p: number): ProcExitEvent | undefined => seen.find((e): e is ProcExitEvent => e.kind === 'exit' && e.pid === p);
      await waitFor(() => exitOf(pid) !== undefined, `the exit of sh ${pid}`);

      const forked = seen.find((e): e is ProcForkEvent => e.kind === 'fork' && e.childPid === pid);
      assert.ok(forked, 'fork of the child');
      assert.equal(forked.childTgid, pid, 'a process: pid = tgid');
      assert.equal(forked.parentTgid, process.pid, 'forked by this process');
      assert.ok(seen.some((e) => e.kind === 'exec' && e.pid === pid && e.tgid === pid), 'exec of sh');
      assert.deepEqual([exitOf(pid)?.status, exitOf(pid)?.parentTgid, exitOf(pid)?.exitSignal], [0, process.pid, 17]);
      // The subshell `(exit 3)` is a descendant of sh and exits with status 3.
      const sub = [...tree].filter((p) => p !== pid).map(exitOf);
      assert.ok(sub.some((e) => e?.status === 3), `a descendant of ${pid} exited with 3: ${sub.map((e) => e?.status).join(",")}`);
      // Order: the fork before the exec before the exit.
      const at = (pred: (e: ProcEventMessage) => boolean): number => seen.findIndex(pred);
      assert.ok(at((e) => e === forked) < at((e) => e.kind === 'exec' && e.pid === pid));
      assert.ok(at((e) => e.kind === 'exec' && e.pid === pid) < at((e) => e === exitOf(pid)));
    } finally {
      await pe.close();
    }
  });

  it('a new thread: child pid ≠ tgid, its parent is the process\'s own parent; its exit goes with exit_signal -1', async () => {
    const pe = await ProcEvents.open();
    try {
      const { seen } = collect(pe);
      // Node starts several threads (V8 platform, libuv) before running any script.
      const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
      assert.equal(r.status, 0);
      const pid = r.pid;
      await waitFor(() => seen.some((e) => e.kind === 'exit' && e.pid === pid), `the exit of node ${pid}`);
      const threads = seen.filter((e): e is ProcForkEvent => e.kind === 'fork' && e.childTgid === pid && e.childPid !== pid);
      assert.ok(threads.length > 0, 'node started threads');
      for (const t of threads) assert.equal(t.parentTgid, process.pid, 'the real parent of the thread group, not the creating thread');
      const gone = seen.filter((e): e is ProcExitEvent => e.kind === 'exit' && threads.some((t) => t.childPid === e.pid));
      assert.ok(gone.length > 0 && gone.every((e) => e.tgid === pid && e.exitSignal === -1));
    } finally {
      await pe.close();
    }
  });

  it('a full receive buffer: the kernel drops events and subscribers get an overrun, then events again', async () => {
    const pe = await ProcEvents.open({ receiveBufferBytes: 16 << 10 }); // room for a few dozen events
    try {
      const { seen } = collect(pe);
      // spawnSync blocks this thread, so nothing drains the socket while 300 processes come and go (900 events).
      spawnSync('sh', ['-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done'], { stdio: 'ignore' });
      await waitFor(() => seen.some((e) => e.kind === 'overrun'), 'an overrun');
      // Events flow again. (Other processes on the machine may fill the small buffer too: try a few children.)
      const exited = (pid: number | undefined): boolean => seen.some((e) => e.kind === 'exit' && e.pid === pid);
      let heard = false;
      for (let i = 0; i < 20 && !heard; i++) {
        const child = spawn('true', [], { stdio: 'ignore' });
        await new Promise((resolve) => child.on('exit', resolve));
        await waitFor(() => exited(child.pid), 'a drain', 1_000).catch(() => undefined);
        heard = exited(child.pid);
      }
      assert.ok(heard, 'the exit of a child started after the overrun was reported');
    } finally {
      await pe.close();
    }
  });

  /** Run `body` (ESM, `ProcEvents` and `procEventsSupport` in scope) in a fresh node, as `uid` when given. */
  function child(body: string, uid?: number): SpawnSyncReturns<string> {
    const here = dirname(fileURLToPath(import.meta.url));
    const ts = import.meta.url.endsWith('.ts');
    const script = `const { ProcEvents, procEventsSupport } = await import(${JSON.stringify(`${here}/proc-events${ts ? '.ts' : '.js'}`)});\n${body}`;
    return spawnSync(process.execPath, [...(ts ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', cwd: dirname(dirname(here)), ...(uid === undefined ? {} : { uid, gid: uid }),
    });
  }

  it('after close() nothing is left pending: a process that closed its watcher exits by itself', () => {
    const r = child(`const pe = await ProcEvents.open(); let n = 0; pe.subscribe(() => { n++; });
      await new Promise((r) => setTimeout(r, 100)); await pe.close(); console.log('closed');`);
    assert.deepEqual([r.status, r.signal, r.stdout.trim()], [0, null, 'closed'], r.stderr);
  });

  it('an unprivileged user (uid 65534, no capabilities) may listen, or is refused with EPERM naming CAP_NET_ADMIN', () => {
    const r = child('console.log(JSON.stringify(await procEventsSupport()));', 65534);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { supported: boolean; code?: string; why?: string };
    if (!s.supported) {
      assert.equal(s.code, 'EPERM');
      assert.match(s.why ?? '', /CAP_NET_ADMIN/);
    }
    console.log(`uid 65534 on Linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}: ${s.supported ? 'may listen' : `refused: ${s.why ?? ''}`}`);
  });
});
