/**
 * `cgkit run --backend host` as a separate process (root only): a whole
 * run, a run stopped with SIGTERM (it cleans up), and a run killed with
 * SIGKILL (its workers end themselves; the sweep removes its groups).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { probeHostRun, type HostRunEnv } from '../../host/run/probe.js';
import { mountOfController } from '../../core/mounts.js';
import { sweepLeftovers } from '../../host/run/sweep.js';
import { startTicksOf } from '../../host/proc-stat.js';
import type { CliContext } from './context.js';
import { SUBCOMMANDS } from './index.js';

const probed = await probeHostRun();
const skip = typeof probed === 'string' ? `host run command tests: ${probed}` : false;
if (skip) console.log(`# skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'cgkit-run-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `cgkit run` as a command: main.ts once it has the subcommand, else the stand-alone entry beside this test. */
function entry(): string[] {
  const ts = import.meta.url.endsWith('.ts');
  const cli = { exitCode: 0 } as unknown as CliContext;
  const inMain = SUBCOMMANDS.some((make) => make(cli).name() === 'run');
  const file = fileURLToPath(new URL(inMain ? `../main.${ts ? 'ts' : 'js'}` : `./run-main.test-util.${ts ? 'ts' : 'js'}`, import.meta.url));
  return ts ? ['--import', 'tsx', file] : [file];
}

function scenario(name: string, duration: string): string {
  const f = join(dir, name);
  writeFileSync(f, `name: ${name}
machine: { cpus: 1 }
layout: hybrid
duration: ${duration}
groups:
  /guest: { cpu.shares: 2048 }
tasks:
  - { name: host, group: /, program: hog }
  - { name: guest, group: /guest, program: "fork { loop { run 5ms; sleep 5ms } }; hog" }
`);
  return f;
}

interface Run { child: ChildProcess; out: () => string; err: () => string; exited: Promise<{ code: number | null; signal: string | null }> }

function cgkit(...args: string[]): Run {
  const child = spawn(process.execPath, [...entry(), 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exited };
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  for (let waited = 0; ; waited += 20) {
    const v = fn();
    if (v !== undefined) return v;
    if (waited >= timeoutMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

describe('cgkit run --backend host', { skip }, () => {
  const env = probed as HostRunEnv;
  const roots = [...new Set(env?.layout?.mounts.map((m) => m.mountPoint) ?? [])];
  const runDirs = (pid: number): string[] => roots.flatMap((r) => readdirSync(r).filter((n) => n.startsWith(`cgkit-run-${pid}-`)).map((n) => join(r, n)));
  /** A live process (a zombie waiting for its reaper runs nothing). */
  const alive = (pid: number): boolean => startTicksOf(pid) !== undefined;

  /** Pids in the run's scenario groups of the cpu hierarchy, once the host task and the guest's two processes are there. */
  function workersOf(pid: number): number[] | undefined {
    const cpu = mountOfController(env.layout, 'cpu')!.mountPoint;
    const top = runDirs(pid).find((d) => d.startsWith(`${cpu}/`));
    if (!top) return undefined;
    const procs = (g: string): number[] => {
      try {
        return readFileSync(join(top, 'run', g, 'cgroup.procs'), 'utf8').split('\n').filter((w) => w !== '').map(Number);
      } catch {
        return [];
      }
    };
    const all = [...procs(''), ...procs('guest')];
    return procs('guest').length >= 2 && procs('').length >= 1 ? all : undefined;
  }

  it('runs the scenario, prints what the kernel measured, and removes its groups', async () => {
    const r = cgkit(scenario('whole.yaml', '1500ms'), '--backend', 'host', '--json');
    const st = await r.exited;
    assert.deepEqual(st, { code: 0, signal: null }, r.err());
    const result = JSON.parse(r.out()) as { backend: string; tasks: { name: string; runtimeNs: number }[]; groups: { path: string; runtimeNs: number }[] };
    assert.equal(result.backend, 'host');
    assert.deepEqual(result.tasks.map((t) => t.name).sort(), ['guest', 'guest', 'host']); // the guest's forked child has its name
    for (const t of result.tasks) assert.ok(t.runtimeNs > 0, `${t.name} ran`);
    for (const g of result.groups) assert.ok(g.runtimeNs > 0, `${g.path} used CPU`);
    assert.deepEqual(runDirs(r.child.pid!), []);
  });

  it('cleans up and exits 143 on SIGTERM', async () => {
    const r = cgkit(scenario('term.yaml', '30s'), '--backend', 'host');
    const workers = await until('the workers to run', () => workersOf(r.child.pid!));
    r.child.kill('SIGTERM');
    assert.deepEqual(await r.exited, { code: 143, signal: null });
    assert.match(r.err(), /SIGTERM: stopping the run and removing its groups/);
    assert.deepEqual(runDirs(r.child.pid!), []);
    for (const pid of workers) assert.equal(alive(pid), false, `worker ${pid}`);
  });

  it('leaves no worker running after a SIGKILL, and the sweep removes its groups', async () => {
    const r = cgkit(scenario('kill.yaml', '30s'), '--backend', 'host');
    const pid = r.child.pid!;
    const workers = await until('the workers to run', () => workersOf(pid));
    r.child.kill('SIGKILL');
    assert.deepEqual(await r.exited, { code: null, signal: 'SIGKILL' });
    // Nobody kills them: each worker notices the run is gone and ends itself.
    await until('the workers to end themselves', () => (workers.some(alive) ? undefined : true), 5_000);
    const left = runDirs(pid);
    assert.ok(left.length >= 3, `groups left behind: ${left.join(', ')}`);
    const swept = await sweepLeftovers(env.fs, env.layout);
    assert.deepEqual(swept.errors, []);
    assert.deepEqual(swept.killed, []);
    for (const d of left) assert.ok(swept.removed.includes(d), d);
    assert.deepEqual(runDirs(pid), []);
  });
});
