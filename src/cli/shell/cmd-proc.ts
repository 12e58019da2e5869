import { CgroupError } from '../../core/errors.js';
import { type Ctx, type CommandSpec, abs, errCode, errText, kernelError, parseId } from './context.js';
import type { ShellKernel, ShellTask, SpawnRequest } from './kernel.js';
import { jsonLine } from './json.js';
import { basename } from './paths.js';
import { parseSignal, signalList } from './signals.js';

/** Process commands: spawn, fork, thread, kill, exit-task, wait, ps. */

function fail(ctx: Ctx, cmd: string, pid: number | undefined, e: unknown): number {
  if (!kernelError(e)) throw e;
  if (pid !== undefined && errCode(e) === 'ESRCH') ctx.err(`cgkit: ${cmd}: (${pid}) - ${errText(e)}`);
  else ctx.err(`cgkit: ${cmd}: ${errText(e)}`);
  return 1;
}

function badUsage(ctx: Ctx, cmd: string, what: string): number {
  ctx.err(`cgkit: ${cmd}: ${what}`);
  ctx.err(`${cmd}: usage: ${PROC_COMMANDS[cmd]?.usage ?? cmd}`);
  return 2;
}

/** A pid operand, or an error printed like bash does for `kill abc`. */
function pidArg(ctx: Ctx, cmd: string, s: string | undefined): number | undefined {
  const pid = s === undefined ? undefined : parseId(s);
  if (pid === undefined) badUsage(ctx, cmd, s === undefined ? 'a pid is required' : `${s}: arguments must be process ids`);
  return pid;
}

/** Print and remember (`$!`) a new pid or tid. */
function created(ctx: Ctx, id: number): number {
  ctx.state.lastPid = id;
  ctx.out(`${id}\n`);
  return 0;
}

async function spawn(ctx: Ctx, args: string[]): Promise<number> {
  const req: SpawnRequest = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const m = /^--(uid|gid|name|cgroup|ppid)(?:=(.*))?$/.exec(a);
    if (!m) return badUsage(ctx, 'spawn', `${a}: invalid option`);
    const key = m[1] ?? '';
    const value = m[2] ?? args[++i];
    if (value === undefined) return badUsage(ctx, 'spawn', `--${key}: option requires an argument`);
    if (key === 'name') req.name = value;
    else if (key === 'cgroup') req.cgroup = abs(ctx, value);
    else {
      const n = parseId(value);
      if (n === undefined) return badUsage(ctx, 'spawn', `--${key}: ${value}: not a number`);
      if (key === 'uid') req.uid = n;
      else if (key === 'gid') req.gid = n;
      else req.ppid = n;
    }
  }
  try {
    return created(ctx, ctx.state.kernel.spawn(req));
  } catch (e) {
    return fail(ctx, 'spawn', req.ppid, e);
  }
}

function onePid(cmd: string, op: (k: ShellKernel, pid: number) => number): (ctx: Ctx, args: string[]) => Promise<number> {
  return (ctx, args) => {
    if (args.length !== 1) return Promise.resolve(badUsage(ctx, cmd, 'expects one pid'));
    const pid = pidArg(ctx, cmd, args[0]);
    if (pid === undefined) return Promise.resolve(2);
    try {
      return Promise.resolve(created(ctx, op(ctx.state.kernel, pid)));
    } catch (e) {
      return Promise.resolve(fail(ctx, cmd, pid, e));
    }
  };
}

function fail0(pid: number): CgroupError {
  return new CgroupError('ESRCH', 'kill', undefined, `pid ${pid}`);
}

/** `kill [-SIG | -s SIG] PID...`, `kill -l`; errors as procps kill prints them. */
function kill(ctx: Ctx, args: string[]): Promise<number> {
  let sig = 15;
  let rest = args;
  const first = args[0];
  if (first === '-l' || first === '-L') {
    ctx.out(signalList());
    return Promise.resolve(0);
  }
  if (first === '-s' || first === '-n') {
    const s = args[1] === undefined ? undefined : parseSignal(args[1]);
    if (s === undefined) return Promise.resolve(badUsage(ctx, 'kill', `${args[1] ?? ''}: invalid signal specification`));
    sig = s;
    rest = args.slice(2);
  } else if (first !== undefined && first.startsWith('-') && first !== '--') {
    const s = parseSignal(first.slice(1));
    if (s === undefined) return Promise.resolve(badUsage(ctx, 'kill', `${first.slice(1)}: invalid signal specification`));
    sig = s;
    rest = args.slice(1);
  } else if (first === '--') {
    rest = args.slice(1);
  }
  if (rest.length === 0) return Promise.resolve(badUsage(ctx, 'kill', 'a pid is required'));
  let status = 0;
  for (const a of rest) {
    const pid = parseId(a);
    if (pid === undefined) {
      ctx.err(`cgkit: kill: ${a}: arguments must be process ids`);
      status = 1;
      continue;
    }
    try {
      // Signal 0 only checks that the process exists.
      if (sig !== 0) ctx.state.kernel.kill(pid, sig);
      else if (ctx.state.kernel.task(pid) === undefined) throw fail0(pid);
    } catch (e) {
      if (!kernelError(e)) throw e;
      ctx.err(`kill: (${pid}) - ${errText(e)}`);
      status = 1;
    }
  }
  return Promise.resolve(status);
}

