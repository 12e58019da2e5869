import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { Collect } from '../shell/harness.test.util.js';
import type { CliContext } from './context.js';
import { runCommand, runDeps, type RunDeps } from './run.js';
import { scenarioDir, SMALL } from './scenario-files.test-util.js';

const { dir, scenario } = scenarioDir('cgkit-run-');

/** A host that cannot run anything (and must not be asked to). */
const noHost: RunDeps = { ...runDeps, probeHost: () => Promise.resolve('running scenarios on the host needs root') };

async function cgkitRun(args: string[], deps: RunDeps = noHost): Promise<{ out: string; err: string; status: number }> {
  const stdin = new PassThrough();
  stdin.end('');
  const stdout = new Collect();
  const stderr = new Collect();
  const cli: CliContext = { stdin, stdout, stderr, exitCode: 0, makeKernel: () => Promise.reject(new Error('unused')) };
  const output = { writeOut: (s: string) => { stdout.write(s); }, writeErr: (s: string) => { stderr.write(s); } };
  const program = new Command('cgkit').exitOverride().configureOutput(output)
    .addCommand(runCommand(cli, deps).exitOverride().configureOutput(output));
  let status: number;
  try {
    await program.parseAsync(['run', ...args], { from: 'user' });
    status = cli.exitCode;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    status = e.exitCode === 0 ? 0 : 2;
  }
  return { out: stdout.text, err: stderr.text, status };
}

describe('cgkit run', () => {
  it('runs on the simulated kernel by default and prints the report', async () => {
    const r = await cgkitRun([scenario('small.yaml', SMALL)]);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^small · simulated kernel · 1 CPU · 1\.000 s simulated/);
    assert.match(r.out, /Expectations: 1 of 1 met/);
  });

  it('prints JSON, writes the files asked for, and exits 1 when an expectation fails', async () => {
    const csv = join(dir, 'csv');
    const r = await cgkitRun([scenario('fail.yaml', SMALL.replace('50% ± 2', '70% ± 2')), '--backend', 'sim', '--json', '--csv', csv]);
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.out).backend, 'sim');
    const groups = readFileSync(join(csv, 'groups.csv'), 'utf8');
    assert.match(groups, /^path,share_pct,/);
    assert.match(groups, /^\/guest,50,/m);
  });

  it('says why the host cannot run a scenario and exits 1', async () => {
    const r = await cgkitRun([scenario('small.yaml', SMALL), '--backend', 'host']);
    assert.deepEqual(r, { out: '', err: 'cgkit: cannot run on the host: running scenarios on the host needs root\n', status: 1 });
    const c = await cgkitRun(['--cleanup-only']);
    assert.deepEqual(c, { out: '', err: 'cgkit: cannot clean up on the host: running scenarios on the host needs root\n', status: 1 });
  });

  it('checks the scenario before the host, and exits 2 for a bad one', async () => {
    const f = scenario('bad.yaml', SMALL.replace('duration: 1s', 'duration: soon'));
    const r = await cgkitRun([f, '--backend', 'host']);
    assert.equal(r.status, 2);
    assert.match(r.err, new RegExp(`^cgkit: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: `));
    assert.doesNotMatch(r.err, /host/);
  });

  it('refuses the simulator-only outputs on the host, and a missing file', async () => {
    const f = scenario('small.yaml', SMALL);
    for (const opt of [['--perfetto', join(dir, 't.json')], ['--trace', join(dir, 't.jsonl')]]) {
      const r = await cgkitRun([f, '--backend', 'host', ...opt]);
      assert.equal(r.status, 2);
      assert.match(r.err, new RegExp(`${opt[0]} needs the simulated kernel`));
    }
    assert.equal((await cgkitRun([])).status, 2);
    const vm = await cgkitRun([f, '--backend', 'vm']);
    assert.equal(vm.status, 2);
    assert.match(vm.err, /Allowed choices are sim, host/);
  });
});
