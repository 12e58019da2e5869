import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { HostFs } from '../../host/hostfs.js';
import { detectHostLayoutSync } from '../../host/layout.js';
import type { ShellKernel } from './kernel.js';
import { joinPath } from './paths.js';
import { Session } from './session.js';

/**
 * The same script of cgroup v2 file commands, run by `cgkit shell --layout
 * host` (in-process) and by bash on the host's real cgroupfs, each in its
 * own `cgkit-test-<random>` directory under the v2 mount. Per command:
 * stdout must be identical (after naming both directories BASE), the same
 * commands must fail, and with the same errno text on stderr.
 *
 * A second run puts the shell over HostFs in a third directory: it checks
 * the shell's own printing against bash with the kernel held fixed.
 */

const SCRIPT = [
  'mkdir a', 'mkdir a', 'mkdir a/b', 'mkdir x/y', 'ls', 'ls a',
  'cat cgroup.type', 'cat cgroup.events', 'cat cgroup.controllers', 'cat cgroup.subtree_control',
  'cat cgroup.stat', 'cat cgroup.max.depth', 'cat cgroup.max.descendants',
  'cat a/cgroup.type a/cgroup.events a/cgroup.controllers a/cgroup.stat',
  'echo 1 > a/cgroup.max.depth', 'cat a/cgroup.max.depth', 'mkdir a/b/c',
  'echo -1 > a/cgroup.max.depth', 'echo x > a/cgroup.max.depth', 'echo 2 3 > a/cgroup.max.depth',
  'echo max > a/cgroup.max.depth', 'mkdir a/b/c',
  'echo 2 > a/cgroup.max.descendants', 'mkdir a/d', 'cat a/cgroup.max.descendants', 'cat a/cgroup.stat',
  'echo -1 > a/cgroup.max.descendants', 'echo max > a/cgroup.max.descendants',
  'echo +hugetlb > cgroup.subtree_control', 'cat cgroup.subtree_control', 'cat a/cgroup.controllers', 'ls a', 'cat cgroup.stat',
  'echo +cpu > cgroup.subtree_control', 'echo hugetlb > cgroup.subtree_control', 'echo +bogus > cgroup.subtree_control',
  'echo +hugetlb > a/cgroup.subtree_control', 'cat a/b/cgroup.controllers',
  'echo -hugetlb > cgroup.subtree_control', 'echo -hugetlb > a/cgroup.subtree_control',
  'echo domain > a/b/cgroup.type', 'echo threaded > a/b/cgroup.type',
  'cat a/b/cgroup.type a/cgroup.type a/b/c/cgroup.type',
  'echo +hugetlb > a/cgroup.subtree_control', 'echo threaded > a/b/c/cgroup.type', 'cat a/b/c/cgroup.type',
  'cat a/b/cgroup.procs', 'cat a/b/cgroup.threads a/cgroup.procs',
  'echo 1 > a/cgroup.events', 'echo 1 > a/cgroup.controllers', 'echo 1 > nofile', 'cat nofile',
  'cat a/cgroup.kill', 'cat a/cgroup.freeze', 'mv a z',
  'rmdir a', 'rmdir a/b', 'rmdir a/b/c a/b', 'cat a/cgroup.type', 'rmdir nope', 'rmdir a',
  'mkdir p', 'cat p/cgroup.stat.local p/cpu.stat p/cpu.stat.local p/cgroup.pressure p/cgroup.freeze',
  'echo 2 > p/cgroup.pressure', 'echo 0 > p/cgroup.pressure', 'cat p/cgroup.pressure', 'ls p', 'echo 1 > p/cgroup.pressure',
  'echo 1 > p/cgroup.freeze', 'cat p/cgroup.events', 'mkdir p/q', 'cat p/q/cgroup.events p/q/cgroup.freeze',
  'echo 2 > p/cgroup.freeze', 'echo 0 > p/cgroup.freeze', 'cat p/q/cgroup.events',
  'echo 2 > p/cgroup.kill', 'echo 1 > p/cgroup.kill', 'echo threaded > p/q/cgroup.type', 'echo 1 > p/q/cgroup.kill',
  "echo '+hugetlb -hugetlb' > cgroup.subtree_control", 'cat cgroup.subtree_control',
  "echo '-hugetlb +hugetlb' > cgroup.subtree_control", 'cat cgroup.subtree_control',
  "echo ' 3' > p/cgroup.max.depth", 'cat p/cgroup.max.depth', 'echo 0x10 > p/cgroup.max.depth', 'cat p/cgroup.max.depth',
  'echo 2147483648 > p/cgroup.max.depth', 'echo > p/cgroup.max.depth', 'echo 0 > p/cgroup.max.depth', 'mkdir p/q/r',
  "mkdir 'sp ace'", 'ls', "rmdir 'sp ace' p/q p",
  'ls', 'cat cgroup.events',
];

interface Step {
  cmd: string;
  out: string;
  err: string;
  failed: boolean;
}

const BASE_RE = /cgkit-test-[0-9a-f]+/g;
const norm = (s: string): string => s.replace(BASE_RE, 'BASE');
/** bash names itself and the line; the shell names itself. */
const normErr = (s: string): string => norm(s).replace(/^bash: line \d+: /gm, 'cgkit: ');

function hostV2Mount(): string | undefined {
  try {
    return detectHostLayoutSync().mounts.find((m) => m.version === 2)?.mountPoint;
  } catch {
    return undefined;
  }
}

