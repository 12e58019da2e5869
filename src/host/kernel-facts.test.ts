import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CgroupError, type Syscall } from '../core/errors.js';
import type { ErrnoCode } from '../core/errno.js';
import { parseFlat } from '../core/format/keyed.js';
import { parseWords } from '../core/format/lists.js';
import { cgroupDirOf, findMount, liveHost, whyNotWritable } from './live.js';
import type { HostMount } from './layout.js';
import { removeTree, Scratch, type Sleeper } from './scratch.js';

// Facts about the running kernel that the simulated kernel copies: each row
// builds a fresh group `g` inside this run's `cgkit-test-<random>` subtree,
// does one thing and checks the errno (or value) the kernel gives. Re-run
// on every CI run so a kernel that changes its answer is noticed.

const host = await liveHost();
const scratch = host === undefined ? undefined : new Scratch(host.fs);
after(async () => {
  await scratch?.dispose();
});

type Where = 'v2' | 'pids' | 'cpu';
type Expect = 'ok' | { err: ErrnoCode; syscall?: Syscall } | { value: string };
const E = (err: ErrnoCode, syscall?: Syscall): Expect => (syscall === undefined ? { err } : { err, syscall });
const V = (value: string): Expect => ({ value });

interface Ctx {
  g: string;
  /** A v2 domain controller enabled in the scratch top (so `g` may enable it), e.g. `hugetlb`. */
  dom: string;
  w(rel: string, data: string): Promise<void>;
  r(rel: string): Promise<string>;
  mk(...rels: string[]): Promise<void>;
  /** Spawn a sleeper and move it into `g/<rel>` (`''` is `g`; `null` leaves it where the runner is). */
  spawnIn(rel: string | null): Promise<number>;
  /** Pid of the last sleeper spawned. */
  pid: number;
}

type Step = (x: Ctx) => Promise<unknown>;
interface Opts { setup?: Step; dom?: boolean }
/** A setup that fails fails the row; only `op`'s outcome is compared with `expect`. */
interface Fact { where: Where; what: string; expect: Expect; op: Step; opts: Opts }
const facts: Fact[] = [];
function fact(where: Where, what: string, expect: Expect, op: Step, opts: Opts = {}): void {
  facts.push({ where, what, expect, op, opts });
}
const threadedT: Step = async (x) => { await x.mk('t'); await x.w('t/cgroup.type', 'threaded'); };

