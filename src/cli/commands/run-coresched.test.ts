import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cgkit as cgkitArgs, type CliRun } from './group-cli.test-util.js';
import { scenarioDir, SMALL } from './scenario-files.test-util.js';

const examples = fileURLToPath(new URL('../../../examples/coresched/', import.meta.url));
const { scenario } = scenarioDir('cgkit-coresched-run-');
const cgkit = (...args: string[]): Promise<CliRun> => cgkitArgs(args);

/** The seed's use cases, one example each. */
const USE_CASES = ['browser.yaml', 'customer-jobs.yaml', 'root-group.yaml', 'vms.yaml'];

interface CostLine { lostPct: number; withS: number; withoutS: number; forcedIdleS: number }

const UNIT_S: Record<string, number> = { ns: 1e-9, 'µs': 1e-6, ms: 1e-3, s: 1 };
const DUR = '([\\d.]+ (?:ns|µs|ms|s))';

/** A duration as the report prints it (`1.121 s`, `898.0 ms`), in seconds. */
function seconds(text: string): number {
  const [n, u] = text.split(' ');
  return Number(n) * UNIT_S[u!]!;
}

/** The figures of the report's "Core scheduling cost" title line. */
function costLine(out: string): CostLine {
  const re = new RegExp(`^Core scheduling cost: (-?[\\d.]+)% of the CPU time lost against the same run without trust groups \\(${DUR} instead of ${DUR}; siblings forced idle ${DUR}\\)$`, 'm');
  const m = re.exec(out);
  assert.ok(m, `no cost line in\n${out}`);
  return { lostPct: Number(m[1]), withS: seconds(m[2]!), withoutS: seconds(m[3]!), forcedIdleS: seconds(m[4]!) };
}

interface JsonCost {
  withNs: number; withoutNs: number; lostPct: number; forcedIdleNs: number;
  groups: { path: string; withNs: number; withoutNs: number; lostPct: number }[];
}
interface JsonRun { durationNs: number; groups: { path: string; runtimeNs: number; forcedIdleNs?: number }[]; trustCost?: JsonCost }

describe('core scheduling examples (cgkit sim / run)', () => {
  it('examples/coresched holds the four seed use cases', () => {
    assert.deepEqual(readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort(), USE_CASES);
  });

  for (const file of USE_CASES) {
    it(`${file}: runs at full length, meets its expectations and reports a positive cost`, async () => {
      const r = await cgkit('sim', join(examples, file));
      assert.equal(r.status, 0, `${r.err}\n${r.out}`);
      assert.equal(r.err, '');
      assert.match(r.out, /· 4 CPUs · 10\.00 s simulated · seed 1\n/);
      const exp = /^Expectations: (\d+) of (\d+) met$/m.exec(r.out);
      assert.ok(exp && exp[1] === exp[2] && Number(exp[2]) > 0, r.out);
      const c = costLine(r.out);
      assert.ok(c.lostPct > 0, `${file}: lost ${c.lostPct}%`);
      assert.ok(c.withS < c.withoutS, `${file}: ${c.withS} s < ${c.withoutS} s`);
      assert.ok(Math.abs((c.withoutS - c.withS) / c.withoutS * 100 - c.lostPct) < 0.2, `${file}: the loss matches its two times`);
      assert.ok(c.forcedIdleS > 0.1, `${file}: forced idle ${c.forcedIdleS} s`);
      assert.match(r.out, /│ group +│ runtime │ without trust groups │ +lost │/);
    });
  }

  it('--json: trustCost with numeric fields that agree with the groups', async () => {
    const r = await cgkit('sim', join(examples, 'customer-jobs.yaml'), '--json', '--duration', '300ms');
    assert.equal(r.status, 1, 'a forced-idle expectation written for 10 s fails at 300 ms');
    const j = JSON.parse(r.out) as JsonRun;
    assert.equal(j.durationNs, 300_000_000);
    const c = j.trustCost!;
    for (const k of ['withNs', 'withoutNs', 'lostPct', 'forcedIdleNs'] as const) assert.equal(typeof c[k], 'number', k);
    const root = j.groups.find((g) => g.path === '/')!;
    assert.equal(c.withNs, root.runtimeNs);
    assert.equal(c.forcedIdleNs, root.forcedIdleNs);
    assert.ok(c.forcedIdleNs > 0 && c.withNs < c.withoutNs && c.withoutNs <= 4 * 300_000_000);
    assert.ok(Math.abs(c.lostPct - ((c.withoutNs - c.withNs) / c.withoutNs) * 100) < 1e-9);
    assert.deepEqual(c.groups.map((g) => g.path), j.groups.map((g) => g.path));
    for (const g of c.groups) {
      for (const k of ['withNs', 'withoutNs', 'lostPct'] as const) assert.ok(Number.isFinite(g[k]), `${g.path} ${k}`);
      assert.equal(g.withNs, j.groups.find((x) => x.path === g.path)!.runtimeNs);
    }
  });

  it('cgkit run (simulated by default) reports the cost too; the same seed gives the same cost', async () => {
    const a = await cgkit('run', join(examples, 'root-group.yaml'), '--duration', '300ms');
    assert.equal(a.status, 0, a.err);
    const b = await cgkit('run', join(examples, 'root-group.yaml'), '--duration', '300ms');
    const c = costLine(a.out);
    assert.ok(c.lostPct > 0 && c.withS < c.withoutS && c.forcedIdleS > 0, JSON.stringify(c));
    assert.deepEqual(costLine(b.out), costLine(a.out));
  });

  it('a scenario without trust groups has no cost block and no trustCost', async () => {
    const f = scenario('plain.yaml', SMALL);
    const t = await cgkit('sim', f, '--duration', '100ms');
    assert.doesNotMatch(t.out, /Core scheduling cost/);
    const j = await cgkit('sim', f, '--json', '--duration', '100ms');
    assert.ok(!('trustCost' in (JSON.parse(j.out) as object)));
  });

  it('trust groups on a machine without SMT: exit 2 with file:line naming machine.smt', async () => {
    const f = scenario('nosmt.yaml', `${SMALL}trust:\n  g: { tasks: [guest] }\n`);
    const r = await cgkit('sim', f);
    assert.equal(r.status, 2);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^cgkit: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: .*machine\\.smt.*\\n$`));
    const line = Number(/:(\d+): /.exec(r.err)![1]);
    assert.equal(`${SMALL}trust:\n  g: { tasks: [guest] }\n`.split('\n')[line - 1], '  g: { tasks: [guest] }');
  });
});