/** Why the host comparison cannot run here, or undefined when it can. */
function unavailable(mount: string | undefined): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (mount === undefined) return 'no cgroup v2 mount on this host';
  if (spawnSync('bash', ['-c', 'true']).status !== 0) return 'no bash';
  return undefined;
}

const mount = hostV2Mount();
const skip = unavailable(mount);
const created: string[] = [];

/** Remove a directory tree of cgroups bottom-up (cgroupfs files are not removed, only directories). */
function removeTree(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) if (e.isDirectory()) removeTree(joinPath(dir, e.name));
  rmdirSync(dir);
}

function cleanup(): void {
  const errors: unknown[] = [];
  for (const d of created.splice(0)) {
    try {
      removeTree(d);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'cannot remove test cgroups');
}
after(cleanup);

/** A fresh host directory, or undefined (with the reason in `why`) when the v2 mount is not writable. */
function hostDir(why: string[]): string | undefined {
  const dir = joinPath(mount ?? '/', `cgkit-test-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(dir);
  } catch (e) {
    why.push(`cannot create ${dir}: ${(e as Error).message}`);
    return undefined;
  }
  created.push(dir);
  return dir;
}

function runBash(dir: string): Step[] {
  const lines = [`cd -- '${dir}' || exit 99`];
  for (const cmd of SCRIPT) lines.push(cmd, 'echo "@@ $?"; echo @@ >&2');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', lines.join('\n')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  assert.equal(r.status, 0, `bash: ${r.stderr}`);
  const outs = r.stdout.split(/^@@ (\d+)\n/m);
  const errs = r.stderr.split(/^@@\n/m);
  return SCRIPT.map((cmd, i) => ({ cmd, out: outs[2 * i] ?? '', err: errs[i] ?? '', failed: outs[2 * i + 1] !== '0' }));
}

async function runShellSteps(kernel: ShellKernel, dir: string): Promise<Step[]> {
  let out = '';
  let err = '';
  const s = new Session(kernel, { out: (t) => { out += t; }, err: (l) => { err += l + '\n'; } });
  assert.equal(await s.run(`cd '${dir}'`), 0, err);
  const steps: Step[] = [];
  for (const cmd of SCRIPT) {
    out = '';
    err = '';
    const status = await s.run(cmd);
    steps.push({ cmd, out, err, failed: status !== 0 });
  }
  return steps;
}

function compare(t: { diagnostic(m: string): void }, shell: Step[], bash: Step[]): void {
  const view = (steps: Step[], e: (s: string) => string): unknown[] => steps.map((s) => ({ cmd: s.cmd, out: norm(s.out), failed: s.failed, err: e(s.err) }));
  const a = view(shell, norm);
  const b = view(bash, normErr);
  const differ = a.filter((x, i) => JSON.stringify(x) !== JSON.stringify(b[i]));
  for (const d of differ) t.diagnostic(`differs: ${JSON.stringify(d)} vs host ${JSON.stringify(b[a.indexOf(d)])}`);
  t.diagnostic(`${SCRIPT.length} commands compared, ${differ.length} differ, ${bash.filter((s) => s.failed).length} fail on the host`);
  assert.deepEqual(a.map((x) => ({ ...(x as object), err: undefined })), b.map((x) => ({ ...(x as object), err: undefined })), 'stdout and failing commands');
  assert.deepEqual(a, b, 'error lines (errno text)');
}

describe('cgkit shell against bash on the host cgroupfs', { skip: skip ?? false }, () => {
  it('the script stays inside its directory', () => {
    for (const c of SCRIPT) assert.ok(!c.includes('..') && !/(^|\s)\//.test(c), c);
  });

  it('shell over HostFs prints what bash prints', async (t) => {
    const why: string[] = [];
    const dirA = hostDir(why);
    const dirB = hostDir(why);
    if (dirA === undefined || dirB === undefined) return t.skip(why.join('; '));
    try {
      const layout = detectHostLayoutSync();
      const fs = new HostFs();
      const kernel = { fs, layout, as: () => ({ fs }) } as unknown as ShellKernel; // file commands only
      compare(t, await runShellSteps(kernel, dirA), runBash(dirB));
    } finally {
      cleanup();
    }
  });

  it('cgkit shell --layout host prints what bash on the host prints', async (t) => {
    const why: string[] = [];
    const dirB = hostDir(why);
    if (dirB === undefined) return t.skip(why.join('; '));
    try {
      const { SimKernel } = await import('../../api/sim-kernel.js');
      const k = new SimKernel({ layout: 'host' });
      const v2 = k.layout.mounts.find((m) => m.version === 2)?.mountPoint;
      assert.equal(v2, mount, 'the simulated host layout has the host v2 mount');
      // The host's root already distributes some controllers (set at boot, not by us); the simulated root starts
      // empty, so give it the same subtree_control first.
      const hostRoot = readFileSync(joinPath(mount ?? '/', 'cgroup.subtree_control'), 'utf8').trim();
      for (const c of hostRoot.split(/\s+/).filter((x) => x !== '')) await k.fs.writeFile(joinPath(v2 ?? '/', 'cgroup.subtree_control'), `+${c}`);
      const dirA = joinPath(v2 ?? '/', `cgkit-test-${randomBytes(6).toString('hex')}`);
      await k.fs.mkdir(dirA);
      compare(t, await runShellSteps(k, dirA), runBash(dirB));
    } finally {
      cleanup();
    }
  });
});