// ---- v2 core files ------------------------------------------------------
fact('v2', 'cgroup.type <- "domain"', E('EINVAL'), (x) => x.w('cgroup.type', 'domain'));
fact('v2', 'cgroup.type <- "threaded" on a populated group', E('ENOTSUP'), (x) => x.w('c/cgroup.type', 'threaded'), { setup: async (x) => { await x.mk('c'); await x.spawnIn('c'); } });
fact('v2', 'cgroup.type <- "threaded" when a sibling domain is populated', E('ENOTSUP'), (x) => x.w('b/cgroup.type', 'threaded'), { setup: async (x) => { await x.mk('a', 'b'); await x.spawnIn('a'); } });
fact('v2', 'cgroup.type <- "threaded" when the parent enables a domain controller', E('ENOTSUP'), (x) => x.w('c/cgroup.type', 'threaded'), { dom: true, setup: async (x) => { await x.mk('c'); await x.w('cgroup.subtree_control', `+${x.dom}`); } });
fact('v2', 'cgroup.type of the parent and of a new sibling once a child is threaded', V('domain threaded\n|domain invalid\n'), async (x) => `${await x.r('cgroup.type')}|${await x.r('d/cgroup.type')}`, { setup: async (x) => { await threadedT(x); await x.mk('d'); } });
fact('v2', 'cgroup.type <- "domain" on a threaded group', E('EINVAL'), (x) => x.w('t/cgroup.type', 'domain'), { setup: threadedT });
fact('v2', 'cgroup.type <- "threaded" on a threaded group (no-op)', 'ok', (x) => x.w('t/cgroup.type', 'threaded'), { setup: threadedT });
fact('v2', 'cgroup.procs <- pid into a "domain invalid" group', E('ENOTSUP'), (x) => x.w('d/cgroup.procs', String(x.pid)), { setup: async (x) => { await threadedT(x); await x.mk('d'); await x.spawnIn(null); } });
fact('v2', 'cgroup.procs read in a threaded group', E('ENOTSUP', 'read'), (x) => x.r('t/cgroup.procs'), { setup: threadedT });
fact('v2', 'cgroup.threads <- tid from another resource domain', E('ENOTSUP'), (x) => x.w('t/cgroup.threads', String(x.pid)), { setup: async (x) => { await threadedT(x); await x.spawnIn(null); } });
fact('v2', 'cgroup.procs <- pid into a threaded group from another domain', 'ok', (x) => x.w('t/cgroup.procs', String(x.pid)), { setup: async (x) => { await threadedT(x); await x.spawnIn(null); } });
fact('v2', 'cgroup.threads <- tid within one threaded subtree', 'ok', (x) => x.w('t/cgroup.threads', String(x.pid)), { setup: async (x) => { await threadedT(x); await x.spawnIn(''); } });
fact('v2', 'cgroup.kill <- "1" on a threaded group', E('ENOTSUP'), (x) => x.w('t/cgroup.kill', '1'), { setup: threadedT });
fact('v2', 'subtree_control <- "+<domain ctrl>" on a group with processes', E('EBUSY'), (x) => x.w('cgroup.subtree_control', `+${x.dom}`), { dom: true, setup: (x) => x.spawnIn('') });
fact('v2', 'subtree_control <- "-<ctrl>" while a child enables it', E('EBUSY'), (x) => x.w('cgroup.subtree_control', `-${x.dom}`), { dom: true, setup: async (x) => { await x.mk('c'); await x.w('cgroup.subtree_control', `+${x.dom}`); await x.w('c/cgroup.subtree_control', `+${x.dom}`); } });
fact('v2', 'subtree_control <- "+<ctrl>" not in cgroup.controllers', E('ENOENT'), (x) => x.w('c/cgroup.subtree_control', `+${x.dom}`), { dom: true, setup: (x) => x.mk('c') });
fact('v2', 'subtree_control <- "+cpu" while cpu is bound to v1', E('ENOENT'), (x) => x.w('cgroup.subtree_control', '+cpu'));
fact('v2', 'subtree_control <- "+nosuch"', E('EINVAL'), (x) => x.w('cgroup.subtree_control', '+nosuch'));
fact('v2', 'subtree_control <- "<ctrl>" without + or -', E('EINVAL'), (x) => x.w('cgroup.subtree_control', x.dom), { dom: true });
fact('v2', 'subtree_control <- "+x -x +x" (last wins)', V('X\n'), async (x) => { await x.w('cgroup.subtree_control', `+${x.dom} -${x.dom} +${x.dom}`); return (await x.r('cgroup.subtree_control')).replace(x.dom, 'X'); }, { dom: true });
fact('v2', 'cgroup.procs <- pid into a group whose subtree_control is set', E('EBUSY'), (x) => x.w('cgroup.procs', String(x.pid)), { dom: true, setup: async (x) => { await x.w('cgroup.subtree_control', `+${x.dom}`); await x.spawnIn(null); } });
fact('v2', 'cgroup.procs <- "x"', E('EINVAL'), (x) => x.w('cgroup.procs', 'x'));
fact('v2', 'cgroup.procs <- "-1"', E('EINVAL'), (x) => x.w('cgroup.procs', '-1'));
fact('v2', 'cgroup.procs <- "999999999" (no such pid)', E('ESRCH'), (x) => x.w('cgroup.procs', '999999999'));
fact('v2', 'cgroup.procs <- "1\\n2\\n" (two pids in one write)', E('EINVAL'), (x) => x.w('cgroup.procs', '1\n2\n'));
fact('v2', 'cgroup.procs <- "<pid> x"', E('EINVAL'), (x) => x.w('cgroup.procs', `${x.pid} x`), { setup: (x) => x.spawnIn(null) });
fact('v2', 'cgroup.procs <- " <pid>\\n" (blanks around)', 'ok', (x) => x.w('cgroup.procs', ` ${x.pid}\n`), { setup: (x) => x.spawnIn(null) });
fact('v2', 'cgroup.procs <- 4097 bytes', E('E2BIG'), (x) => x.w('cgroup.procs', ' '.repeat(4096) + '1'));
fact('v2', 'cgroup.freeze <- "2"', E('ERANGE'), (x) => x.w('cgroup.freeze', '2'));
fact('v2', 'cgroup.freeze <- "-1"', E('ERANGE'), (x) => x.w('cgroup.freeze', '-1'));
fact('v2', 'cgroup.freeze <- "x"', E('EINVAL'), (x) => x.w('cgroup.freeze', 'x'));
fact('v2', 'cgroup.freeze <- "1" then "0": events.frozen follows', V('1|0'), async (x) => {
  await x.w('cgroup.freeze', '1');
  const a = await until(x, '1');
  await x.w('cgroup.freeze', '0');
  return `${a}|${await until(x, '0')}`;
}, { setup: (x) => x.spawnIn('') });
fact('v2', 'cgroup.kill <- "0"', E('ERANGE'), (x) => x.w('cgroup.kill', '0'));
fact('v2', 'cgroup.kill <- "2"', E('ERANGE'), (x) => x.w('cgroup.kill', '2'));
fact('v2', 'cgroup.kill <- "x"', E('EINVAL'), (x) => x.w('cgroup.kill', 'x'));
fact('v2', 'cgroup.kill read (write-only file, as root)', E('EINVAL', 'read'), (x) => x.r('cgroup.kill'));
fact('v2', 'cgroup.kill <- "1" empties the subtree', V('0'), async (x) => { await x.w('cgroup.kill', '1'); return until(x, '0', 'populated'); }, { setup: async (x) => { await x.mk('c'); await x.spawnIn('c'); } });
fact('v2', 'cgroup.max.depth <- "-1"', E('ERANGE'), (x) => x.w('cgroup.max.depth', '-1'));
fact('v2', 'cgroup.max.depth <- "x"', E('EINVAL'), (x) => x.w('cgroup.max.depth', 'x'));
fact('v2', 'cgroup.max.depth <- "2147483648"', E('ERANGE'), (x) => x.w('cgroup.max.depth', '2147483648'));
fact('v2', 'cgroup.max.depth <- "3 4"', E('EINVAL'), (x) => x.w('cgroup.max.depth', '3 4'));
fact('v2', 'cgroup.max.depth <- " 3\\n" then "" (empty write is a no-op)', V('3\n'), async (x) => { await x.w('cgroup.max.depth', ' 3\n'); await x.w('cgroup.max.depth', ''); return x.r('cgroup.max.depth'); });
fact('v2', 'mkdir below cgroup.max.depth 0', E('EAGAIN', 'mkdir'), (x) => x.mk('c'), { setup: (x) => x.w('cgroup.max.depth', '0') });
fact('v2', 'cgroup.max.descendants <- "-1"', E('ERANGE'), (x) => x.w('cgroup.max.descendants', '-1'));
fact('v2', 'mkdir beyond cgroup.max.descendants 1', E('EAGAIN', 'mkdir'), (x) => x.mk('b'), { setup: async (x) => { await x.w('cgroup.max.descendants', '1'); await x.mk('a'); } });
fact('v2', 'cgroup.pressure <- "2"', E('ERANGE'), (x) => x.w('cgroup.pressure', '2'));
fact('v2', 'cgroup.pressure <- "x"', E('EINVAL'), (x) => x.w('cgroup.pressure', 'x'));
for (const f of ['cgroup.controllers', 'cgroup.events', 'cgroup.stat']) fact('v2', `${f} <- "x" (read-only file, as root)`, E('EINVAL'), (x) => x.w(f, 'x'));
fact('v2', 'rmdir with a child', E('EBUSY', 'rmdir'), (x) => host!.fs.rmdir(x.g), { setup: (x) => x.mk('c') });
fact('v2', 'rmdir while populated', E('EBUSY', 'rmdir'), (x) => host!.fs.rmdir(`${x.g}/c`), { setup: async (x) => { await x.mk('c'); await x.spawnIn('c'); } });
fact('v2', 'rename a group', E('EPERM', 'rename'), (x) => host!.fs.rename(`${x.g}/c`, `${x.g}/d`), { setup: (x) => x.mk('c') });
fact('v2', 'mkdir "a\\nb"', E('EINVAL', 'mkdir'), (x) => x.mk('a\nb'));
fact('v2', 'root has no cgroup.type/freeze/kill/events', V(''), async (x) => {
  const names = await host!.fs.readdir(x.g.split('/').slice(0, -2).join('/'));
  return ['cgroup.type', 'cgroup.freeze', 'cgroup.kill', 'cgroup.events'].filter((n) => names.includes(n)).join(',');
});

