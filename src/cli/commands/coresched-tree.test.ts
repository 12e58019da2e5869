import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { coreSchedSupport, type PrctlLoad } from '../../host/coresched.js';
import { Collect } from '../shell/harness.test.util.js';
import type { CliContext } from './context.js';
import { coreschedCommand } from './coresched.js';
import { cgkit, type CliRun } from './group-cli.test-util.js';
import { scenarioDir, SMALL } from './scenario-files.test-util.js';

const examples = fileURLToPath(new URL('../../../examples/coresched/', import.meta.url));
const { scenario } = scenarioDir('cgkit-coresched-tree-');

interface Member { tid: number; tgid: number; name: string; forks?: string }
interface Group { name: string; root: boolean; cookieId: number; cookie: string; properties: string; uid: number; gid: number; mode: string; cgroup: string | null; auto: boolean; members: Member[] }
interface Report { scenario: string; atNs: number; cpus: number; smt: number; groups: Group[]; errors: string[] }

async function treeJson(file: string, at: string): Promise<Report> {
  const r = await cgkit(['coresched', 'tree', '--scenario', join(examples, file), '--at', at, '--json']);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.err, '');
  return JSON.parse(r.out) as Report;
}

const byName = (r: Report, name: string): Group => {
  const g = r.groups.find((x) => x.name === name);
  assert.ok(g, `group ${name} in ${r.groups.map((x) => x.name).join(', ')}`);
  return g;
};
const names = (g: Group): string[] => g.members.map((m) => m.name).sort();

/** Every group's cookie is its own, and the root group's is 0. */
function assertCookies(r: Report): void {
  const cookies = r.groups.map((g) => g.cookie);
  assert.equal(byName(r, '/').cookie, '0x0');
  assert.equal(new Set(cookies).size, cookies.length, cookies.join(' '));
  for (const c of cookies) assert.match(c, /^0x[0-9a-f]+$/);
}

describe('cgkit coresched tree --scenario', () => {
  it('customer-jobs: one group per customer, bound to its cgroup, with its jobs; a job\'s later fork joins it', async () => {
    const r = await cgkit(['coresched', 'tree', '--scenario', join(examples, 'customer-jobs.yaml'), '--at', '500ms']);
    assert.equal(r.status, 0, r.err);
    const out = r.out.split('\n');
    assert.equal(out[0], 'customer-jobs · simulated kernel · 4 CPUs (2 cores × 2 threads) · at 500ms · 3 trust groups and the root group');
    assert.ok(out.some((l) => /^customer-a {2}cookie_id 1 {2}cookie 0x[0-9a-f]+ {2}SAME_COOKIE_FOR_CHILD {2}owner 0:0 {2}mode 0755 {2}cgroup \/customers\/a$/.test(l)), r.out);
    assert.match(r.out, /customer-b .*\n├── \d+ b-web-1\n└── \d+ b-web-2\n/);

    const early = await treeJson('customer-jobs.yaml', '500ms');
    assert.deepEqual(early.groups.map((g) => g.name), ['/', 'customer-a', 'customer-b', 'customer-c']);
    assert.deepEqual(names(byName(early, 'customer-a')), ['a-job-1', 'a-job-2', 'a-job-3']);
    assert.deepEqual(names(byName(early, 'customer-c')), ['c-job']);
    assert.equal(byName(early, 'customer-c').cgroup, '/customers/c');
    assertCookies(early);
    // c-job forks c-helper after a second of its own CPU time, in /customers/c: the binding takes it in.
    const later = await treeJson('customer-jobs.yaml', '2s');
    assert.deepEqual(names(byName(later, 'customer-c')), ['c-helper', 'c-job']);
    assert.equal(byName(later, 'customer-c').cookie, byName(early, 'customer-c').cookie, 'the same run, the same cookie');
  });

  it('root-group: system services and the launcher\'s forks are in the root group, the launcher alone in ops', async () => {
    const r = await treeJson('root-group.yaml', '500ms');
    const root = byName(r, '/');
    assert.ok(root.root);
    for (const n of ['monitor', 'logger', 'maintenance-1', 'maintenance-2', 'init']) assert.ok(names(root).includes(n), `${n} in ${names(root).join(', ')}`);
    assert.ok(!names(root).some((n) => n.startsWith('t1-') || n.startsWith('t2-') || n === 'launcher'), names(root).join(', '));
    const ops = byName(r, 'ops');
    assert.deepEqual(names(ops), ['launcher']);
    assert.equal(ops.properties, 'ROOT_COOKIE_FOR_CHILD');
    assert.equal(ops.cgroup, null);
    assert.deepEqual(names(byName(r, 'tenant-1')), ['t1-job-1', 't1-job-2']);
    assert.equal(byName(r, 'tenant-2').cgroup, '/tenants/t2');
    assertCookies(r);
  });

  it('browser: each renderer forked under NEW_COOKIE_FOR_CHILD has a group of its own; its own fork stays with it', async () => {
    const r = await treeJson('browser.yaml', '200ms');
    assert.deepEqual(names(byName(r, 'browser')), ['browser']);
    assert.equal(byName(r, 'browser').properties, 'NEW_COOKIE_FOR_CHILD');
    const auto = r.groups.filter((g) => g.auto);
    assert.deepEqual(auto.map(names).sort(), [['gpu-helper', 'renderer-3'], ['renderer-1'], ['renderer-2'], ['renderer-4']]);
    for (const g of auto) assert.equal(g.properties, 'SAME_COOKIE_FOR_CHILD');
    assert.ok(names(byName(r, '/')).includes('indexer'));
    assertCookies(r);
    assert.deepEqual(r.errors, []);
  });

  it('exits 2 for --at after the end or a bad duration, 1 for a scenario without trust groups', async () => {
    const late = await cgkit(['coresched', 'tree', '--scenario', join(examples, 'browser.yaml'), '--at', '11s']);
    assert.deepEqual(late, { out: '', err: `cgkit: coresched tree: --at 11s is after the end of ${join(examples, 'browser.yaml')} (10s)\n`, status: 2 });
    assert.equal((await cgkit(['coresched', 'tree', '--scenario', join(examples, 'browser.yaml'), '--at', 'soon'])).status, 2);
    const plain = scenario('plain.yaml', SMALL);
    const none = await cgkit(['coresched', 'tree', '--scenario', plain]);
    assert.deepEqual(none, { out: '', err: `cgkit: coresched tree: ${plain} has no trust: section, so its run has no trust-group manager\n`, status: 1 });
  });
});

