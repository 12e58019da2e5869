/**
 * Trust groups following real processes on this host, end to end: real
 * `sh` and `cat` processes, real forks reported by the kernel's
 * process-event connector through HostCoreSchedKernel, a real cgroup for
 * the binding. Only prctl(PR_SCHED_CORE) is replaced (this kernel has no
 * core scheduling): a cookie table over /proc (host-follow.test-util.ts).
 *
 * The processes are `sh -c 'exec 3<&0; read x; cat <&3 >/dev/null & ... wait'`
 * with a pipe on stdin: sh forks its children only once the test writes a
 * line (after sh was put in its group), and the children (`cat` on the
 * same pipe) exit when the test closes it. Every process is started here
 * and signalled only through its ChildProcess; the cgroup is a
 * `cgkit-test-<random>` group removed on every exit path (and on
 * SIGINT/SIGTERM by the scratch area).
 *
 * Fork to placement is printed, not asserted: from the kernel's timestamp
 * of the fork (a second connector socket, CLOCK_MONOTONIC as
 * process.hrtime) to the moment the manager had handled the event (a
 * watcher registered after the manager's runs right after it).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openHostCoreSched, type HostCoreSchedKernel } from '../host/coresched-kernel.js';
import { openHostScratch } from '../host/host-test.test-util.js';
import type { HostKernel } from '../host/kernel.js';
import { ProcEvents, procEventsSupport } from '../host/proc-events.js';
import { ProcCookieTable } from './host-follow.test-util.js';
import { TrustGroups } from './trust-groups.js';

async function skipReason(): Promise<string | false> {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root: the tests move processes between cgroups and listen to every fork of the machine';
  const pe = await procEventsSupport();
  return pe.supported ? false : `the kernel's process-event connector is unavailable: ${pe.why ?? 'unknown reason'}`;
}
const skip = await skipReason();
if (skip) console.log(`skipping the trust-group host tests: ${skip}`);
/** The cgroup side, opened here so that its safety net (removal after the file, on SIGINT/SIGTERM) is file-wide. */
const host = skip ? 'skipped' : await openHostScratch();

const TWO_CHILDREN = 'exec 3<&0; read x; cat <&3 >/dev/null & cat <&3 >/dev/null & wait';
const ONE_CHILD = 'exec 3<&0; read x; cat <&3 >/dev/null & wait';

/** Fork to placement of every child placed, in ms, for the summary. */
const latencies: number[] = [];
after(() => {
  if (latencies.length === 0) return;
  const s = [...latencies].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  console.log(`fork to placement: n=${s.length}, median ${median.toFixed(3)} ms, min ${s[0]!.toFixed(3)} ms, max ${s[s.length - 1]!.toFixed(3)} ms`);
});

type Shell = ChildProcessByStdio<Writable, null, null> & { pid: number };

interface Rig {
  k: HostCoreSchedKernel;
  tg: TrustGroups;
  table: ProcCookieTable;
  /** Run at cleanup, last registered first. */
  defer(fn: () => unknown): void;
  /** A shell running `script`, ended (stdin closed, then SIGKILL if needed) at cleanup. */
  shell(script: string): Shell;
  /** The child processes `parent` forked so far, as a second connector socket saw them. */
  childrenOf(parent: number): number[];
  /** The group a child was in right after the manager handled its fork event. */
  groupAtFork(child: number): string | undefined;
  /** Wait (bounded) for `n` children of `parent`, then for each to satisfy `placed`; returns them. */
  placedChildren(t: TestContext, parent: number, n: number, placed: (child: number) => boolean): Promise<number[]>;
}