// ---- v1 pids and cpu ----------------------------------------------------
fact('pids', 'pids.max <- "-1"', E('EINVAL'), (x) => x.w('pids.max', '-1'));
fact('pids', 'pids.max <- "4194305" (PIDS_MAX)', E('EINVAL'), (x) => x.w('pids.max', '4194305'));
fact('pids', 'pids.max <- "99999999999999999999"', E('ERANGE'), (x) => x.w('pids.max', '99999999999999999999'));
fact('pids', 'pids.max <- " 4194304\\n"', V('4194304\n'), async (x) => { await x.w('pids.max', ' 4194304\n'); return x.r('pids.max'); });
fact('pids', 'v1 rename inside the parent', 'ok', (x) => host!.fs.rename(`${x.g}/a`, `${x.g}/b`), { setup: (x) => x.mk('a') });
fact('pids', 'v1 rename to another parent', E('EIO', 'rename'), (x) => host!.fs.rename(`${x.g}/a`, `${x.g}/p/a`), { setup: (x) => x.mk('a', 'p') });
fact('pids', 'v1 cgroup.procs <- pid into a group with children', 'ok', (x) => x.w('cgroup.procs', String(x.pid)), { setup: async (x) => { await x.mk('c'); await x.spawnIn(null); } });
fact('pids', 'v1 rmdir while populated', E('EBUSY', 'rmdir'), (x) => host!.fs.rmdir(`${x.g}/c`), { setup: async (x) => { await x.mk('c'); await x.spawnIn('c'); } });
fact('pids', 'notify_on_release <- "2" reads back', V('1\n'), async (x) => { await x.w('notify_on_release', '2'); return x.r('notify_on_release'); });
fact('pids', 'mkdir "a\\nb"', E('EINVAL', 'mkdir'), (x) => x.mk('a\nb'));
fact('cpu', 'cpu.shares <- "1" reads back (clamped)', V('2\n'), async (x) => { await x.w('cpu.shares', '1'); return x.r('cpu.shares'); });
fact('cpu', 'cpu.shares <- "1000000000" reads back (clamped)', V('262144\n'), async (x) => { await x.w('cpu.shares', '1000000000'); return x.r('cpu.shares'); });
fact('cpu', 'cpu.shares <- "0x40" (base 0)', V('64\n'), async (x) => { await x.w('cpu.shares', '0x40'); return x.r('cpu.shares'); });
fact('cpu', 'cpu.shares <- " 100" (leading blank)', E('EINVAL'), (x) => x.w('cpu.shares', ' 100'));
fact('cpu', 'cpu.shares <- "-1"', E('EINVAL'), (x) => x.w('cpu.shares', '-1'));
fact('cpu', 'cpu.shares on a cpu.idle=1 group', E('EINVAL'), (x) => x.w('cpu.shares', '100'), { setup: (x) => x.w('cpu.idle', '1') });
fact('cpu', 'cpu.idle <- "2"', E('EINVAL'), (x) => x.w('cpu.idle', '2'));
fact('cpu', 'cpu.cfs_quota_us <- "500" (< 1 ms)', E('EINVAL'), (x) => x.w('cpu.cfs_quota_us', '500'));
fact('cpu', 'cpu.cfs_quota_us <- " 50000" (leading blank)', E('EINVAL'), (x) => x.w('cpu.cfs_quota_us', ' 50000'));
fact('cpu', 'cpu.cfs_quota_us <- "-5" reads back', V('-1\n'), async (x) => { await x.w('cpu.cfs_quota_us', '-5'); return x.r('cpu.cfs_quota_us'); });
fact('cpu', 'cpu.cfs_period_us <- "999"', E('EINVAL'), (x) => x.w('cpu.cfs_period_us', '999'));
fact('cpu', 'cpu.cfs_period_us <- "2000000" (> 1 s)', E('EINVAL'), (x) => x.w('cpu.cfs_period_us', '2000000'));
fact('cpu', 'cpu.cfs_burst_us above the quota', E('EINVAL'), (x) => x.w('cpu.cfs_burst_us', '60000'), { setup: (x) => x.w('cpu.cfs_quota_us', '50000') });
fact('cpu', 'child cfs_quota_us above the parent\'s', E('EINVAL'), (x) => x.w('c/cpu.cfs_quota_us', '100000'), { setup: async (x) => { await x.mk('c'); await x.w('cpu.cfs_quota_us', '50000'); } });
fact('cpu', 'parent cfs_quota_us below a child\'s', E('EINVAL'), (x) => x.w('cpu.cfs_quota_us', '30000'), { setup: async (x) => { await x.mk('c'); await x.w('cpu.cfs_quota_us', '50000'); await x.w('c/cpu.cfs_quota_us', '40000'); } });
fact('cpu', 'child cpu.rt_runtime_us when the parent has none', E('EINVAL'), (x) => x.w('c/cpu.rt_runtime_us', '1000'), { setup: (x) => x.mk('c') });

