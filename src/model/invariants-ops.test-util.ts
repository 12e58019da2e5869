import fc from 'fast-check';

/**
 * The operations of the invariant property test, as plain records. Targets
 * are indices (groups, pids, files, values) that the interpreter resolves
 * modulo what exists at that step, so every sequence is meaningful on any
 * state and shrinks well. `as` is null for root, else an index of the task
 * to act as (its credentials, through `k.as(pid).fs`).
 */
export type Op =
  | { op: 'mkdir'; h: number; g: number; name: string; as: number | null }
  | { op: 'rmdir'; h: number; g: number; as: number | null }
  | { op: 'write'; h: number; g: number; file: number; anyFile: boolean; value: number; as: number | null }
  | { op: 'migrate'; h: number; g: number; file: MigrateFile; pid: number; as: number | null }
  | { op: 'chown'; h: number; g: number; uid: number }
  | { op: 'spawn'; h: number | null; g: number; uid: number; parent: number | null }
  | { op: 'fork' | 'thread' | 'wait'; pid: number }
  | { op: 'exit'; pid: number; code: number }
  | { op: 'kill'; pid: number; sig: string | number }
  | { op: 'charge' | 'uncharge'; pid: number; bytes: bigint }
  | { op: 'limit'; pid: number; value: string };

export type MigrateFile = 'cgroup.procs' | 'cgroup.threads' | 'tasks';

/** Names tried by mkdir: valid ones reused (so trees grow deep), and invalid or colliding ones. */
export const NAMES = [
  'a', 'b', 'c', 'a', 'b', 'w', 'x y', 'ünï', 'a\nb', '\n', 'cgroup.procs', 'memory.max',
  '..', '.', 'n'.repeat(256), 'tail/', 'a/b',
];

/** Garbage every file is also offered. */
const GARBAGE = ['', ' ', '\n', 'garbage', '-1', '\0', '1\0junk', 'x'.repeat(5000), '99999999999999999999999'];

/**
 * Interface files the test writes, each with values valid somewhere and
 * invalid ones. A write names a file of the chosen group (or, with
 * `anyFile`, any name in this table, present there or not).
 */
export const WRITE_FILES: readonly { name: string; values: readonly string[]; weight?: number }[] = [
  { name: 'cgroup.subtree_control', values: ['+pids', '+memory', '+pids +memory', '+memory', '+cpu', '+cpuset', '+pids +cpu', '+misc +hugetlb', '+io', '+hugetlb', '+misc', '+pids +memory', '+cpu +cpuset', '-pids', '-memory', '-cpu', '-cpuset', '+pids -pids', '-memory +memory', '+freezer', '+perf_event', '+nope', 'pids', '  +pids  ', '+pids\n', ''], weight: 8 },
  { name: 'cgroup.type', values: ['threaded', 'threaded\n', 'domain', 'domain threaded', 'Threaded'], weight: 3 },
  { name: 'cgroup.max.depth', values: ['0', '1', '2', 'max', '-1', '3\n', 'abc', '0x2'], weight: 2 },
  { name: 'cgroup.max.descendants', values: ['0', '1', '2', '5', 'max', '-1', 'max\n', '2147483648'], weight: 2 },
  { name: 'cgroup.freeze', values: ['1', '0', '1', '0', '2', '-1', '01', 'x'], weight: 4 },
  { name: 'cgroup.kill', values: ['1', '1', '0', '2', 'yes'] },
  { name: 'cgroup.pressure', values: ['0', '1', '2'] },
  { name: 'pids.max', values: ['0', '1', '2', '3', 'max', '5', '-1', '4194304', '4194305', 'max\n', 'abc'], weight: 4 },
  { name: 'memory.max', values: ['max', '0', '4096', '8192', '16K', '1M', '1G', '-1', 'abc', '12k '], weight: 4 },
  { name: 'memory.high', values: ['max', '0', '8192', '1M'] },
  { name: 'memory.oom.group', values: ['0', '1', '2'], weight: 2 },
  { name: 'memory.limit_in_bytes', values: ['-1', '0', '4096', '8192', '16K', '1M', 'max', 'abc'], weight: 4 },
  { name: 'memory.memsw.limit_in_bytes', values: ['-1', '8192', '1M'] },
  { name: 'memory.oom_control', values: ['0', '1', '2'], weight: 2 },
  { name: 'memory.failcnt', values: ['0', '1'] },
  { name: 'memory.max_usage_in_bytes', values: ['0'] },
  { name: 'cpu.weight', values: ['1', '100', '10000', '0', '10001', 'abc'] },
  { name: 'cpu.weight.nice', values: ['0', '-20', '19', '20'] },
  { name: 'cpu.max', values: ['max', '50000 100000', '1000 1000', 'max 200000', '10 100', '1000', 'abc', '50000 999'] },
  { name: 'cpu.shares', values: ['2', '1024', '1', '262144', '262145', 'abc'] },
  { name: 'cpu.cfs_quota_us', values: ['-1', '50000', '999', '1000', 'abc'] },
  { name: 'cpu.cfs_period_us', values: ['100000', '999', '1000000', '1000001'] },
  { name: 'cpuset.cpus', values: ['', '0', '1', '0-1', '0-3', '5', '1-0', 'abc'] },
  { name: 'cpuset.mems', values: ['', '0', '1', '0-1', 'abc'] },
  { name: 'cpuset.cpus.partition', values: ['root', 'member', 'isolated', 'bogus'] },
  { name: 'io.weight', values: ['default 100', '200', '0', '8:0 50', '8:0 default'] },
  { name: 'freezer.state', values: ['FROZEN', 'THAWED', 'FROZEN', 'THAWED', 'FREEZING', 'frozen'], weight: 5 },
  { name: 'notify_on_release', values: ['1', '0', '2', 'x'] },
  { name: 'cgroup.clone_children', values: ['1', '0'] },
  { name: 'release_agent', values: ['/bin/true', ''] },
  { name: 'cgroup.procs', values: ['0', '1', '99999', 'abc'] },
];

