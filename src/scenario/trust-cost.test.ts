import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadScenario } from './load.js';
import type { GroupFigures, RunResult } from './result.js';
import { runWithTrustCost, trustCost, withoutTrust } from './trust-cost.js';
import type { Scenario } from './types.js';

const S = 1_000_000_000;

/** A group's figures: only runtime and forced idle matter to the cost. */
function g(path: string, runtimeNs: number, forcedIdleNs?: number): GroupFigures {
  return {
    path, runtimeNs, sharePct: (runtimeNs / (4 * 10 * S)) * 100, waitNs: 0, throttledNs: 0, nrThrottled: 0, nrPeriods: 0, switches: 0,
    ...(forcedIdleNs !== undefined ? { forcedIdleNs } : {}),
  };
}

function result(groups: GroupFigures[], over: Partial<RunResult> = {}): RunResult {
  return { scenario: 'hand-made', backend: 'sim', cpus: 4, seed: 1, durationNs: 10 * S, groups, tasks: [], ...over };
}

describe('trustCost', () => {
  it('compares each group and the whole scenario (the root group) with the run without trust groups', () => {
    const withRun = result([g('/', 30 * S, 6 * S), g('/a', 10 * S, 4 * S), g('/b', 20 * S, 2 * S), g('/only-with', 1 * S)]);
    const withoutRun = result([g('/', 40 * S, 0), g('/a', 20 * S, 0), g('/b', 16 * S, 0), g('/only-without', 4 * S)]);
    assert.deepEqual(trustCost(withRun, withoutRun), {
      withNs: 30 * S,
      withoutNs: 40 * S,
      lostPct: 25,
      forcedIdleNs: 6 * S,
      groups: [
        { path: '/', withNs: 30 * S, withoutNs: 40 * S, lostPct: 25 },
        { path: '/a', withNs: 10 * S, withoutNs: 20 * S, lostPct: 50 },
        // A group can gain: the time its rivals lost.
        { path: '/b', withNs: 20 * S, withoutNs: 16 * S, lostPct: -25 },
        // Missing from the baseline: nothing to compare with.
        { path: '/only-with', withNs: 1 * S, withoutNs: 0, lostPct: 0 },
      ],
    });
  });

  it('no loss when both runs got the same; 0, not NaN, when neither got anything; 0 forced idle when not measured', () => {
    const same = trustCost(result([g('/', 8 * S, 0), g('/idle', 0)]), result([g('/', 8 * S), g('/idle', 0)]));
    assert.equal(same.lostPct, 0);
    assert.equal(same.forcedIdleNs, 0);
    assert.deepEqual(same.groups[1], { path: '/idle', withNs: 0, withoutNs: 0, lostPct: 0 });
    const host = trustCost(result([g('/', 3 * S)], { backend: 'host' }), result([g('/', 4 * S)], { backend: 'host' }));
    assert.equal(host.forcedIdleNs, 0);
    assert.equal(host.lostPct, 25);
  });

  it('takes the figures from the run with trust groups, in its group order', () => {
    const c = trustCost(result([g('/', 5 * S, 1 * S), g('/z', 3 * S), g('/a', 2 * S)]), result([g('/', 10 * S), g('/a', 4 * S), g('/z', 6 * S)]));
    assert.deepEqual(c.groups.map((x) => [x.path, x.lostPct]), [['/', 50], ['/z', 50], ['/a', 50]]);
    assert.equal(c.forcedIdleNs, 1 * S);
  });
});

describe('runWithTrustCost', () => {
  const yaml = `name: two
machine: { cpus: 4, smt: 2 }
seed: 3
duration: 1s
trust:
  ga: { cgroup: /a }
  /: { tasks: [b] }
tasks:
  - { name: a, group: /a, program: hog }
  - { name: b, group: /b, program: hog }
timeline:
  - { at: 500ms, kill: { task: b } }
expect:
  - share of /a: 25% ± 1
`;

  it('runs the scenario, then once the same scenario without trust groups and expectations, and attaches the cost', async () => {
    const s = loadScenario(yaml);
    const withRun = result([g('/', 30 * S, 5 * S), g('/a', 10 * S)], { expectations: [{ text: 'share of /a: 25% ± 1', actual: 25, ok: true }] });
    const withoutRun = result([g('/', 40 * S), g('/a', 20 * S)]);
    const calls: { s: Scenario; baseline: boolean }[] = [];
    const r = await runWithTrustCost(s, (sc, baseline) => {
      calls.push({ s: sc, baseline });
      return Promise.resolve(baseline ? withoutRun : withRun);
    });
    assert.deepEqual(calls.map((c) => c.baseline), [false, true]);
    assert.equal(calls[0]!.s, s);
    const base = calls[1]!.s;
    assert.deepEqual(base.trust, []);
    assert.deepEqual(base.expect, []);
    // Everything else is the same scenario: machine, seed, duration, tree, tasks, timeline.
    const { trust: _t, expect: _e, ...rest } = s;
    const { trust: _bt, expect: _be, ...baseRest } = base;
    assert.deepEqual(baseRest, rest);
    assert.equal(s.trust.length, 2, 'the scenario itself is unchanged');
    assert.equal(s.expect.length, 1);
    assert.deepEqual(r, { ...withRun, trustCost: trustCost(withRun, withoutRun) });
    assert.equal(r.trustCost!.lostPct, 25);
    assert.equal(r.trustCost!.forcedIdleNs, 5 * S);
  });

  it('without trust groups runs once and returns that result as it is', async () => {
    const s = withoutTrust(loadScenario(yaml));
    const only = result([g('/', 1 * S)]);
    let n = 0;
    const r = await runWithTrustCost(s, (_sc, baseline) => { n++; assert.equal(baseline, false); return Promise.resolve(only); });
    assert.equal(n, 1);
    assert.equal(r, only);
    assert.ok(!('trustCost' in r));
  });

  it('a failing run is not hidden: the error comes through and no baseline runs', async () => {
    let n = 0;
    await assert.rejects(runWithTrustCost(loadScenario(yaml), () => { n++; return Promise.reject(new Error('boom')); }), /boom/);
    assert.equal(n, 1);
  });
});
