import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError } from './errors.js';
import { SimKernel } from '../api/sim-kernel.js';
import { hogScenario } from './hog-scenario.test-util.js';
import { loadScenario } from './load.js';
import { runScenario } from './run.js';
import type { ScenarioLayout } from './types.js';

const FIFTY = hogScenario({
  name: 'fifty',
  duration: '10s',
  guests: 2,
  expect: ['share of /guest: 50% ± 1', 'share of task host: 50% ± 1', 'share of task guest-2: 25% ± 1', 'share of task guest-2 > 30'],
});

async function run(text: string, layout: ScenarioLayout = 'unified', opts: Parameters<typeof runScenario>[2] = {}) {
  const s = loadScenario(text, { file: 's.yaml' });
  const b = new SimKernel({ layout, cpus: s.cpus, seed: 1 });
  return { s, b, r: await runScenario({ ...s, layout }, b, opts) };
}

async function refusal(text: string, layout: ScenarioLayout = 'unified'): Promise<ScenarioError> {
  try {
    await run(text, layout);
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    return e;
  }
  assert.fail('the scenario ran');
}

describe('running scenarios on the simulated kernel', () => {
  it('measures groups and tasks from the kernel files and checks the expectations', async () => {
    const { r } = await run(FIFTY);
    assert.equal(r.scenario, 'fifty');
    assert.equal(r.durationNs, 10e9);
    assert.deepEqual(r.groups.map((g) => [g.path, Math.round(g.sharePct)]), [['/', 100], ['/guest', 50]]);
    assert.deepEqual(r.tasks.map((t) => [t.name, t.group, Math.round(t.sharePct)]), [['host', '/', 50], ['guest-1', '/guest', 25], ['guest-2', '/guest', 25]]);
    assert.deepEqual(r.expectations!.map((e) => [e.line, e.ok]), [[10, true], [11, true], [12, true], [13, false]]);
    assert.ok(Math.abs(r.groups[1]!.waitNs - 15e9) < 0.1e9, `two guests each waited 7.5s: ${r.groups[1]!.waitNs}`);
    assert.ok(r.groups[1]!.switches > 0);
    assert.equal(r.series!.timesNs.length, 100);
    assert.equal(r.series!.intervalNs, 1e8);
    assert.ok(r.series!.groups[1]!.sharePct.every((p) => Math.abs(p - 50) < 5), String(r.series!.groups[1]!.sharePct));
  });

  it('a value the kernel refuses fails with its errno and the YAML line', async () => {
    const e = await refusal(FIFTY.replace('cpu.weight: 100', 'cpu.weight: 0'));
    assert.equal(e.code, 'ERANGE');
    assert.equal(e.message, 's.yaml:5: writing /guest/cpu.weight "0": ERANGE (Numerical result out of range; cpu.weight is 1..10000)');
    const e2 = await refusal(FIFTY.replace('cpu.weight: 100', 'cpu.max: "fast"'));
    assert.equal(e2.code, 'EINVAL');
    assert.equal(e2.line, 5);
    const v1 = await refusal(FIFTY, 'legacy');
    assert.equal(v1.message, 's.yaml:5: writing /guest/cpu.weight "100": ENOENT (No such file or directory)', 'no cpu.weight on v1');
  });

  it('the no-internal-process rule shows on the task that breaks it', async () => {
    // cpu alone is a threaded controller (the group may become a thread root); memory is not.
    const e = await refusal('name: x\nduration: 1s\ngroups:\n  /a/b: { memory.max: max }\ntasks:\n  - { name: t, group: /a, program: hog }\n');
    assert.equal(e.code, 'EBUSY');
    assert.match(e.message, /^s\.yaml:6: spawning t in \/a: EBUSY /);
  });

  it('on v1 layouts groups exist in each hierarchy used and tasks are placed in all of them', async () => {
    const text = FIFTY.replace('cpu.weight: 100', 'cpu.shares: 1024');
    for (const layout of ['hybrid', 'legacy'] as const) {
      const { r, b } = await run(text, layout);
      assert.deepEqual(r.groups.map((g) => [g.path, Math.round(g.sharePct)]), [['/', 100], ['/guest', 50]], layout);
      const pid = r.tasks.find((t) => t.name === 'guest-1')!.pid;
      const where = Object.fromEntries(b.task(pid)!.cgroups.map((c) => [c.mountPoint, c.path]));
      assert.equal(where['/sys/fs/cgroup/cpu'], '/guest', layout);
      assert.equal(where['/sys/fs/cgroup/cpuacct'], '/guest', layout);
      assert.equal(where['/sys/fs/cgroup/memory'], '/', `${layout}: hierarchies the scenario does not use are left alone`);
    }
  });

  it('applies the timeline at its times: write, move, freeze, thaw, kill, spawn, policy', async () => {
    const text = `name: tl
duration: 10s
groups:
  /guest: { cpu.weight: 100 }
  /other: {}
tasks:
  - { name: host, program: hog }
  - { name: guest, group: /guest, program: hog, count: 2 }
timeline:
  - { at: 2s, write: { /guest/cpu.weight: 300 } }
  - { at: 4s, freeze: /guest }
  - { at: 5s, thaw: /guest }
  - { at: 6s, move: { task: guest-1, to: /other } }
  - { at: 8s, kill: { task: host } }
  - { at: 8s, spawn: { name: late, group: /other, program: hog } }
expect:
  - share of /guest during 0s..2s: 50 ± 0.1
  - share of /guest during 2s..4s: 75 ± 0.1
  - share of /guest during 4s..5s: 0
  - share of task host during 4s..5s: 100 ± 0.1
  - share of /other during 6s..8s: 20 ± 0.1
  - share of task host during 8s..10s: 0
  - share of task late during 8s..10s: 12.5 ± 0.1
`;
    const { r, b } = await run(text);
    for (const e of r.expectations!) assert.ok(e.ok, `${e.text}: ${e.actual}`);
    assert.equal(r.tasks.find((t) => t.name === 'host')!.exited, true);
    assert.equal(r.tasks.find((t) => t.name === 'guest-1')!.group, '/other');
    assert.equal(await b.fs.readFile('/sys/fs/cgroup/guest/cpu.weight'), '300\n');
  });

  it('a group policy picks the class of its tasks, from the start or from the timeline', async () => {
    const text = `name: pol
duration: 4s
groups:
  /f: { policy: fifo }
  /r: {}
tasks:
  - { name: f, group: /f, program: hog, count: 2 }
  - { name: r, group: /r, program: hog, count: 2 }
timeline:
  - { at: 2s, policy: { /r: fifo } }
expect:
  - share of task f-1: 50 ± 1
  - share of task f-2: 0
  - share of task r-1 during 0s..2s: 25 ± 1
  - share of task r-2 during 0s..2s: 25 ± 1
  - share of task r-1 during 2s..4s >= 0
  - share of task r-2 during 2s..4s >= 0
`;
    const { r } = await run(text);
    for (const e of r.expectations!.slice(0, 4)) assert.ok(e.ok, `${e.text}: ${e.actual}`);
    const later = r.expectations!.slice(4).map((e) => Math.round(e.actual)).sort((a, b) => a - b);
    assert.deepEqual(later, [0, 50], 'once /r is fifo, one of its tasks runs and the other waits');
  });

  it('a refused timeline write names its line', async () => {
    const e = await refusal(`${FIFTY}timeline:\n  - { at: 1s, write: { /guest/cpu.max: "1 100000" } }\n`);
    assert.equal(e.code, 'EINVAL');
    assert.match(e.message, /^s\.yaml:15: writing \/guest\/cpu\.max "1 100000": EINVAL /);
  });

  it('collects slices and reports progress up to the duration when asked', async () => {
    const seen: number[] = [];
    const { r } = await run(FIFTY, 'unified', { slices: true, samples: 10, onProgress: (done, total) => { assert.equal(total, 10e9); seen.push(done); } });
    assert.equal(r.series!.timesNs.length, 10);
    assert.ok(r.slices!.length >= 30);
    assert.ok(r.slices!.every((s) => s.endNs >= s.startNs && s.cpu === 0));
    const ran = new Map<number, number>();
    for (const x of r.slices!) ran.set(x.pid, (ran.get(x.pid) ?? 0) + x.endNs - x.startNs);
    for (const t of r.tasks) assert.ok(Math.abs((ran.get(t.pid) ?? 0) - t.runtimeNs) < 5e6, `${t.name}: slices add up to its runtime`);
    assert.deepEqual(seen, [...seen].sort((x, y) => x - y));
    assert.equal(seen.at(-1), 10e9);
    const { r: quiet } = await run(FIFTY, 'unified', { samples: 0 });
    assert.equal(quiet.series, undefined);
    assert.equal(quiet.slices, undefined);
  });
});
