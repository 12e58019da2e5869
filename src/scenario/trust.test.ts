import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimKernel } from '../api/sim-kernel.js';
import { ScenarioError } from './errors.js';
import { loadScenario } from './load.js';
import type { GroupFigures, RunResult } from './result.js';
import { runScenario } from './run.js';
import { runWithTrustCost } from './trust-cost.js';
import type { Scenario } from './types.js';

const MS = 1_000_000;

interface Run {
  r: RunResult;
  k: SimKernel;
  /** The core scheduling cookie of a task (thread) by name, as PR_SCHED_CORE_GET reads it at the end. */
  cookie(name: string): bigint;
  group(path: string): GroupFigures;
}

function kernelFor(s: Scenario): SimKernel {
  return new SimKernel({ layout: s.layout, cpus: s.cpus, ...(s.smt !== undefined ? { smt: s.smt } : {}), seed: s.seed ?? 1 });
}

/** Load `yaml` and run it on a fresh simulated kernel sized as it says. */
async function run(yaml: string): Promise<Run> {
  const s = loadScenario(yaml, { file: 't.yaml' });
  const k = kernelFor(s);
  const r = await runScenario(s, k, { samples: 0 });
  const tid = (name: string): number => {
    const t = k.ps().filter((x) => x.name === name);
    assert.equal(t.length, 1, `one task named ${name}: ${JSON.stringify(k.ps().map((x) => x.name))}`);
    return t[0]!.tid;
  };
  return {
    r, k,
    cookie: (name) => k.coresched.getCookie(tid(name)),
    group: (path) => r.groups.find((g) => g.path === path) ?? assert.fail(`no group ${path}`),
  };
}

const distinct = (xs: bigint[]): boolean => new Set(xs).size === xs.length;

