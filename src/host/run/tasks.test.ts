import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtinLayout } from '../../core/layout.js';
import { mountOfController } from '../../core/mounts.js';
import { TaskTable } from './tasks.js';

// The table reads /proc of this test process itself (any user may).
const cpu = mountOfController(builtinLayout('hybrid'), 'cpu')!;
const cpuNs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);

function spinCpu(ns: number): void {
  const end = cpuNs() + ns;
  let x = 0;
  while (cpuNs() < end) for (let i = 0; i < 10_000; i++) x += i;
  assert.ok(x >= 0);
}

describe('TaskTable', () => {
  it('counts from the figures a task reported at its start', () => {
    const t = new TaskTable(cpu, '/sys/fs/cgroup/cpu/x/run');
    const now = Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'latin1').split(' ')[0]);
    t.announce(process.pid, process.pid, 'me', { runtimeNs: now, waitNs: 0, timeslices: 0, nvcsw: 0, nivcsw: 0 });
    spinCpu(30e6);
    t.refresh();
    const [me] = t.all();
    assert.equal(me!.name, 'me');
    assert.equal(me!.exited, false);
    assert.ok(me!.runtimeNs >= 30e6, `runtime ${me!.runtimeNs}`);
    assert.ok(me!.runtimeNs < now, 'start-up is not counted');
  });

  it('keeps the last figures of a task that ended, preferring its own exit report', () => {
    const t = new TaskTable(cpu, '/sys/fs/cgroup/cpu/x/run');
    t.announce(process.pid, process.pid, 'me');
    const base = t.all()[0]!;
    assert.ok(base.runtimeNs < 5e6, 'a task seen at its start has used nothing yet');
    t.exited(process.pid, process.pid, { runtimeNs: 1e15, waitNs: 1e15, timeslices: 1e9, nvcsw: 1e9, nivcsw: 1e9 });
    spinCpu(5e6);
    t.refresh();
    const [me] = t.all();
    assert.equal(me!.exited, true);
    assert.ok(me!.runtimeNs > 9e14, 'the exit report is kept, not overwritten by later reads');
    assert.deepEqual(t.live(), []);
  });

  it('never moves the base of a task once its figures were handed out', () => {
    const t = new TaskTable(cpu, '/sys/fs/cgroup/cpu/x/run');
    t.see(process.pid);
    const before = t.all()[0]!;
    spinCpu(5e6);
    const now = Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'latin1').split(' ')[0]);
    t.announce(process.pid, process.pid, 'me', { runtimeNs: now, waitNs: 0, timeslices: 0, nvcsw: 0, nivcsw: 0 });
    t.refresh();
    const after = t.all()[0]!;
    assert.equal(after.name, 'me');
    assert.ok(after.runtimeNs >= before.runtimeNs + 5e6, 'counted from the first base');
  });

  it('marks a task that is gone as exited, and ignores a report from another process', () => {
    const t = new TaskTable(cpu, '/sys/fs/cgroup/cpu/x/run');
    t.announce(4_194_304, 4_194_304, 'ghost'); // above any pid_max: never a live task
    assert.deepEqual(t.all().map((x) => [x.name, x.exited, x.runtimeNs, x.cgroup]), [['ghost', true, 0, '/sys/fs/cgroup/cpu/x/run']]);
    t.announce(process.pid, process.pid, 'me');
    t.exited(process.pid, 1, { runtimeNs: 1, waitNs: 1, timeslices: 1, nvcsw: 1, nivcsw: 1 });
    assert.deepEqual(t.live(), [process.pid]);
  });
});
