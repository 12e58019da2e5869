import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../scenario/result.js';
import { sampleRun } from './fixtures.test-util.js';
import { toJson } from './json.js';

test('the JSON reads back as the run', () => {
  const r = sampleRun();
  assert.deepEqual(JSON.parse(toJson(r)), r);
});

test('2-space indent, run fields first in a fixed order', () => {
  const text = toJson(sampleRun());
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    '{',
    '  "scenario": "guests-50-25-25",',
    '  "backend": "sim",',
    '  "cpus": 2,',
    '  "seed": 42,',
    '  "durationNs": 2000000000,',
  ]);
  const top = lines.filter((l) => /^ {2}"/.test(l)).map((l) => /"(\w+)"/.exec(l)?.[1]);
  assert.deepEqual(top, ['scenario', 'backend', 'cpus', 'seed', 'durationNs', 'groups', 'tasks', 'expectations', 'series', 'slices']);
  assert.match(text, /\n {4}\{\n {6}"nrPeriods": 0,\n {6}"nrThrottled": 0,/);
});

test('the same figures give the same text whatever order the objects were built in', () => {
  const r = sampleRun();
  const shuffled = Object.fromEntries(Object.entries(r).reverse()) as unknown as RunResult;
  const groups = r.groups.map((g) => Object.fromEntries(Object.entries(g).reverse())) as unknown as RunResult['groups'];
  assert.equal(toJson({ ...shuffled, groups }), toJson(r));
});

test('bigint counters are written exactly, not thrown on', () => {
  const big = 2n ** 64n - 1n;
  const r = { ...sampleRun(), groups: [{ ...sampleRun().groups[0], usageUsec: big }] } as unknown as RunResult;
  const text = toJson(r);
  assert.match(text, /"usageUsec": 18446744073709551615,\n/);
  assert.doesNotThrow(() => JSON.parse(text));
});

test('absent optional fields are left out and non-finite numbers become null', () => {
  const { seed: _s, ...unseeded } = sampleRun();
  assert.doesNotMatch(toJson(unseeded), /"seed"/);
  const odd = sampleRun({ expectations: [{ text: 'x', actual: Number.NaN, ok: false }] });
  assert.match(toJson(odd), /"actual": null/);
});
