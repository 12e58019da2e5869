import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { measureHostScenarios } from './host-scenarios.js';
import { probeHost } from './host-trial.js';

/** Is `pid` still one of the busy loops (a reused pid running something else is not)? */
function loopAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('deadline');
  } catch {
    return false;
  }
}

test('50/25/25 on the host kernel: a task beside a group gets half a CPU, and nothing is left behind', async (t) => {
  const env = await probeHost();
  if (typeof env === 'string') return t.skip(env);
  if (!env.taskset) return t.skip('taskset is not installed');
  const trials: { groups: readonly string[]; pids: readonly number[] }[] = [];
  const figures = await measureHostScenarios({ seconds: 1, only: ['50/25/25'], log: () => {}, onTrial: (x) => trials.push(x) });
  const share = (what: string): number => {
    const f = figures.find((x) => x.what.startsWith(what));
    assert.ok(f, `no figure for ${what}`);
    return f.host;
  };
  const [a, b, c] = [share('loop A'), share('loop B'), share('loop C')];
  assert.ok(a / b > 1.5 && a / b < 2.5, `A ${a.toFixed(1)} % should be about twice B ${b.toFixed(1)} %`);
  assert.ok(a / c > 1.5 && a / c < 2.5, `A ${a.toFixed(1)} % should be about twice C ${c.toFixed(1)} %`);
  assert.ok(b / c > 0.75 && b / c < 1.33, `B ${b.toFixed(1)} % and C ${c.toFixed(1)} % should be about equal`);
  assert.equal(trials.length, 1);
  assert.equal(trials[0]!.pids.length, 3);
  assert.deepEqual(trials[0]!.groups.filter((g) => existsSync(g)), []);
  assert.deepEqual(trials[0]!.pids.filter(loopAlive), []);
});
