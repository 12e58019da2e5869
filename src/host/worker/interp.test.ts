import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProgram } from '../../sim/program-text.js';
import { Interpreter, type Shared } from './interp.js';
import { toWire } from './protocol.js';
import type { ThreadEnv } from './thread-env.js';

/** A thread whose clock only moves when it spins or sleeps; it records what it was asked to do. */
class FakeEnv {
  readonly tid = 1;
  readonly tgid = 1;
  t = 0;
  readonly log: string[] = [];
  now(): number { return this.t; }
  checks = 0;
  /** The guard ends the worker (here: throws) at this check; never by default. */
  killAt = Infinity;
  check(): void {
    if (++this.checks >= this.killAt) throw new Error('killed by the guard');
  }
  spin(ns: number): void {
    this.log.push(`run ${ns}`);
    this.t += ns + this.overrun;
  }
  sleepUntil(untilNs: number): void {
    this.log.push(`sleep until ${untilNs}`);
    this.t = Math.max(this.t, untilNs);
  }
  /** Wall time a `run` takes beyond its CPU time (preemption). */
  overrun = 0;
}

const shared: Shared = { owner: { pid: 1, startTicks: '0' }, deadlineMs: 0, cpuMap: [0], script: '/nonexistent' };

function exec(text: string, env = new FakeEnv()): { code: number | undefined; log: string[] } {
  const p = toWire(parseProgram(text));
  const code = new Interpreter(env as unknown as ThreadEnv, 't', shared, new SharedArrayBuffer(16)).run(p.steps);
  return { code, log: env.log };
}

describe('the worker interpreter', () => {
  it('spins for run steps and blocks for sleep steps measured from the step start', () => {
    assert.deepEqual(exec('run 5ms; sleep 10ms; run 1ms'), {
      code: undefined,
      log: ['run 5000000', 'sleep until 15000000', 'run 1000000'],
    });
  });

  it('skips zero-length steps and zero-count loops', () => {
    assert.deepEqual(exec('run 0ns; sleep 0ns; loop 0 { run 1ms }; run 2ms').log, ['run 2000000']);
  });

  it('keeps a timer in phase and skips the boundaries it missed', () => {
    const env = new FakeEnv();
    env.overrun = 25_000_000; // every run step takes 25 ms of wall time more than its CPU time
    const { log } = exec('loop 3 { timer 10ms; run 1ms }', env);
    assert.deepEqual(log, [
      'sleep until 10000000', 'run 1000000', // first use: one period from now
      'sleep until 40000000', 'run 1000000', // now 36 ms: the boundaries at 20 and 30 ms were missed
      'sleep until 70000000', 'run 1000000',
    ]);
  });

  it('keeps timers with different refs apart', () => {
    const { log } = exec('timer 10ms a; timer 3ms b; timer 10ms a');
    assert.deepEqual(log, ['sleep until 10000000', 'sleep until 13000000', 'sleep until 20000000']);
  });

  it('ends at an exit step, from inside loops too, with its code', () => {
    assert.deepEqual(exec('loop { run 1ms; loop 2 { exit 7 } }; run 5ms'), { code: 7, log: ['run 1000000'] });
  });

  it('repeats a counted loop body that many times', () => {
    assert.equal(exec('loop 4 { run 1ms; sleep 1ms }').log.filter((l) => l.startsWith('run')).length, 4);
  });

  it('checks its guard on every loop iteration, so a loop that never spins or sleeps still ends when the run is gone', () => {
    for (const text of ['loop 1000000000 { }', 'loop 1000000000 { alloc 1K; free 1K }', 'loop 1000000000 { loop 0 { run 1ms } }']) {
      const env = new FakeEnv();
      env.killAt = 1000;
      assert.throws(() => exec(text, env), /killed by the guard/, text);
      assert.equal(env.checks, 1000, text);
      assert.deepEqual(env.log, [], text);
    }
  });

  it('checks its guard right before a fork, so a gone run forks nothing more', () => {
    const env = new FakeEnv();
    env.killAt = 2; // the step's own check passes; the one before the fork ends it
    assert.throws(() => exec('fork { run 1ms }', env), /killed by the guard/);
    assert.equal(env.checks, 2);
  });
});