describe('trust groups in a scenario run (simulated kernel)', () => {
  it('NEW_COOKIE_FOR_CHILD on the root group gives each spawned task a cookie and nothing else', async () => {
    const { k, cookie } = await run(`name: root-new
machine: { cpus: 4, smt: 2 }
duration: 50ms
trust:
  /: { properties: NEW_COOKIE_FOR_CHILD }
tasks:
  - { name: a, group: /one, program: hog }
  - { name: b, group: /one, program: hog }
`);
    assert.deepEqual(k.ps().map((t) => t.name), ['init', 'cgkit-coresched', 'a', 'b'], 'no runaway of manager tasks');
    assert.notEqual(cookie('a'), 0n);
    assert.notEqual(cookie('a'), cookie('b'));
  });

  it('the tasks a group names hold one cookie, with their threads; other tasks stay untagged', async () => {
    const { cookie } = await run(`name: named
machine: { cpus: 4, smt: 2 }
duration: 200ms
trust:
  g: { tasks: [x, y, late] }
tasks:
  - { name: x, group: /one, program: "thread { name x-thread; loop { run 3ms; sleep 1ms } }; hog" }
  - { name: y, group: /two, program: "loop { run 5ms; sleep 5ms }" }
  - { name: other, group: /two, program: hog }
timeline:
  - { at: 100ms, spawn: { name: late, group: /one, program: hog } }
`);
    const c = cookie('x');
    assert.notEqual(c, 0n);
    for (const n of ['x-thread', 'y', 'late']) assert.equal(cookie(n), c, n);
    assert.equal(cookie('other'), 0n);
  });

  it('a bound cgroup: every task in it or below it, now or later, shares one cookie; another customer has another', async () => {
    const { cookie } = await run(`name: bound
machine: { cpus: 4, smt: 2 }
duration: 400ms
trust:
  customer-a: { cgroup: /a }
  customer-b: { cgroup: /b }
tasks:
  - { name: a-web, group: /a/web, program: "run 50ms; fork { name a-web-child; hog }; hog" }
  - { name: a-leaves, group: /a/web, program: hog }
  - { name: a-db, group: /a/db, program: "thread { name a-db-thread; hog }; hog" }
  - { name: b-job, group: /b, program: hog }
  - { name: outsider, group: /c, program: hog }
timeline:
  - { at: 100ms, spawn: { name: a-late, group: /a/db, program: hog } }
  - { at: 200ms, move: { task: outsider, to: /a/web } }
  - { at: 300ms, move: { task: a-leaves, to: /c } }
`);
    const a = cookie('a-web');
    const b = cookie('b-job');
    assert.notEqual(a, 0n);
    assert.notEqual(b, 0n);
    assert.notEqual(a, b);
    for (const n of ['a-web-child', 'a-db', 'a-db-thread', 'a-late', 'outsider']) assert.equal(cookie(n), a, n);
    assert.equal(cookie('a-leaves'), 0n, 'a task moved out of the bound cgroup is untagged again');
  });

  it('root-group members are untagged; ROOT_COOKIE_FOR_CHILD sends forks of a tagged task there', async () => {
    const { cookie } = await run(`name: root
machine: { cpus: 4, smt: 2 }
duration: 200ms
trust:
  tenant: { tasks: [tenant] }
  ops: { tasks: [launcher], properties: ROOT_COOKIE_FOR_CHILD }
  /: { tasks: [monitor] }
tasks:
  - { name: tenant, program: "run 1ms; fork { name tenant-child; hog }; hog" }
  - { name: launcher, program: "run 1ms; fork { name job-1; hog }; fork { name job-2; hog }; loop { run 1ms; sleep 9ms }" }
  - { name: monitor, program: "run 1ms; fork { name monitor-child; hog }; loop { run 2ms; sleep 3ms }" }
`);
    assert.equal(cookie('monitor'), 0n);
    assert.equal(cookie('monitor-child'), 0n);
    assert.equal(cookie('job-1'), 0n);
    assert.equal(cookie('job-2'), 0n);
    assert.notEqual(cookie('launcher'), 0n);
    assert.ok(distinct([cookie('launcher'), cookie('tenant')]));
    assert.equal(cookie('tenant-child'), cookie('tenant'), 'the default property: the same cookie for a child');
  });

  it('NEW_COOKIE_FOR_CHILD: each child gets a cookie of its own, which its own children share', async () => {
    const { cookie } = await run(`name: browser
machine: { cpus: 4, smt: 2 }
duration: 200ms
trust:
  browser: { tasks: [browser], properties: NEW_COOKIE_FOR_CHILD }
tasks:
  - name: browser
    program: |
      run 1ms
      fork { name tab-1; loop { run 3ms; sleep 3ms } }
      fork { name tab-2; loop { run 3ms; sleep 3ms } }
      fork { name tab-3; run 1ms; fork { name tab-3-helper; hog }; hog }
      loop { run 1ms; sleep 5ms }
`);
    const all = ['browser', 'tab-1', 'tab-2', 'tab-3'].map(cookie);
    assert.ok(all.every((c) => c !== 0n), String(all));
    assert.ok(distinct(all), String(all));
    assert.equal(cookie('tab-3-helper'), cookie('tab-3'));
  });

  it('two hogs of different groups pinned to the two threads of one core take turns: forced idle, half the core lost', async () => {
    const yaml = (trust: string): string => `name: pinned
machine: { cpus: 4, smt: 2 }
duration: 1s
trust:
${trust}
tasks:
  - { name: ha, group: /a, program: hog, cpus: "0" }
  - { name: hb, group: /b, program: hog, cpus: "1" }
  - { name: hc, group: /c, program: hog, cpus: "2" }
  - { name: hd, group: /c, program: hog, cpus: "3" }
`;
    const two = await run(yaml('  ga: { tasks: [ha] }\n  gb: { tasks: [hb] }'));
    const [a, b, c] = [two.group('/a'), two.group('/b'), two.group('/c')];
    assert.ok(Math.abs(a.runtimeNs + b.runtimeNs - 1000 * MS) <= 2 * MS, `one thread's worth between them: ${a.runtimeNs} + ${b.runtimeNs}`);
    assert.ok(a.runtimeNs > 300 * MS && b.runtimeNs > 300 * MS, `both get turns: ${a.runtimeNs}, ${b.runtimeNs}`);
    // While one runs its sibling idles with a task waiting: charged to the one that runs.
    assert.ok(Math.abs(a.forcedIdleNs! - a.runtimeNs) <= 2 * MS, `forced idle of /a ${a.forcedIdleNs}`);
    assert.ok(Math.abs(b.forcedIdleNs! - b.runtimeNs) <= 2 * MS, `forced idle of /b ${b.forcedIdleNs}`);
    assert.equal(two.group('/').forcedIdleNs, a.forcedIdleNs! + b.forcedIdleNs! + c.forcedIdleNs!);
    assert.equal(c.forcedIdleNs, 0, 'the other core runs untagged tasks only');
    assert.ok(c.runtimeNs >= 1998 * MS, `the other core is not disturbed: ${c.runtimeNs}`);
    const ha = two.r.tasks.find((t) => t.name === 'ha')!;
    assert.equal(ha.forcedIdleNs, a.forcedIdleNs, 'the task figure matches its group');

    const one = await run(yaml('  g: { tasks: [ha, hb] }'));
    for (const p of ['/', '/a', '/b', '/c']) assert.equal(one.group(p).forcedIdleNs, 0, p);
    assert.ok(one.group('/a').runtimeNs >= 998 * MS && one.group('/b').runtimeNs >= 998 * MS, 'one group: the siblings run together');
  });

  it('runWithTrustCost: the pinned pair loses half of its core against the run without trust groups', async () => {
    const s = loadScenario(`name: cost
machine: { cpus: 2, smt: 2 }
duration: 500ms
trust:
  ga: { cgroup: /a }
  gb: { cgroup: /b }
tasks:
  - { name: ha, group: /a, program: hog, cpus: "0" }
  - { name: hb, group: /b, program: hog, cpus: "1" }
expect:
  - forced_idle of /: 500ms ± 5ms
`);
    const seen: { trust: number; expect: number; baseline: boolean }[] = [];
    const r = await runWithTrustCost(s, (sc, baseline) => {
      seen.push({ trust: sc.trust.length, expect: sc.expect.length, baseline });
      return runScenario(sc, kernelFor(sc), { samples: 0 });
    });
    assert.deepEqual(seen, [{ trust: 2, expect: 1, baseline: false }, { trust: 0, expect: 0, baseline: true }]);
    assert.deepEqual(r.expectations?.map((e) => e.ok), [true]);
    const c = r.trustCost!;
    assert.equal(c.withoutNs, 1000 * MS);
    assert.ok(Math.abs(c.withNs - 500 * MS) <= 2 * MS, String(c.withNs));
    assert.ok(Math.abs(c.lostPct - 50) < 0.5, String(c.lostPct));
    assert.equal(c.forcedIdleNs, r.groups.find((g) => g.path === '/')!.forcedIdleNs);
    assert.deepEqual(c.groups.map((g) => g.path), ['/', '/a', '/b']);
    for (const g of c.groups.slice(1)) assert.ok(g.lostPct > 30 && g.lostPct < 70, `${g.path} ${g.lostPct}`);
  });

  it('a scenario without trust groups: one run, no trustCost', async () => {
    const s = loadScenario('name: plain\nmachine: { cpus: 2, smt: 2 }\nduration: 100ms\ntasks:\n  - { name: h, program: hog }\n');
    let runs = 0;
    const r = await runWithTrustCost(s, (sc) => { runs++; return runScenario(sc, kernelFor(sc), { samples: 0 }); });
    assert.equal(runs, 1);
    assert.ok(!('trustCost' in r));
    assert.equal(r.groups.find((g) => g.path === '/')!.forcedIdleNs ?? 0, 0, 'no cookies, no forced idle');
  });

  it('a trust group named like a file of the coreschedfs root is refused with its line', async () => {
    const yaml = 'name: f\nmachine: { cpus: 2, smt: 2 }\nduration: 100ms\ntrust:\n  cookie: { tasks: [h] }\ntasks:\n  - { name: h, program: hog }\n';
    await assert.rejects(async () => {
      const s = loadScenario(yaml, { file: 't.yaml' });
      await runScenario(s, kernelFor(s), { samples: 0 });
    }, (e: unknown) => e instanceof ScenarioError && e.line === 5 && /cookie/.test(e.reason));
  });
});