async function rig(t: TestContext, cgroups?: HostKernel): Promise<Rig> {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const fn of stack.reverse()) await Promise.resolve().then(fn).catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, `cleanup failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  });
  const defer = (fn: () => unknown): void => void stack.push(fn);
  const table = new ProcCookieTable();
  const streamErrors: unknown[] = [];
  const opened = await openHostCoreSched({ sys: table, onError: (e) => streamErrors.push(e) });
  assert.ok('kernel' in opened, 'error' in opened ? opened.error : '');
  const k = opened.kernel;
  defer(() => k.close());
  defer(() => assert.deepEqual(streamErrors, [], 'the event stream did not fail'));

  // A second socket: the kernel's fork timestamps, and the children of our shells independently of the manager's stream.
  const ours = new Set<number>();
  const forks = new Map<number, { parent: number; ns: bigint }>();
  const stamps = await ProcEvents.open();
  defer(() => stamps.close());
  stamps.subscribe((m) => {
    if (m.kind === 'fork' && m.childPid === m.childTgid && ours.has(m.parentTgid)) forks.set(m.childPid, { parent: m.parentTgid, ns: m.timestampNs });
  });

  const tg = new TrustGroups(k, cgroups ? { cgroups } : {});
  defer(async () => {
    tg.close();
    await tg.settled();
  });
  defer(() => assert.deepEqual(tg.errors, [], 'no failure while handling events'));
  // Registered after the manager's watcher: runs right after it handled the same event.
  const handledAt = new Map<number, bigint>();
  const atFork = new Map<number, string | undefined>();
  k.watch((e) => {
    if (e.kind !== 'fork' || e.thread || !ours.has(e.parent)) return;
    handledAt.set(e.child, process.hrtime.bigint());
    atFork.set(e.child, groupOrGone(tg, e.child));
  });

  const shell = (script: string): Shell => {
    const c = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
    assert.ok(c.pid !== undefined, 'sh started');
    ours.add(c.pid);
    const exited = new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });
    defer(async () => {
      c.stdin.destroy(); // the children's pipe: they see EOF and exit
      if (await Promise.race([exited.then(() => true), sleep(2000, false)])) return;
      c.kill('SIGKILL');
      await exited;
    });
    return c as Shell;
  };

  const childrenOf = (parent: number): number[] => [...forks].filter(([, f]) => f.parent === parent).map(([c]) => c).sort((a, b) => a - b);

  const placedChildren = async (tc: TestContext, parent: number, n: number, placed: (child: number) => boolean): Promise<number[]> => {
    await waitFor(() => childrenOf(parent).length >= n, `${n} forks of ${parent}`);
    const children = childrenOf(parent);
    for (const c of children) {
      await waitFor(() => placed(c), `the placement of child ${c}`);
      const seenAt = process.hrtime.bigint();
      const ms = Number((handledAt.get(c) ?? seenAt) - forks.get(c)!.ns) / 1e6;
      latencies.push(ms);
      tc.diagnostic(`child ${c}: fork to placement ${ms.toFixed(3)} ms${handledAt.has(c) ? '' : ' (seen by the poll)'}`);
    }
    return children;
  };

  return { k, tg, table, defer, shell, childrenOf, groupAtFork: (c) => atFork.get(c), placedChildren };
}

/** Bounded poll: every 2 ms, giving up (and failing) after `guardMs`. */
async function waitFor(done: () => boolean, what: string, guardMs = 10_000): Promise<void> {
  const start = process.hrtime.bigint();
  while (!done()) {
    if (Number(process.hrtime.bigint() - start) / 1e6 > guardMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(2);
  }
}

/** The group of a task, or undefined once it is gone. */
function groupOrGone(tg: TrustGroups, tid: number): string | undefined {
  try {
    return tg.groupOf(tid);
  } catch {
    return undefined;
  }
}

async function ended(sh: Shell): Promise<void> {
  sh.stdin.end();
  if (sh.exitCode === null && sh.signalCode === null) await new Promise((resolve) => sh.once('exit', resolve));
}

describe('trust groups follow real processes through the process-event connector', { skip }, () => {
  it('NEW_COOKIE_FOR_CHILD: each forked child gets its own automatic group and cookie; the groups go with the children', async (t) => {
    const { k, tg, shell, placedChildren } = await rig(t);
    tg.create('browser', { properties: 'NEW_COOKIE_FOR_CHILD' });
    const sh = shell(TWO_CHILDREN);
    tg.addProcess('browser', sh.pid);
    const parentCookie = k.getCookie(sh.pid);
    assert.notEqual(parentCookie, 0n);
    sh.stdin.write('go\n');
    const children = await placedChildren(t, sh.pid, 2, (c) => { const g = groupOrGone(tg, c); return g !== undefined && g !== 'browser' && g !== '/'; });
    const cookies = children.map((c) => k.getCookie(c));
    for (const [i, c] of children.entries()) {
      const g = tg.group(tg.groupOf(c));
      assert.deepEqual([g.name, g.auto, g.properties, tg.members(g.name)], [`task-${c}`, true, 'SAME_COOKIE_FOR_CHILD', [c]]);
      assert.equal(g.cookie, cookies[i], 'the group records the cookie its member holds');
      assert.notEqual(cookies[i], parentCookie, 'not the parent\'s cookie');
      assert.notEqual(cookies[i], 0n);
    }
    assert.notEqual(cookies[0], cookies[1], 'the children do not share a cookie');
    assert.deepEqual([tg.groupOf(sh.pid), k.getCookie(sh.pid), tg.members('browser')], ['browser', parentCookie, [sh.pid]], 'the parent stays');
    await ended(sh);
    await waitFor(() => children.every((c) => !tg.groups().some((g) => g.name === `task-${c}`)), 'the automatic groups to go with their tasks');
    assert.deepEqual(tg.groups().map((g) => g.name), ['/', 'browser']);
  });

  it('SAME_COOKIE_FOR_CHILD (the default): the children join the parent\'s group with its cookie', async (t) => {
    const { k, tg, shell, placedChildren } = await rig(t);
    assert.equal(tg.create('job').properties, 'SAME_COOKIE_FOR_CHILD');
    const sh = shell(TWO_CHILDREN);
    tg.addProcess('job', sh.pid);
    const parentCookie = k.getCookie(sh.pid);
    assert.notEqual(parentCookie, 0n);
    sh.stdin.write('go\n');
    const children = await placedChildren(t, sh.pid, 2, (c) => groupOrGone(tg, c) === 'job');
    assert.deepEqual(children.map((c) => k.getCookie(c)), [parentCookie, parentCookie]);
    assert.deepEqual(tg.members('job'), [sh.pid, ...children].sort((a, b) => a - b));
    assert.deepEqual([tg.group('job').cookie, tg.groups().length], [parentCookie, 2], 'no automatic group');
    await ended(sh);
    await waitFor(() => tg.members('job').length === 0, 'the members to leave on exit');
    assert.equal(tg.group('job').cookie, 0n, 'an empty group holds no cookie');
  });

  it('ROOT_COOKIE_FOR_CHILD: the children go to the root group with cookie 0', async (t) => {
    const { k, tg, shell, placedChildren } = await rig(t);
    tg.create('sandbox', { properties: 'ROOT_COOKIE_FOR_CHILD' });
    const sh = shell(TWO_CHILDREN);
    tg.addProcess('sandbox', sh.pid);
    const parentCookie = k.getCookie(sh.pid);
    assert.notEqual(parentCookie, 0n);
    sh.stdin.write('go\n');
    // Until the manager has handled the fork a child holds its parent's cookie (the race window), in the root group by name.
    const children = await placedChildren(t, sh.pid, 2, (c) => groupOrGone(tg, c) === '/' && k.getCookie(c) === 0n);
    for (const c of children) assert.ok(tg.members('/').includes(c));
    assert.deepEqual([tg.members('sandbox'), k.getCookie(sh.pid)], [[sh.pid], parentCookie], 'the parent stays');
    await ended(sh);
  });

  it('a group bound to a cgroup: a process moved in joins at the next poll, a child it forks joins at its fork event', async (t) => {
    if (typeof host === 'string') return t.skip(host);
    const mount = host.kernel.layout.mounts.find((m) => m.version === 1 && m.controllers.includes('cpu')) ?? host.kernel.layout.mounts.find((m) => m.version === 2);
    if (!mount) return t.skip('no v1 cpu hierarchy and no v2 hierarchy mounted');
    const { k, tg, table, defer, shell, groupAtFork, placedChildren } = await rig(t, host.kernel);
    const dir = await host.scratch.top(mount.mountPoint);
    defer(async () => {
      // After the processes (deferred later, run earlier): the cats leave at EOF; then the group goes.
      const procs = (): Promise<string> => host.kernel.fs.readFile(`${dir}/cgroup.procs`).catch(() => '');
      for (let i = 0; i < 250 && (await procs()).trim() !== ''; i++) await sleep(20);
      await host.scratch.dispose();
    });
    t.diagnostic(`cgroup ${dir}`);
    // NEW_COOKIE_FOR_CHILD, so that a child staying in the group shows the binding's rule at work.
    tg.create('bound', { properties: 'NEW_COOKIE_FOR_CHILD' });
    await tg.bind('bound', `/${host.scratch.name}`, { pollMs: 100 });
    assert.deepEqual([tg.group('bound').cgroup, tg.members('bound')], [`/${host.scratch.name}`, []]);

    const p = shell(ONE_CHILD);
    assert.equal(tg.groupOf(p.pid), '/');
    const movedAt = process.hrtime.bigint();
    await host.kernel.fs.writeFile(`${dir}/cgroup.procs`, String(p.pid));
    await waitFor(() => tg.groupOf(p.pid) === 'bound', `process ${p.pid} to join the bound group`);
    t.diagnostic(`move to placement ${(Number((table.changedAt.get(p.pid) ?? process.hrtime.bigint()) - movedAt) / 1e6).toFixed(3)} ms (poll every 100 ms; any fork on the machine also triggers a rescan)`);
    const cookie = k.getCookie(p.pid);
    assert.deepEqual([tg.group('bound').cookie === cookie, cookie !== 0n], [true, true]);

    p.stdin.write('go\n');
    const [child] = await placedChildren(t, p.pid, 1, (c) => groupOrGone(tg, c) === 'bound');
    assert.ok(child !== undefined);
    assert.equal(groupAtFork(child), 'bound', 'placed while its fork event was handled, not by a later rescan');
    assert.equal(k.getCookie(child), cookie);
    assert.deepEqual(tg.members('bound'), [p.pid, child].sort((a, b) => a - b));
    assert.ok(!tg.groups().some((g) => g.auto), 'no automatic group: the binding keeps the child');
    assert.equal(tg.group('bound').cookie, cookie);
    await ended(p);
  });
});
