import { randomBytes } from 'node:crypto';
import type { Backend, BackendFactory } from './adapter.js';
import type { Case } from './case.js';
import { teardown } from './teardown.js';
import { Context } from './context.js';

export interface CaseRun {
  status: 'ran' | 'skipped';
  /** Why it was skipped. */
  reason?: string;
  transcript: string[];
  /** Steps whose outcome was not the expected one. */
  failures: string[];
  /** The case threw something other than a kernel error (a harness or backend bug). */
  error?: unknown;
  /** What could not be cleaned up (a leak is a failure). */
  leaks: string[];
}

/** Why `backend` cannot run `c`, or undefined when it can. */
export function unmetNeed(c: Case, b: Pick<Backend, 'v2Root' | 'v2Controllers' | 'v1Mounts'>): string | undefined {
  const n = c.needs;
  const wantsV2 = n.v2 === true || n.v2Domain === true || (n.v2Controllers?.length ?? 0) > 0;
  if (wantsV2 && b.v2Root === undefined) return 'no cgroup v2 hierarchy';
  for (const ctrl of n.v2Controllers ?? []) {
    if (!b.v2Controllers.includes(ctrl)) return `${ctrl} is not enabled in the v2 root's cgroup.subtree_control (the suite never changes a root)`;
  }
  if (n.v2Domain === true && !['hugetlb', 'memory', 'io', 'rdma', 'misc'].some((x) => b.v2Controllers.includes(x))) {
    return "no domain controller is enabled in the v2 root's cgroup.subtree_control (the suite never changes a root)";
  }
  for (const ctrl of n.v1 ?? []) {
    if (!b.v1Mounts.has(ctrl)) return `no v1 hierarchy with ${ctrl}`;
  }
  return undefined;
}

/** The base groups a case gets: '' -> v2 base, controller -> v1 base. */
function basesFor(c: Case, b: Backend, name: string): Map<string, string> {
  const bases = new Map<string, string>();
  const n = c.needs;
  if ((n.v2 === true || n.v2Domain === true || (n.v2Controllers?.length ?? 0) > 0) && b.v2Root !== undefined) {
    bases.set('', `${b.v2Root}/${name}`);
  }
  for (const ctrl of n.v1 ?? []) {
    const mount = b.v1Mounts.get(ctrl);
    if (mount !== undefined) bases.set(ctrl, `${mount}/${name}`);
  }
  return bases;
}

/**
 * Run one case on one backend: fresh `cgkit-test-<random>` base groups in
 * every hierarchy the case needs, the case itself, then teardown on every
 * path (thaw, kill the case's tasks, remove the groups bottom-up).
 */
export async function runCase(c: Case, factory: BackendFactory): Promise<CaseRun> {
  const backend = await factory.open(c);
  const skipped = unmetNeed(c, backend);
  if (skipped !== undefined) {
    await backend.close();
    return { status: 'skipped', reason: skipped, transcript: [], failures: [], leaks: [] };
  }
  const name = `cgkit-test-${randomBytes(6).toString('hex')}`;
  const bases = basesFor(c, backend, name);
  const made: string[] = [];
  const run: CaseRun = { status: 'ran', transcript: [], failures: [], leaks: [] };
  try {
    for (const dir of new Set(bases.values())) {
      await backend.fs.mkdir(dir);
      made.push(dir);
    }
    const ctx = new Context(backend, bases, name);
    try {
      await c.run(ctx);
    } catch (e) {
      run.error = e;
    }
    run.transcript = ctx.transcript;
    run.failures = ctx.failures;
  } catch (e) {
    run.error = e;
  } finally {
    run.leaks = await teardown(backend, made);
    await backend.close();
  }
  return run;
}
