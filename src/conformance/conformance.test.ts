import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import type { BackendFactory, BackendName } from './adapter.js';
import { CASES } from './cases/index.js';
import { hostFactory } from './host-backend.js';
import { runCase, type CaseRun } from './runner.js';
import { simFactory } from './sim-backend.js';
import { Summary } from './summary.js';
import { firstDifference } from './transcript.js';

/**
 * The conformance suite: every case runs on the simulated kernel and, where
 * this process may use it, on the host kernel; where both ran, their
 * transcripts (file contents and errno codes, step by step) must be equal.
 */
// CGKIT_CONFORMANCE_HOST=0: simulator only, with its builtin layout, as on a machine without cgroupfs.
const hostOff = process.env.CGKIT_CONFORMANCE_HOST === '0';
const factories: BackendFactory[] = [
  hostFactory(hostOff ? { disabled: 'disabled by CGKIT_CONFORMANCE_HOST=0' } : {}),
  simFactory(async () => (await import('../api/sim-kernel.js')).SimKernel, { mirrorHost: !hostOff }),
];
const summary = new Summary();
const results = new Map<string, Map<BackendName, CaseRun>>();

function describeRun(run: CaseRun): string {
  const parts = [...run.failures];
  if (run.error !== undefined) parts.push(`error: ${run.error instanceof Error ? run.error.stack ?? run.error.message : String(run.error)}`);
  if (run.leaks.length > 0) parts.push(`not cleaned up: ${run.leaks.join(', ')}`);
  return `${parts.join('\n')}\n--- transcript ---\n${run.transcript.join('\n')}`;
}

/** What a backend offers the cases: with the host present, the simulator must offer the same. */
async function environment(f: BackendFactory): Promise<object> {
  const b = await f.open();
  try {
    return { v2Root: b.v2Root, v2Controllers: b.v2Controllers, v1Mounts: [...b.v1Mounts].sort() };
  } finally {
    await b.close();
  }
}

test('environment [sim = host]: the simulator mirrors the host\'s hierarchies and v2 controllers', async (t) => {
  const host = factories.find((f) => f.name === 'host');
  const sim = factories.find((f) => f.name === 'sim');
  const why = await host?.unavailable();
  if (host === undefined || sim === undefined || why !== undefined) {
    t.skip(why ?? 'no host backend');
    return;
  }
  assert.deepEqual(await environment(sim), await environment(host));
});

for (const c of CASES) {
  const byBackend = new Map<BackendName, CaseRun>();
  results.set(c.id, byBackend);
  for (const f of factories) {
    test(`${c.id} [${f.name}] ${c.title}`, async (t) => {
      const why = await f.unavailable();
      if (why !== undefined) {
        summary.skip(f.name, why);
        t.skip(why);
        return;
      }
      const run = await runCase(c, f);
      byBackend.set(f.name, run);
      if (run.status === 'skipped') {
        summary.skip(f.name, run.reason ?? 'skipped');
        t.skip(run.reason);
        return;
      }
      summary.ran(f.name);
      const ok = run.failures.length === 0 && run.error === undefined && run.leaks.length === 0;
      assert.ok(ok, `${c.id} on ${f.name} (${c.rule})\n${describeRun(run)}`);
    });
  }
  test(`${c.id} [sim = host]`, (t) => {
    const sim = byBackend.get('sim');
    const host = byBackend.get('host');
    if (sim?.status !== 'ran' || host?.status !== 'ran') {
      t.skip('not run on both backends');
      return;
    }
    summary.compared(sim.transcript, host.transcript);
    const diff = firstDifference(sim.transcript, host.transcript);
    assert.ok(diff === undefined, `${c.id}: the simulated kernel differs from the host\n${diff ?? ''}`);
  });
}

after(async () => {
  for (const f of factories) await f.shutdown();
  console.log(summary.line());
  // CGKIT_CONFORMANCE_DUMP=<file>: every transcript, for reading side by side.
  const dump = process.env.CGKIT_CONFORMANCE_DUMP;
  if (dump !== undefined && dump !== '') {
    const out: Record<string, Record<string, Omit<CaseRun, 'error'> & { error: string | undefined }>> = {};
    for (const [id, runs] of results) {
      out[id] = {};
      for (const [b, r] of runs) out[id][b] = { ...r, error: r.error === undefined ? undefined : String(r.error) };
    }
    await writeFile(dump, `${JSON.stringify(out, null, 1)}\n`);
  }
});