/** Poll cgroup.events until `key` reads `want` (at most ~2 s); returns the last value. */
async function until(x: Ctx, want: string, key = 'frozen'): Promise<string> {
  let v = '';
  for (let i = 0; i < 100; i++) {
    v = parseFlat(await x.r('cgroup.events')).get(key) ?? '';
    if (v === want) break;
    await sleep(20);
  }
  return v;
}

async function domainController(m: HostMount): Promise<string | undefined> {
  const top = await scratch!.top(m.mountPoint);
  const offered = parseWords(await host!.fs.readFile(`${top}/cgroup.controllers`));
  const dom = ['hugetlb', 'memory', 'io', 'rdma', 'misc'].find((c) => offered.includes(c));
  if (dom !== undefined) await host!.fs.writeFile(`${top}/cgroup.subtree_control`, `+${dom}`);
  return dom;
}

let seq = 0;
let domain: Promise<string | undefined> | undefined;

for (const f of facts) {
  test(`${f.where}: ${f.what} -> ${typeof f.expect === 'string' ? f.expect : 'err' in f.expect ? f.expect.err : JSON.stringify(f.expect.value)}`, async (t) => {
    const m = host === undefined ? undefined : findMount(host.layout, f.where);
    const why = host === undefined ? 'no cgroup filesystem' : await whyNotWritable(m);
    if (why !== undefined || m === undefined || host === undefined || scratch === undefined) return t.skip(why);
    const dom = f.where === 'v2' ? await (domain ??= domainController(m)) : undefined;
    if (f.opts.dom === true && dom === undefined) return t.skip('no v2 domain controller is offered to the scratch group');
    const fs = host.fs;
    const g = await scratch.group(m.mountPoint, `f${seq++}`);
    const sleepers: Sleeper[] = [];
    const x: Ctx = {
      g, dom: dom ?? 'hugetlb', pid: 0,
      w: (rel, data) => fs.writeFile(`${g}/${rel}`, data),
      r: (rel) => fs.readFile(`${g}/${rel}`),
      mk: async (...rels) => { for (const r of rels) await fs.mkdir(`${g}/${r}`); },
      spawnIn: async (rel) => {
        const s = scratch.spawnSleeper();
        sleepers.push(s);
        x.pid = s.pid;
        if (rel !== null) await fs.writeFile(`${rel === '' ? g : `${g}/${rel}`}/cgroup.procs`, String(s.pid));
        return s.pid;
      },
    };
    try {
      await f.opts.setup?.(x);
      const got = await f.op(x).then((v) => ({ v }), (e: unknown) => ({ e }));
      if ('e' in got) {
        if (!(got.e instanceof CgroupError)) throw got.e;
        assert.ok(typeof f.expect === 'object' && 'err' in f.expect, `unexpected ${got.e.message}`);
        assert.equal(got.e.code, f.expect.err, got.e.message);
        assert.equal(got.e.syscall, f.expect.syscall ?? 'write');
      } else if (typeof f.expect === 'object') {
        assert.ok('value' in f.expect, `expected ${JSON.stringify(f.expect)}, but it succeeded`);
        assert.equal(got.v, f.expect.value);
      }
    } finally {
      await Promise.all(sleepers.map((s) => s.kill()));
      await removeTree(fs, g);
    }
  });
}

test('sleepers start where the test runner is', async (t) => {
  const m = host === undefined ? undefined : findMount(host.layout, 'v2');
  if (host === undefined || scratch === undefined || m === undefined) return t.skip('no v2 hierarchy');
  const s = scratch.spawnSleeper();
  try {
    assert.equal(await cgroupDirOf(host.fs, m, s.pid), await cgroupDirOf(host.fs, m, process.pid));
  } finally {
    await s.kill();
  }
});