/** `cgkit coresched ARGS...` on a prctl that answers `errno` (0: core scheduling works). */
async function withPrctl(args: string[], errno: number): Promise<CliRun> {
  const load: PrctlLoad = { sys: { schedCore: () => errno } };
  const stdin = new PassThrough();
  stdin.end('');
  const stdout = new Collect();
  const stderr = new Collect();
  const cli: CliContext = { stdin, stdout, stderr, exitCode: 0, makeKernel: () => Promise.reject(new Error('no kernel')) };
  const program = new Command('cgkit').exitOverride().configureOutput({ writeOut: (s) => { stdout.write(s); }, writeErr: (s) => { stderr.write(s); } });
  program.addCommand(coreschedCommand(cli, { load: () => load }).exitOverride().configureOutput(program.configureOutput()));
  try {
    await program.parseAsync(['coresched', ...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return { out: stdout.text, err: stderr.text, status: 2 };
  }
  return { out: stdout.text, err: stderr.text, status: cli.exitCode };
}

describe('cgkit coresched tree on the host (no --scenario)', () => {
  it('a kernel without core scheduling: exit 1 with the reason and the errno', async () => {
    const r = await withPrctl(['tree'], 22);
    assert.equal(r.status, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^cgkit: coresched tree: no trust groups on this host: core scheduling is not available here: .*EINVAL/);
    assert.match(r.err, /trust groups live in a running trust-group manager, and none runs here/);
  });

  it('a kernel with core scheduling: still exit 1, there is no manager to ask', async () => {
    const r = await withPrctl(['tree', '--json'], 0);
    assert.equal(r.status, 1);
    assert.match(r.err, /^cgkit: coresched tree: trust groups live in a running trust-group manager, and none runs here .*--scenario FILE/);
  });

  const support = coreSchedSupport();
  it('this host, through cgkit itself', { skip: support.supported && 'core scheduling works here' }, async () => {
    const r = await cgkit(['coresched', 'tree']);
    assert.equal(r.status, 1);
    assert.equal(r.err, `cgkit: coresched tree: no trust groups on this host: core scheduling is not available here: ${support.why ?? ''}; trust groups live in a running trust-group manager, and none runs here for cgkit to ask; give --scenario FILE to show those of a simulated run, or try them in cgkit shell --smt 2 (at /sys/kernel/coresched)\n`);
  });

  it('get stays the default function, and help lists tree', async () => {
    const r = await withPrctl([], 0);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^cookie of pid \d+ is 0x0\n$/);
    const h = await cgkit(['coresched', '--help']);
    assert.match(h.out, /tree \[options\] +the trust groups of a simulated run/);
    assert.match(h.out, /cgkit coresched tree --scenario FILE \[--at DURATION\] \[--json\]/);
  });
});