function exitTask(ctx: Ctx, args: string[]): Promise<number> {
  if (args.length < 1 || args.length > 2) return Promise.resolve(badUsage(ctx, 'exit-task', 'expects a pid and an optional code'));
  const pid = pidArg(ctx, 'exit-task', args[0]);
  if (pid === undefined) return Promise.resolve(2);
  const code = args[1] === undefined ? 0 : parseId(args[1]);
  if (code === undefined || code > 255) return Promise.resolve(badUsage(ctx, 'exit-task', `${args[1] ?? ''}: exit code must be 0-255`));
  try {
    ctx.state.kernel.exit(pid, code);
    return Promise.resolve(0);
  } catch (e) {
    return Promise.resolve(fail(ctx, 'exit-task', pid, e));
  }
}

/** `wait PID`: reap a zombie; the status is its exit code, as in sh. */
function wait(ctx: Ctx, args: string[]): Promise<number> {
  if (args.length !== 1) return Promise.resolve(badUsage(ctx, 'wait', 'expects one pid'));
  const pid = pidArg(ctx, 'wait', args[0]);
  if (pid === undefined) return Promise.resolve(2);
  try {
    const code = ctx.state.kernel.wait(pid);
    if (code !== undefined) return Promise.resolve(code);
    ctx.err(`cgkit: wait: pid ${pid} is not a zombie child`);
    return Promise.resolve(127);
  } catch (e) {
    return Promise.resolve(fail(ctx, 'wait', pid, e));
  }
}

/**
 * The CGROUP column: with one hierarchy, the path in it; with several, the
 * hierarchies where the task is not at the root, as `cpu:/a,memory:/b`.
 */
function cgroupColumn(t: ShellTask): string {
  if (t.cgroups.length === 1) return t.cgroups[0]?.path ?? '/';
  const parts = t.cgroups.filter((c) => c.path !== '/').map((c) => `${basename(c.mountPoint)}:${c.path}`);
  return parts.length === 0 ? '/' : parts.join(',');
}

function ps(ctx: Ctx, args: string[]): Promise<number> {
  if (args.length > 0) return Promise.resolve(badUsage(ctx, 'ps', 'takes no arguments'));
  const tasks = [...ctx.state.kernel.ps()].sort((a, b) => a.tgid - b.tgid || a.tid - b.tid);
  if (ctx.state.json) {
    ctx.out(jsonLine(tasks.map((t) => ({
      pid: t.tgid, tid: t.tid, ppid: t.ppid, uid: t.uid, gid: t.gid, state: t.state, name: t.name,
      ...(t.exitCode === undefined ? {} : { exitCode: t.exitCode }),
      cgroups: t.cgroups.map((c) => ({ mountPoint: c.mountPoint, path: c.path })),
    }))));
    return Promise.resolve(0);
  }
  const rows = [['PID', 'TID', 'PPID', 'UID', 'STATE', 'NAME', 'CGROUP'],
    ...tasks.map((t) => [String(t.tgid), String(t.tid), String(t.ppid), String(t.uid), t.state, t.name, cgroupColumn(t)])];
  const widths = [0, 1, 2, 3, 4, 5].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = 4; // the first four columns are numbers, right-aligned as ps does
  ctx.out(rows.map((r) => r.map((cell, c) => {
    if (c === r.length - 1) return cell;
    const w = widths[c] ?? 0;
    return c < numeric ? cell.padStart(w) : cell.padEnd(w);
  }).join(' ')).join('\n') + '\n');
  return Promise.resolve(0);
}

export const PROC_COMMANDS: Record<string, CommandSpec> = {
  spawn: { run: spawn, usage: 'spawn [--uid U] [--gid G] [--name N] [--cgroup DIR] [--ppid P]', summary: 'start a process; prints its pid (also $!)', file: false },
  fork: { run: onePid('fork', (k, p) => k.fork(p)), usage: 'fork PID', summary: 'fork a process; prints the child pid (also $!)', file: false },
  thread: { run: onePid('thread', (k, p) => k.spawnThread(p)), usage: 'thread PID', summary: 'start a thread in PID\'s process; prints its tid (also $!)', file: false },
  kill: { run: kill, usage: 'kill [-SIG | -s SIG] PID... | kill -l', summary: 'send a signal (default TERM)', file: false, builtin: true },
  'exit-task': { run: exitTask, usage: 'exit-task PID [CODE]', summary: 'make a task exit(CODE) (a thread, or the leader)', file: false },
  wait: { run: wait, usage: 'wait PID', summary: 'reap a zombie child; status = its exit code', file: false, builtin: true },
  ps: { run: ps, usage: 'ps', summary: 'every task: PID TID PPID UID STATE NAME CGROUP', file: false },
};
