/**
 * The worker on the real kernel (root only): step semantics measured by the
 * kernel's own counters, fork and thread placement, memory charged to its
 * memory cgroup, and the self-exit when the run that started it is gone.
 * Every group is a fresh `cgkit-test-<hex>`; every worker is killed by the
 * pid held and the groups removed at the end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseProgram } from '../../sim/program-text.js';
import { probeHostRun, type HostRunEnv } from '../run/probe.js';
import { mountOfController } from '../../core/mounts.js';
import { startWorker, type WorkerProc } from '../run/worker-proc.js';
import { Scratch } from '../scratch.js';
import { toWire, type Report, type WorkerConfig } from './protocol.js';
import { startTicksOf } from '../proc-stat.js';

const probed = await probeHostRun();
const skip = typeof probed === 'string' ? `host worker tests: ${probed}` : false;
if (skip) console.log(`# skipped: ${skip}`);

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  for (let waited = 0; ; waited += 10) {
    const v = await fn();
    if (v !== undefined) return v;
    if (waited >= timeoutMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

describe('the worker on the host kernel', { skip }, () => {
  const env = probed as HostRunEnv;
  let scratch: Scratch;
  let cpuGroup: string;
  const procs: WorkerProc[] = [];
  const self = { pid: process.pid, startTicks: startTicksOf(process.pid) ?? '' };

  before(async () => {
    scratch = new Scratch(env.fs);
    cpuGroup = await scratch.top(mountOfController(env.layout, 'cpu')!.mountPoint);
  });
  after(async () => {
    await Promise.all(procs.map(async (p) => { p.handle.kill('SIGKILL'); await p.handle.exited; }));
    await scratch.dispose();
  });

  async function start(program: string, opts: { groups?: string[]; owner?: WorkerConfig['owner']; deadlineMs?: number; nice?: number } = {}): Promise<{ proc: WorkerProc; reports: Report[] }> {
    const reports: Report[] = [];
    const cfg: WorkerConfig = {
      program: toWire(parseProgram(program)), name: 'w', cpuMap: env.allowedCpus, waitGo: true,
      owner: opts.owner ?? self, deadlineMs: opts.deadlineMs ?? Date.now() + 60_000,
      ...(opts.nice !== undefined ? { nice: opts.nice } : {}),
    };
    const proc = await startWorker(env.fs, (opts.groups ?? [cpuGroup]).map((g) => `${g}/cgroup.procs`), cfg, (r) => reports.push(r));
    procs.push(proc);
    return { proc, reports };
  }

  const reportOf = <K extends Report['kind']>(reports: Report[], kind: K, tid?: number): Extract<Report, { kind: K }> | undefined =>
    reports.find((r): r is Extract<Report, { kind: K }> => r.kind === kind && (tid === undefined || ('tid' in r && r.tid === tid)));

  it('spends exactly the CPU time of its run steps, blocks in sleeps, and exits with its code', async () => {
    const { proc, reports } = await start('run 300ms; sleep 200ms; exit 7');
    proc.go();
    assert.deepEqual(await proc.handle.exited, { code: 7, signal: null });
    const task = reportOf(reports, 'task', proc.pid)!;
    const exit = reportOf(reports, 'exit', proc.pid)!;
    assert.ok(task && exit, JSON.stringify(reports));
    const cpuMs = (exit.runtimeNs - task.runtimeNs) / 1e6;
    assert.ok(cpuMs >= 300 && cpuMs < 400, `CPU time of the program ${cpuMs} ms`);
    assert.ok(exit.nvcsw > task.nvcsw, 'the sleep blocked');
  });

  it('takes its nice value before the first step', async () => {
    const { proc } = await start('sleep 10ms', { nice: 7 });
    const stat = readFileSync(`/proc/${proc.pid}/stat`, 'latin1');
    assert.equal(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16], '7'); // field 19, nice
    proc.go();
    await proc.handle.exited;
  });

  it('forks a child process in its own groups that runs the child program', async () => {
    const { proc, reports } = await start('fork { name kid; run 100ms; sleep 500ms; exit 3 }; sleep 3s');
    proc.go();
    const kid = await until('the child', () => reports.find((r) => r.kind === 'task' && r.name === 'kid'));
    assert.equal(kid.kind, 'task');
    if (kid.kind !== 'task') return;
    assert.notEqual(kid.tgid, proc.pid);
    assert.equal(kid.tid, kid.tgid, 'a process of its own');
    const procsNow = readFileSync(`${cpuGroup}/cgroup.procs`, 'utf8');
    assert.ok(procsNow.split('\n').includes(String(kid.tgid)), `child ${kid.tgid} in ${cpuGroup}: ${procsNow}`);
    const status = readFileSync(`/proc/${kid.tgid}/status`, 'latin1');
    assert.match(status, new RegExp(`^PPid:\\s+${proc.pid}$`, 'm'));
    proc.handle.kill('SIGKILL');
    await proc.handle.exited;
    // Its parent is gone, not the run: the child goes on, as a forked process does, to the end of its program.
    const end = await until('the child to end', () => reportOf(reports, 'exit', kid.tid));
    assert.ok(end.runtimeNs - kid.runtimeNs >= 100e6, `child CPU ${(end.runtimeNs - kid.runtimeNs) / 1e6} ms`);
  });

  it('starts a thread of the same process, listed in the group\'s tasks, that runs the thread program', async () => {
    const { proc, reports } = await start('thread { name th; run 100ms; sleep 100ms }; sleep 3s');
    proc.go();
    const th = await until('the thread', () => reports.find((r) => r.kind === 'task' && r.name === 'th'));
    if (th.kind !== 'task') throw new Error('not a task report');
    assert.equal(th.tgid, proc.pid);
    assert.notEqual(th.tid, proc.pid);
    assert.ok(readFileSync(`${cpuGroup}/tasks`, 'utf8').split('\n').includes(String(th.tid)), 'the thread is in the group');
    const exit = await until('the thread to end', () => reportOf(reports, 'exit', th.tid));
    assert.ok(exit.runtimeNs - th.runtimeNs >= 100e6, `thread CPU ${(exit.runtimeNs - th.runtimeNs) / 1e6} ms`);
    assert.equal(proc.done, undefined, 'the process goes on after its thread ended');
    proc.handle.kill('SIGKILL');
    await proc.handle.exited;
  });

  it('charges what it allocates to its memory group, and uncharges what it frees', async (t) => {
    const mem = mountOfController(env.layout, 'memory');
    if (!mem) return t.skip('no memory hierarchy');
    const group = await scratch.top(mem.mountPoint);
    const usageFile = `${group}/${mem.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'}`;
    const usage = async (): Promise<number> => Number((await env.fs.readFile(usageFile)).trim());
    const { proc } = await start('alloc 96M; sleep 1500ms; free 96M; sleep 20s', { groups: [cpuGroup, group] });
    const idle = await usage();
    proc.go();
    const held = await until('the allocation to be charged', async () => { const u = await usage(); return u >= idle + 90 * 2 ** 20 ? u : undefined; });
    await until('the memory to be uncharged', async () => ((await usage()) <= held - 80 * 2 ** 20 ? true : undefined));
    proc.handle.kill('SIGKILL');
    await proc.handle.exited;
  });

  it('ends itself once the run that started it is gone, and at its deadline', async () => {
    const owner = scratch.spawnSleeper(60);
    const byOwner = await start('hog', { owner: { pid: owner.pid, startTicks: startTicksOf(owner.pid)! } });
    const byDeadline = await start('hog', { deadlineMs: Date.now() + 2500 }); // time to load first
    byOwner.proc.go();
    byDeadline.proc.go();
    await owner.kill();
    assert.deepEqual(await byOwner.proc.handle.exited, { code: null, signal: 'SIGKILL' });
    assert.deepEqual(await byDeadline.proc.handle.exited, { code: null, signal: 'SIGKILL' });
  });
});
