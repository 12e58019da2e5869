/**
 * A realistic run for the report tests: the "guest schedulers" split of
 * 50/25/25 on a 2-CPU machine for 2 s, with a CPU limit on the third guest
 * that throttles it, five tasks (one with a comma and quotes in its name, one
 * that exited), a 50-point share series, ~200 slices and three expectations of
 * which the last fails.
 */
import type { ExpectationResult, GroupFigures, RunResult, ShareSeries, Slice, TaskFigures } from '../scenario/result.js';

export const DURATION_NS = 2_000_000_000;

export const GROUPS: readonly GroupFigures[] = [
  { path: '/guest-a', runtimeNs: 1_984_000_000, sharePct: 49.6, waitNs: 12_500_000,
    throttledNs: 0, nrThrottled: 0, nrPeriods: 0, switches: 1_240 },
  { path: '/guest-b', runtimeNs: 1_004_000_000, sharePct: 25.1, waitNs: 861_250,
    throttledNs: 0, nrThrottled: 0, nrPeriods: 0, switches: 402 },
  { path: '/guest-c,batch', runtimeNs: 992_000_000, sharePct: 24.8, waitNs: 3_750_000_000,
    throttledNs: 412_500_000, nrThrottled: 9, nrPeriods: 20, switches: 15_873 },
];

export const TASKS: readonly TaskFigures[] = [
  { pid: 101, name: 'vcpu0', group: '/guest-a', runtimeNs: 995_000_000, sharePct: 24.875,
    waitNs: 6_100_000, timeslices: 612, nvcsw: 20, nivcsw: 592, exited: false },
  { pid: 102, name: 'vcpu1', group: '/guest-a', runtimeNs: 989_000_000, sharePct: 24.725,
    waitNs: 6_400_000, timeslices: 628, nvcsw: 31, nivcsw: 597, exited: false },
  { pid: 201, name: 'guest-b init', group: '/guest-b', runtimeNs: 1_004_000_000, sharePct: 25.1,
    waitNs: 861_250, timeslices: 402, nvcsw: 0, nivcsw: 402, exited: false },
  { pid: 301, name: 'job "x",1', group: '/guest-c,batch', runtimeNs: 980_000_000, sharePct: 24.5,
    waitNs: 3_700_000_000, timeslices: 15_800, nvcsw: 15_100, nivcsw: 700, exited: false },
  { pid: 302, name: 'logger', group: '/guest-c,batch', runtimeNs: 12_000_000, sharePct: 0.3,
    waitNs: 50_000_000, timeslices: 73, nvcsw: 70, nivcsw: 3, exited: true },
];

/** Shares that wobble around 50/25/25; the limited guest saw-tooths with its period. */
function makeSeries(points: number): ShareSeries {
  const intervalNs = DURATION_NS / points;
  const timesNs: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < points; i++) {
    timesNs.push((i + 1) * intervalNs);
    const wobble = Math.round(Math.sin(i / 3) * 15) / 10;
    a.push(49.6 + wobble);
    b.push(25.1 - wobble / 2);
    c.push(i % 5 === 4 ? 12.4 : 27.9);
  }
  return { intervalNs, timesNs, groups: [
    { path: '/guest-a', sharePct: a },
    { path: '/guest-b', sharePct: b },
    { path: '/guest-c,batch', sharePct: c },
  ] };
}

/**
 * 100 slices per CPU over the run, 20 ms apart: CPU 0 runs the guest-a vcpus
 * in turn, CPU 1 the others; lengths vary and leave idle gaps between.
 */
function makeSlices(perCpu: number): Slice[] {
  const out: Slice[] = [];
  const step = DURATION_NS / perCpu;
  const cpu1 = [201, 301, 201, 302, 301];
  for (let i = 0; i < perCpu; i++) {
    const start = i * step;
    out.push({ cpu: 0, pid: i % 2 === 0 ? 101 : 102, startNs: start, endNs: start + step - 250_000 - (i % 7) * 100_000 });
    const pid = cpu1[i % cpu1.length]!;
    const len = pid === 302 ? 1_500_000 : step - (i % 3) * 3_333_333;
    out.push({ cpu: 1, pid, startNs: start + 125, endNs: start + 125 + len - 1_000 });
  }
  return out;
}

export const EXPECTATIONS: readonly ExpectationResult[] = [
  { text: 'share of /guest-a: 50% ± 1', line: 14, actual: 49.6, unit: '%', ok: true },
  { text: 'share of /guest-b: 25% ± 1', line: 15, actual: 25.1, unit: '%', ok: true },
  { text: 'throttled of /guest-c,batch: < 300ms', line: 16, actual: 412_500_000, unit: 'ns', ok: false },
];

/** The fixture run; `over` replaces top-level fields (a copy each call). */
export function sampleRun(over: Partial<RunResult> = {}): RunResult {
  return {
    scenario: 'guests-50-25-25',
    backend: 'sim',
    cpus: 2,
    seed: 42,
    durationNs: DURATION_NS,
    groups: GROUPS,
    tasks: TASKS,
    series: makeSeries(50),
    slices: makeSlices(100),
    expectations: EXPECTATIONS,
    ...over,
  };
}

/** The same run as a "host measurement": shares a little off the prediction, no slices. */
export function measuredRun(): RunResult {
  const predicted = makeSeries(50);
  const series: ShareSeries = { ...predicted, groups: predicted.groups.map((g, k) => ({
    path: g.path, sharePct: g.sharePct.map((v, i) => v + ((i + k) % 4) - 1.5),
  })) };
  const { seed: _seed, slices: _slices, expectations: _e, ...rest } = sampleRun();
  return { ...rest, backend: 'host', series };
}

/** The fixture with core-scheduling forced idle on one group and one task. */
export function forcedIdleRun(): RunResult {
  return sampleRun({
    groups: GROUPS.map((g) => (g.path === '/guest-b' ? { ...g, forcedIdleNs: 37_000_000 } : g)),
    tasks: TASKS.map((t) => (t.pid === 201 ? { ...t, forcedIdleNs: 37_000_000 } : t)),
  });
}
