import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgroupError } from '../core/errors.js';
import { CPUS_PID, SHARE_COUNTER, SHARES_PID, toChromeTrace } from './chrome-trace.js';
import { sampleRun } from './fixtures.test-util.js';

interface Ev {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

/** The trace as a file reader sees it: through JSON text. */
function parsed(): { traceEvents: Ev[]; displayTimeUnit: string; otherData: Record<string, unknown> } {
  return JSON.parse(JSON.stringify(toChromeTrace(sampleRun()))) as never;
}

test('the trace is JSON Object Format with ns display and the run in otherData', () => {
  const t = parsed();
  assert.ok(Array.isArray(t.traceEvents));
  assert.equal(t.displayTimeUnit, 'ns');
  assert.deepEqual(t.otherData, { scenario: 'guests-50-25-25', backend: 'sim', cpus: 2, durationNs: 2_000_000_000, seed: 42 });
});

test('one named track per CPU in a "CPUs" process', () => {
  const meta = parsed().traceEvents.filter((e) => e.ph === 'M');
  const proc = meta.find((e) => e.name === 'process_name' && e.pid === CPUS_PID);
  assert.deepEqual(proc?.args, { name: 'CPUs' });
  const threads = meta.filter((e) => e.name === 'thread_name' && e.pid === CPUS_PID)
    .map((e) => [e.tid, e.args?.['name']]);
  assert.deepEqual(threads, [[1, 'CPU 0'], [2, 'CPU 1']]);
  for (const m of meta) assert.equal(m.ts, undefined, 'metadata events carry no timestamp');
});

test('every slice is a complete event in µs with its task, pid and group', () => {
  const r = sampleRun();
  const xs = parsed().traceEvents.filter((e) => e.ph === 'X');
  assert.equal(xs.length, r.slices?.length);
  assert.equal(xs.length, 200);
  for (const e of xs) {
    assert.equal(typeof e.ts, 'number');
    assert.ok((e.dur ?? -1) >= 0, `negative dur ${e.dur}`);
    assert.equal(e.pid, CPUS_PID);
  }
  const job = xs.find((e) => e.args?.['pid'] === 301);
  assert.ok(job !== undefined);
  assert.equal(job.name, 'job "x",1 (301)');
  assert.equal(job.args?.['group'], '/guest-c,batch');
  assert.equal(job.tid, 2);
  // The first CPU 0 slice: 0..19.75 ms.
  const first = xs.find((e) => e.tid === 1 && e.ts === 0);
  assert.deepEqual([first?.name, first?.dur], ['vcpu0 (101)', 19_750]);
  // A slice starting 125 ns in keeps its fraction of a µs.
  assert.ok(xs.some((e) => e.tid === 2 && e.ts === 0.125));
});

test('events of one CPU do not overlap', () => {
  const xs = parsed().traceEvents.filter((e) => e.ph === 'X');
  const byCpu = new Map<number, Ev[]>();
  for (const e of xs) byCpu.set(e.tid, [...(byCpu.get(e.tid) ?? []), e]);
  assert.deepEqual([...byCpu.keys()].sort(), [1, 2]);
  for (const [tid, evs] of byCpu) {
    evs.sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
    for (let i = 1; i < evs.length; i++) {
      const prev = evs[i - 1]!;
      const end = (prev.ts ?? 0) + (prev.dur ?? 0);
      // 1e-6 µs: float rounding of ns/1000, far below one ns.
      assert.ok(end <= (evs[i]!.ts ?? 0) + 1e-6, `cpu tid ${tid}: ${prev.name} ends at ${end} after ${evs[i]!.ts}`);
    }
  }
});

test('group shares are counter events, one per series point, from each interval start', () => {
  const evs = parsed().traceEvents;
  const cs = evs.filter((e) => e.ph === 'C');
  assert.equal(cs.length, 50);
  assert.ok(evs.some((e) => e.ph === 'M' && e.pid === SHARES_PID && e.args?.['name'] === 'CPU share'));
  for (const c of cs) {
    assert.equal(c.name, SHARE_COUNTER);
    assert.deepEqual(Object.keys(c.args ?? {}), ['/guest-a', '/guest-b', '/guest-c,batch']);
  }
  assert.deepEqual(cs.slice(0, 2).map((c) => c.ts), [0, 40_000]);
  assert.equal(cs[4]?.args?.['/guest-c,batch'], 12.4);
});

test('a run without slices or series still has its CPU tracks', () => {
  const { slices: _s, series: _t, ...bare } = sampleRun();
  const evs = toChromeTrace(bare).traceEvents;
  assert.equal(evs.filter((e) => e.ph === 'X' || e.ph === 'C').length, 0);
  assert.equal(evs.filter((e) => e.name === 'thread_name').length, 2);
});

test('a slice that ends before it starts is refused: EINVAL', () => {
  const r = sampleRun({ slices: [{ cpu: 0, pid: 101, startNs: 10, endNs: 5 }] });
  assert.throws(() => toChromeTrace(r), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
});
