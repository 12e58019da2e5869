import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, holds, parseExpectation } from './expect.js';

describe('expectations', () => {
  it('reads a share with a tolerance in percentage points', () => {
    const e = parseExpectation('share of /guest: 50% ± 1', 3);
    assert.deepEqual(e, { text: 'share of /guest: 50% ± 1', line: 3, metric: 'share', target: { kind: 'group', path: '/guest' }, check: { op: 'approx', value: 50, tol: 1 } });
    assert.deepEqual(parseExpectation('share of task host = 25 +- 0.5', 1).check, { op: 'approx', value: 25, tol: 0.5 });
    assert.deepEqual(parseExpectation('share of task host: 25%', 1).check, { op: '=', value: 25 });
  });

  it('reads comparisons, counts, durations and windows', () => {
    assert.deepEqual(parseExpectation('nr_throttled of /batch > 0', 1).check, { op: '>', value: 0 });
    assert.deepEqual(parseExpectation('share of / ≤ 100', 1).check, { op: '<=', value: 100 });
    assert.deepEqual(parseExpectation('share of / >= 99.5%', 1).target, { kind: 'group', path: '/' });
    const r = parseExpectation('runtime of task web: 2s ± 50ms', 1);
    assert.deepEqual(r.check, { op: 'approx', value: 2e9, tol: 5e7 });
    const w = parseExpectation('share of /guest during 6s..7.5s < 1', 1);
    assert.deepEqual(w.window, { fromNs: 6e9, toNs: 7.5e9 });
    assert.deepEqual(w.target, { kind: 'group', path: '/guest' });
    assert.deepEqual(parseExpectation('wait of /a/b/ < 1ms', 1).target, { kind: 'group', path: '/a/b' });
  });

  it('refuses what it cannot read, with a reason', () => {
    assert.throws(() => parseExpectation('share /guest 50', 1), /cannot read expectation/);
    assert.throws(() => parseExpectation('speed of /guest > 1', 1), /unknown metric 'speed'/);
    assert.throws(() => parseExpectation('share of guest > 1', 1), /unknown target 'guest'/);
    assert.throws(() => parseExpectation('nr_throttled of task a > 1', 1), /figure of groups/);
    assert.throws(() => parseExpectation('timeslices of /a > 1', 1), /figure of tasks/);
    assert.throws(() => parseExpectation('share of /a > 1 ± 2', 1), /tolerance goes with/);
    assert.throws(() => parseExpectation('runtime of /a > 5', 1), /not a duration/);
    assert.throws(() => parseExpectation('share of /a during 3s..2s > 5', 1), /empty/);
  });

  it('evaluates each comparison', () => {
    assert.equal(holds({ op: 'approx', value: 50, tol: 1 }, 51), true);
    assert.equal(holds({ op: 'approx', value: 50, tol: 1 }, 51.2), false);
    assert.equal(holds({ op: '>', value: 0 }, 0), false);
    assert.equal(holds({ op: '>=', value: 0 }, 0), true);
    assert.equal(holds({ op: '<', value: 25 }, 25), false);
    assert.equal(holds({ op: '!=', value: 3 }, 2), true);
    const es = [parseExpectation('share of /a: 50 ± 1', 4), parseExpectation('nr_throttled of /a > 0', 5)];
    assert.deepEqual(evaluate(es, (e) => (e.metric === 'share' ? 49.5 : 0)), [
      { text: 'share of /a: 50 ± 1', line: 4, actual: 49.5, unit: '%', ok: true },
      { text: 'nr_throttled of /a > 0', line: 5, actual: 0, ok: false },
    ]);
    assert.equal(evaluate([parseExpectation('wait of /a < 1s', 1)], () => 5)[0]!.unit, 'ns');
  });
});