/** Three picks in four from the file's own values, one from the garbage. */
export function valueFor(fileIdx: number, valueIdx: number): string {
  const f = WRITE_FILES[fileIdx % WRITE_FILES.length]!;
  const pool = valueIdx % 4 === 3 ? GARBAGE : f.values;
  return pool[(valueIdx >> 2) % pool.length]!;
}

/** Pid texts for migration writes beyond the live pids: self, nonexistent, malformed. */
export const PID_TEXT_EXTRAS = ['0', '99999', '-1', 'abc', '', ' 1 ', '0x1', '4194305'];

/** Pids handed to the process calls beyond the existing ones. */
export const PID_EXTRAS = [99999, 0, -3];

export const SIGNALS: readonly (string | number)[] = ['SIGTERM', 'SIGKILL', 'SIGSTOP', 'SIGCONT', 'SIGTERM', 'SIGSTOP', 'SIGCONT', 9, 15, 'HUP', 0, 'SIGCHLD', 'BOGUS', 65];

const nat = fc.nat({ max: 1000 });
/** Null (root) four times in five. */
const asWho = fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: nat });

/** One operation, weighted toward what builds interesting states. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('mkdir' as const), h: nat, g: nat, name: fc.constantFrom(...NAMES), as: asWho }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('rmdir' as const), h: nat, g: nat, as: asWho }) },
  { weight: 26, arbitrary: fc.record({ op: fc.constant('write' as const), h: nat, g: nat, file: nat, anyFile: fc.nat({ max: 7 }).map((n) => n === 0), value: nat, as: asWho }) },
  { weight: 12, arbitrary: fc.record({ op: fc.constant('migrate' as const), h: nat, g: nat, file: fc.constantFrom<MigrateFile>('cgroup.procs', 'cgroup.threads', 'tasks'), pid: nat, as: asWho }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('chown' as const), h: nat, g: nat, uid: fc.constantFrom(1000, 1001) }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('spawn' as const), h: fc.option(nat, { freq: 5, nil: null }), g: nat, uid: fc.constantFrom(0, 0, 1000, 1001), parent: fc.option(nat, { freq: 2, nil: null }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('fork' as const), pid: nat }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('thread' as const), pid: nat }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), pid: nat }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('exit' as const), pid: nat, code: fc.nat({ max: 255 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('kill' as const), pid: nat, sig: fc.constantFrom(...SIGNALS) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('charge' as const), pid: nat, bytes: fc.constantFrom(0n, 1n, 4096n, 5000n, 8192n, 65536n, 1n << 20n, -1n) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('limit' as const), pid: nat, value: fc.constantFrom('0', '4096', '8192', '16K', '64K', '1M', 'max') }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('uncharge' as const), pid: nat, bytes: fc.constantFrom(1n, 4096n, 8192n, 1n << 20n, 1n << 40n) }) },
);

/** A short text for failure reports. */
export function showOp(op: Op): string {
  return JSON.stringify(op, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** A run: the hierarchies it focuses on (see World) and its operations. */
export interface Run {
  focus: number[];
  ops: Op[];
}

export function runArb(maxOps: number): fc.Arbitrary<Run> {
  return fc.record({
    focus: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 3 }),
    ops: fc.array(opArb, { maxLength: maxOps, size: 'max' }),
  });
}
