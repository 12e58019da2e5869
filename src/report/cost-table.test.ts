import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../scenario/result.js';
import type { TrustCost } from '../scenario/trust-cost.js';
import { forcedIdleRun, sampleRun } from './fixtures.test-util.js';
import { toJson } from './json.js';
import { formatTable } from './table.js';

/** The fixture's groups with and without trust groups; /guest-b gained. */
const COST: TrustCost = {
  withNs: 3_980_000_000,
  withoutNs: 4_000_000_000,
  lostPct: 0.5,
  forcedIdleNs: 37_000_000,
  groups: [
    { path: '/guest-a', withNs: 1_984_000_000, withoutNs: 2_000_000_000, lostPct: 0.8 },
    { path: '/guest-b', withNs: 1_004_000_000, withoutNs: 980_000_000, lostPct: -2.4489795918367347 },
    { path: '/guest-c,batch', withNs: 992_000_000, withoutNs: 1_020_000_000, lostPct: 2.745098039215686 },
  ],
};

const costRun = (): RunResult => ({ ...forcedIdleRun(), trustCost: COST });

/** The lines of the block that starts with `title` (up to the next blank line). */
function block(text: string, title: string): string[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(title));
  assert.ok(i >= 0, `no block ${title} in\n${text}`);
  const end = lines.indexOf('', i);
  return lines.slice(i, end < 0 ? undefined : end);
}

const cells = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());

test('the cost block: loss, both CPU times and forced idle in the title, one row per group', () => {
  const text = formatTable(costRun());
  const b = block(text, 'Core scheduling cost');
  assert.equal(b[0], 'Core scheduling cost: 0.50% of the CPU time lost against the same run without trust groups'
    + ' (3.980 s instead of 4.000 s; siblings forced idle 37.00 ms)');
  const rows = b.filter((l) => l.startsWith('│')).map(cells);
  assert.deepEqual(rows, [
    ['group', 'runtime', 'without trust groups', 'lost'],
    ['/guest-a', '1.984 s', '2.000 s', '0.80%'],
    ['/guest-b', '1.004 s', '980.0 ms', '-2.4%'],
    ['/guest-c,batch', '992.0 ms', '1.020 s', '2.7%'],
  ]);
});

test('the cost block comes after the groups and before the tasks; a run without trust groups has none', () => {
  const text = formatTable(costRun());
  const at = (s: string): number => text.indexOf(s);
  assert.ok(at('Groups') < at('Core scheduling cost') && at('Core scheduling cost') < at('Tasks'), text);
  assert.ok(!formatTable(forcedIdleRun()).includes('Core scheduling cost'));
  assert.ok(!formatTable(sampleRun()).includes('Core scheduling cost'));
});

test('with colour only the title is painted; the figures stay the same', () => {
  const plain = block(formatTable(costRun()), 'Core scheduling cost');
  // eslint-disable-next-line no-control-regex
  const strip = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
  const colored = formatTable(costRun(), { color: true });
  assert.notEqual(colored, formatTable(costRun()));
  assert.deepEqual(block(strip(colored), 'Core scheduling cost'), plain);
});

test('the JSON report carries trustCost after the expectations, with numbers that read back', () => {
  const text = toJson(costRun());
  const top = text.split('\n').filter((l) => /^ {2}"/.test(l)).map((l) => /"(\w+)"/.exec(l)?.[1]);
  assert.deepEqual(top, ['scenario', 'backend', 'cpus', 'seed', 'durationNs', 'groups', 'tasks', 'expectations', 'trustCost', 'series', 'slices']);
  const back = JSON.parse(text) as { trustCost: TrustCost };
  assert.deepEqual(back.trustCost, COST);
  assert.ok(!('trustCost' in (JSON.parse(toJson(sampleRun())) as object)));
});
