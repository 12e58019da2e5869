import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memory } from './memory.js';
import { memoryCharge, memoryChargedBytes, memoryUncharge } from './memory-charge.js';
import type { MemoryState } from './memory-state.js';
import { type FakeTask, Harness, task } from './testing.test-util.js';

const MiB = 1n << 20n;

/** Charge and keep the task's rss in step, as the model does. */
function alloc(h: Harness<MemoryState>, css: Parameters<typeof memoryCharge>[0], t: FakeTask, bytes: bigint) {
  const r = memoryCharge(css, t, bytes, h.k);
  if (r.ok) t.rss += bytes;
  return r;
}

describe('memory charging', () => {
  it('charges hierarchically, tracks peak, uncharges, releases on exit', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(a, 'b');
    const p = h.fork(b, task());
    assert.ok(alloc(h, b, p, 3n * MiB).ok);
    assert.equal(h.read(b, 'memory.current'), `${3n * MiB}\n`);
    assert.equal(h.read(a, 'memory.current'), `${3n * MiB}\n`);
    assert.equal(h.root.state.memory.usage, 768n);
    memoryUncharge(b, p, MiB);
    assert.equal(h.read(a, 'memory.current'), `${2n * MiB}\n`);
    assert.equal(h.read(a, 'memory.peak'), `${3n * MiB}\n`);
    assert.equal(memoryChargedBytes(b, p.tgid), 2n * MiB);
    assert.match(h.read(a, 'memory.stat'), new RegExp(`^anon ${2n * MiB}$`, 'm'));
    h.exit(p);
    assert.equal(h.read(a, 'memory.current'), '0\n');
  });

  it('charges round up to pages and stay with the group after migration', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(h.root, 'b');
    const p = h.fork(a, task());
    assert.ok(alloc(h, a, p, 1n).ok);
    assert.equal(h.read(a, 'memory.current'), '4096\n');
    h.move(b, [p]);
    assert.equal(h.read(a, 'memory.current'), '4096\n');
    assert.equal(h.read(b, 'memory.current'), '0\n');
    h.exit(p);
    assert.equal(h.read(a, 'memory.current'), '0\n');
  });

  it('memory.high counts high events on every level over it, never kills', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(a, 'b');
    h.write(a, 'memory.high', '1M');
    const p = h.fork(b, task());
    assert.ok(alloc(h, b, p, 2n * MiB).ok);
    assert.match(h.read(a, 'memory.events'), /^high 1$/m);
    assert.match(h.read(b, 'memory.events'), /^high 0$/m);
    assert.deepEqual(h.k.signals, []);
  });

  it('past memory.max the largest process of the limiting subtree is killed and the charge retried', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(a, 'b');
    const c = h.mkdir(a, 'c');
    h.write(a, 'memory.max', '10M');
    const big = h.fork(b, task());
    const small = h.fork(c, task());
    assert.ok(alloc(h, b, big, 6n * MiB).ok);
    assert.ok(alloc(h, c, small, 2n * MiB).ok);
    const r = alloc(h, c, small, 4n * MiB);
    assert.equal(r.ok, true, 'the retry after the kill succeeds');
    assert.deepEqual(r.killed, [big.tgid]);
    assert.equal(r.limitedBy, a);
    assert.match(h.read(a, 'memory.events'), /^max 1\noom 1\noom_kill 1\n/m);
    assert.match(h.read(b, 'memory.events.local'), /^oom_kill 1$/m);
    assert.match(h.read(a, 'memory.events.local'), /^oom_kill 0$/m);
    assert.equal(h.read(a, 'memory.current'), `${6n * MiB}\n`);
  });

  it('the charge fails when the charger itself is the victim', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    h.write(a, 'memory.max', '4M');
    const p = h.fork(a, task());
    assert.ok(alloc(h, a, p, 3n * MiB).ok);
    const r = alloc(h, a, p, 2n * MiB);
    assert.deepEqual([r.ok, r.reason, r.killed], [false, 'oom-killed', [p.tgid]]);
    assert.equal(h.read(a, 'memory.current'), '0\n');
  });

  it('fails when nothing can be killed', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    h.write(a, 'memory.max', '1M');
    const p = task({ kernelThread: true });
    h.fork(a, p);
    const r = memoryCharge(a, p, 2n * MiB, h.k);
    assert.deepEqual([r.ok, r.reason], [false, 'no-victim']);
  });

  it('memory.oom.group kills the whole group up to the OOM domain', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const g = h.mkdir(a, 'g');
    const w = h.mkdir(g, 'w');
    const other = h.mkdir(a, 'other');
    h.write(a, 'memory.max', '8M');
    h.write(g, 'memory.oom.group', '1');
    const p1 = h.fork(w, task());
    const p2 = h.fork(g, task());
    const bystander = h.fork(other, task());
    alloc(h, w, p1, 5n * MiB);
    alloc(h, g, p2, 1n * MiB);
    const r = alloc(h, other, bystander, 4n * MiB);
    assert.equal(r.ok, true);
    assert.deepEqual(new Set(r.killed), new Set([p1.tgid, p2.tgid]));
    assert.match(h.read(g, 'memory.events.local'), /^oom_group_kill 1$/m);
    assert.match(h.read(a, 'memory.events'), /^oom_kill 2$/m);
  });

  it('lowering memory.max below usage OOM-kills until it fits (v2)', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const p1 = h.fork(a, task());
    const p2 = h.fork(a, task());
    alloc(h, a, p1, 3n * MiB);
    alloc(h, a, p2, 1n * MiB);
    h.write(a, 'memory.max', '2M');
    assert.deepEqual(h.k.signals, [[p1.tgid, 9]]);
    assert.equal(h.read(a, 'memory.current'), `${MiB}\n`);
    assert.match(h.read(a, 'memory.events'), /^oom 1$/m);
  });

  it('v1: memsw limits first, failcnt counts memory limit failures, oom_kill_disable refuses without killing', () => {
    const h = new Harness(memory, 1);
    const c = h.mkdir(h.root, 'c');
    h.write(c, 'memory.limit_in_bytes', '2M');
    h.write(c, 'memory.memsw.limit_in_bytes', '2M');
    const p = h.fork(c, task());
    const q = h.fork(c, task());
    alloc(h, c, q, MiB);
    const r = alloc(h, c, p, 2n * MiB);
    assert.equal(r.ok, true);
    assert.deepEqual(r.killed, [q.tgid]);
    assert.equal(h.read(c, 'memory.failcnt'), '0\n', 'memsw was the limit');
    assert.equal(h.read(c, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    h.write(c, 'memory.memsw.limit_in_bytes', '-1');
    h.write(c, 'memory.oom_control', '1');
    const r2 = alloc(h, c, p, MiB);
    assert.deepEqual([r2.ok, r2.reason], [false, 'oom-disabled']);
    assert.equal(h.read(c, 'memory.failcnt'), '1\n');
    assert.equal(h.read(c, 'memory.max_usage_in_bytes'), `${2n * MiB}\n`);
  });
});

describe('memory uncharging after migration', () => {
  it('takes bytes from the group they were charged to when the current one has none', () => {
    const h = new Harness(memory, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(h.root, 'b');
    const p = h.fork(a, task());
    alloc(h, a, p, 2n * MiB);
    h.move(b, [p]);
    alloc(h, b, p, MiB);
    memoryUncharge(b, p, 2n * MiB);
    assert.equal(h.read(b, 'memory.current'), '0\n');
    assert.equal(h.read(a, 'memory.current'), `${MiB}\n`);
    memoryUncharge(b, p, 10n * MiB);
    assert.equal(h.read(a, 'memory.current'), '0\n');
    assert.equal(memoryChargedBytes(a, p.tgid), 0n);
  });
});
