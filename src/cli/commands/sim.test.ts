import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cgkit as cgkitArgs, type CliRun } from './group-cli.test-util.js';
import { scenarioDir, SMALL } from './scenario-files.test-util.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const { dir, scenario } = scenarioDir('cgkit-sim-');
const cgkit = (...args: string[]): Promise<CliRun> => cgkitArgs(args);

describe('cgkit sim', () => {
  it('prints the report and exits 0 when every expectation is met', async () => {
    const r = await cgkit('sim', join(examples, 'scenarios/01-fifty-twenty-five.yaml'));
    assert.equal(r.status, 0, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, /^fifty-twenty-five · simulated kernel · 1 CPU · 10\.00 s simulated · seed 1\n/);
    assert.match(r.out, /Expectations: 4 of 4 met/);
  });

  it('exits 1 when an expectation fails', async () => {
    const r = await cgkit('sim', scenario('fail.yaml', SMALL.replace('50% ± 2', '70% ± 2')));
    assert.equal(r.status, 1);
    assert.match(r.out, /Expectations: 0 of 1 met/);
  });

  it('exits 2 with file:line and the errno for a value the kernel refuses', async () => {
    const f = scenario('bad.yaml', SMALL.replace('cpu.weight: 100', 'cpu.weight: 0'));
    const r = await cgkit('sim', f);
    assert.deepEqual(r, { out: '', err: `cgkit: ${f}:5: writing /guest/cpu.weight "0": ERANGE (Numerical result out of range; cpu.weight is 1..10000)\n`, status: 2 });
  });

  it('exits 2 for YAML and schema errors, a missing file and bad options', async () => {
    const y = await cgkit('sim', scenario('yaml.yaml', `${SMALL}  - [\n`));
    assert.equal(y.status, 2);
    assert.match(y.err, /^cgkit: .*yaml\.yaml:\d+: YAML: /);
    const s = await cgkit('sim', scenario('schema.yaml', SMALL.replace('cpus: 1', 'cpus: 0')));
    assert.equal(s.err, `cgkit: ${join(dir, 'schema.yaml')}:2: machine.cpus: must be >= 1\n`);
    assert.equal(s.status, 2);
    const m = await cgkit('sim', join(dir, 'none.yaml'));
    assert.deepEqual(m, { out: '', err: `cgkit: ${join(dir, 'none.yaml')}: cannot read: ENOENT\n`, status: 2 });
    for (const args of [['sim'], ['sim', 'a.yaml', '--duration', '5'], ['sim', 'a.yaml', '--seed', 'x'], ['sim', 'a.yaml', '--bogus']]) {
      const u = await cgkit(...args);
      assert.equal(u.status, 2, args.join(' '));
      assert.match(u.err, /^cgkit: [^\n]+\n$/);
    }
  });

  it('--seed and --duration replace the scenario values; --json prints the result as JSON', async () => {
    const r = await cgkit('sim', scenario('j.yaml', SMALL), '--json', '--seed', '42', '--duration', '500ms');
    assert.equal(r.status, 0, r.err);
    const j = JSON.parse(r.out) as { scenario: string; seed: number; durationNs: number; groups: { path: string; sharePct: number }[] };
    assert.equal(j.scenario, 'small');
    assert.equal(j.seed, 42);
    assert.equal(j.durationNs, 5e8);
    assert.ok(Math.abs(j.groups.find((g) => g.path === '/guest')!.sharePct - 50) < 2);
  });

  it('writes the CSV, SVG, Perfetto and scheduler trace files asked for', async () => {
    const f = scenario('files.yaml', SMALL);
    const out = join(dir, 'out');
    const r = await cgkit('sim', f, '--csv', out, '--svg', join(out, 's.svg'), '--perfetto', join(out, 'p.json'), '--trace', join(dir, 't.jsonl'));
    assert.equal(r.status, 0, r.err);
    assert.match(readFileSync(join(out, 'groups.csv'), 'utf8'), /^path,share_pct,/);
    assert.match(readFileSync(join(out, 'tasks.csv'), 'utf8'), /\bhost\b/);
    assert.match(readFileSync(join(out, 's.svg'), 'utf8'), /^<svg/);
    const trace = JSON.parse(readFileSync(join(out, 'p.json'), 'utf8')) as { traceEvents: unknown[] };
    assert.ok(trace.traceEvents.length > 10);
    const lines = readFileSync(join(dir, 't.jsonl'), 'utf8').trim().split('\n');
    assert.ok(lines.length > 10);
    assert.ok(lines.every((l) => typeof (JSON.parse(l) as { t: unknown }).t === 'number'));
    const again = join(dir, 't2.jsonl');
    await cgkit('sim', f, '--trace', again);
    assert.equal(readFileSync(again, 'utf8'), readFileSync(join(dir, 't.jsonl'), 'utf8'), 'same scenario and seed, same trace');
  });

  it('prints rt-app notes as warnings on stderr', async () => {
    const r = await cgkit('sim', join(examples, 'rtapp-periodic.yaml'));
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /^cgkit: warning: .*rtapp-periodic\.yaml:\d+: rt-app rt-app\/periodic\.json: /m);
  });

  it('every example scenario meets its own expectations', async () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 4);
    for (const f of files) {
      const r = await cgkit('sim', join(examples, f));
      assert.equal(r.status, 0, `${f}\n${r.out}${r.err}`);
    }
  });
});

describe('cgkit demo', () => {
  it('runs the seed scenarios and prints each table', async () => {
    const r = await cgkit('demo');
    assert.equal(r.status, 0, r.out + r.err);
    for (const name of ['fifty-twenty-five', 'alice-karl-groups', 'alice-karl-flat', 'throttled-batch']) {
      assert.match(r.out, new RegExp(`^${name} · simulated kernel`, 'm'));
    }
    assert.match(r.out, /\n4 of 4 scenarios met every expectation\n$/);
  });

  it('picks scenarios by name; no match is a usage error', async () => {
    const r = await cgkit('demo', 'alice');
    assert.equal(r.status, 0);
    assert.equal(r.out.match(/· simulated kernel/g)?.length, 2);
    const j = await cgkit('demo', '--json', 'flat', 'batch');
    assert.equal(j.status, 0, j.err);
    assert.deepEqual((JSON.parse(j.out) as { scenario: string }[]).map((x) => x.scenario), ['alice-karl-flat', 'throttled-batch']);
    const n = await cgkit('demo', 'nope');
    assert.equal(n.status, 2);
    assert.match(n.err, /^cgkit: no scenario in .* matches nope\n$/);
  });

  it('is listed in the help with sim', async () => {
    const r = await cgkit('--help');
    assert.match(r.out, /^ {2}sim \[options\] <scenario> +run a scenario file/m);
    assert.match(r.out, /^ {2}demo \[options\] \[name\.\.\.\] +run the example scenarios/m);
  });
});
