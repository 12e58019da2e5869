/**
 * `cgkit exec [OPTIONS] -- CMD...`: run a command in a group with limits,
 * the way systemd-run --scope and cgexec do. The group is made (or an
 * existing one given with -g is used: the limits given are written to it
 * and stay), the limits are checked before anything is made, the command's
 * first instruction runs inside the group, signals to cgkit reach the
 * command, and when the command ends a group this invocation made (and
 * the parents made for it) is emptied and removed (unless --keep), before
 * cgkit waits for the rest of a piped output; signals that come during
 * that clean-up are ignored. Limits on the root group are refused.
 *
 * Exit status: the command's (128+N when signal N ended it); 125 when
 * cgkit failed before starting it; 127/126 when the command is missing or
 * cannot be run.
 */
import type { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { SettingKey } from '../../api/settings.js';
import type { ExecHandle, ExitStatus } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import { SIGNALS } from '../../core/signals.js';
import type { HostExecHandle } from '../../host/exec.js';
import type { CliContext } from './context.js';
import { addBackendOptions, CliFailure, describeError, enableInParents, openBackend, runAction, secondsOption, type Backend } from './group-backend.js';
import { notRoot } from './getset.js';
import { printJson, usecAsSeconds } from './group-output.js';
import { completeSettings, parseSettingValue, type ParsedSettings } from './setting-args.js';

/** cgkit itself failed before the command started (as env, nice and timeout use it). */
export const EXEC_FAILED = 125;
export const SIM_EXEC_TIMEOUT_MS = 60_000;
const SIM_STEP_MS = 10;
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface ExecOpts {
  backend: 'host' | 'sim';
  layout?: 'unified' | 'hybrid' | 'legacy';
  simCpus?: number;
  scenario?: string;
  group?: string;
  cpuWeight?: string;
  cpuMax?: string;
  memoryMax?: string;
  pidsMax?: string;
  cpus?: string;
  keep?: boolean;
  timeout?: number;
  json?: boolean;
}

/** The shell's status for how a command ended. */
export function exitStatusOf(s: ExitStatus): number {
  if (s.code !== null) return s.code;
  const n = s.signal === null ? undefined : SIGNALS[s.signal.replace(/^SIG/, '')];
  return 128 + (n ?? 0);
}

function limits(o: ExecOpts): ParsedSettings {
  const out: ParsedSettings = new Map();
  const add = (key: SettingKey, text: string | undefined): void => {
    if (text !== undefined) out.set(key, parseSettingValue(key, text));
  };
  add('cpu.weight', o.cpuWeight);
  add('cpu.max', o.cpuMax);
  add('memory.max', o.memoryMax);
  add('pids.max', o.pidsMax);
  add('cpuset.cpus', o.cpus);
  return out;
}

async function openIfExists(b: Backend, path: string): Promise<Cgroup | undefined> {
  try {
    return await Cgroup.open(b.kernel, path);
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

const AFTER = `
Put -- before the command when it has options of its own:
  cgkit exec --cpu-max 50000/100000 --memory-max 512M -- make -j4
On --backend sim the command is a task program, run in simulated time:
  cgkit exec --backend sim --cpu-max 50000/100000 -- 'loop 10 { run 100ms }'

Exit status: the command's (128+N when signal N ended it), 125 when cgkit
failed before starting it, 126/127 when the command cannot be run or found.`;

export function execCommand(cli: CliContext): Command {
  return addBackendOptions(new Command('exec'), { cpusFlag: '--sim-cpus' })
    .description('run a command in a new (or the given) group with limits; remove the group when it ends')
    .argument('<command...>', 'the command and its arguments (program text on --backend sim)')
    .option('-g, --group <path>', 'group to run in: made if missing (removed afterwards, with the parents made for it), else used as is and never removed (limits given are written to it, and stay)')
    .option('--cpu-weight <n>', 'cpu.weight 1..10000')
    .option('--cpu-max <quota/period>', 'cpu.max: QUOTA/PERIOD in µs, or max')
    .option('--memory-max <bytes>', 'memory.max: bytes with K/M/G suffixes, or max')
    .option('--pids-max <n>', 'pids.max: a number, or max')
    .option('--cpus <list>', 'cpuset.cpus, e.g. 0-1,3')
    .option('--keep', 'keep a group this command made after the command ends')
    .option('--timeout <sec>', `sim: simulated time to let the command run (default ${SIM_EXEC_TIMEOUT_MS / 1000})`, secondsOption)
    .option('--json', 'sim: print the summary as JSON')
    .addHelpText('after', AFTER)
    .action((argv: string[], opts: ExecOpts) => runAction(cli, () => execAction(cli, argv, opts), EXEC_FAILED, true));
}

async function execAction(cli: CliContext, argv: string[], o: ExecOpts): Promise<number> {
  const parsed = limits(o);
  const path = o.group ?? `/cgkit-exec-${process.pid}`;
  if (parsed.size > 0) notRoot(path, 'set limits on');
  const b = await openBackend(cli, {
    backend: o.backend,
    ...(o.layout !== undefined ? { layout: o.layout } : {}),
    ...(o.simCpus !== undefined ? { simCpus: o.simCpus } : {}),
    ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
  }, true);
  if (b.kind === 'host' && (o.timeout !== undefined || o.json)) throw new CliFailure('--timeout and --json: only with --backend sim');
  const existing = o.group !== undefined ? await openIfExists(b, path) : undefined;
  const settings = await completeSettings(parsed, existing);
  const forward = new Forwarder(b.kind === 'host' && !sharesTerminal(cli));
  forward.install();
  let made: Cgroup | undefined;
  try {
    let group: Cgroup;
    if (existing) {
      await existing.set(settings);
      group = existing;
    } else {
      group = made = await Cgroup.create(b.kernel, path, { settings, ...enableInParents(b) });
    }
    if (forward.pending !== undefined) return exitStatusOf({ code: null, signal: forward.pending });
    const stdio = b.kind === 'host' && !ownStreams(cli) ? 'pipe' : 'inherit';
    const handle = await group.exec(argv, { stdio });
    forward.attach(handle);
    const piped = stdio === 'pipe' ? new OutputCopy(handle, cli) : undefined;
    const status = b.kind === 'sim' ? await runSim(cli, b, group, handle, o) : await endOf(handle);
    // The command has exited. What it left running in a group made here is killed with the
    // group now, not when its output ends: a background child holding stdout would keep it open.
    forward.hold();
    if (made) await cleanUp(cli, made, o.keep === true);
    made = undefined;
    await piped?.finish(OUTPUT_GRACE_MS);
    return exitStatusOf(status);
  } finally {
    forward.hold();
    if (made) await cleanUp(cli, made, o.keep === true);
    forward.remove();
  }
}

/**
 * How long, once the command has exited (and a group made here was
 * removed), its output may take to end before cgkit stops copying it: a
 * process it started elsewhere (in an existing -g group, or kept with
 * --keep) may hold it open.
 */
export const OUTPUT_GRACE_MS = 2000;

/** The command's own exit on the host (`HostExecHandle.ended`: not waiting for its output to close); `exited` elsewhere. */
function endOf(h: ExecHandle): Promise<ExitStatus> {
  return (h as Partial<HostExecHandle>).ended ?? h.exited;
}

async function cleanUp(cli: CliContext, g: Cgroup, keep: boolean): Promise<void> {
  if (keep) {
    cli.stderr.write(`cgkit: kept ${g.path}\n`);
    return;
  }
  try {
    // Also the parents that making it made (`-g /a/b` with no /a made /a): they go too.
    await g.delete({ kill: true, parents: true });
  } catch (e) {
    cli.stderr.write(`cgkit: could not remove ${g.path}: ${describeError(e)}\n`);
  }
}

/** Does the command run on cgkit's own process streams (the real `cgkit` command), or on captured ones (tests, embedding)? */
function ownStreams(cli: CliContext): boolean {
  return cli.stdout === process.stdout && cli.stderr === process.stderr;
}

/** With a terminal on stdin, a Ctrl-C reaches the command from the terminal itself: forwarding it would deliver it twice. */
function sharesTerminal(cli: CliContext): boolean {
  return ownStreams(cli) && process.stdin.isTTY === true;
}

/** Copies a piped command's stdout and stderr to cgkit's streams as they come. */
export class OutputCopy {
  private readonly done: Promise<void>;
  private readonly streams: NodeJS.ReadableStream[] = [];

  constructor(h: ExecHandle, cli: CliContext) {
    this.done = Promise.all([this.copy(h.stdout, cli.stdout), this.copy(h.stderr, cli.stderr)]).then(() => undefined);
  }

  private copy(from: NodeJS.ReadableStream | null | undefined, to: Writable): Promise<void> {
    return new Promise((resolve) => {
      if (!from) return resolve();
      this.streams.push(from);
      from.on('data', (c: Buffer | string) => { to.write(c); });
      from.on('end', resolve);
      from.on('close', resolve);
      from.on('error', () => resolve());
    });
  }

  /** Wait until both streams ended, at most `ms`; then stop copying (what comes later is dropped). */
  async finish(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms); });
    const r = await Promise.race([this.done.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (r === 'late') for (const s of this.streams) (s as Readable).destroy();
  }
}

/**
 * SIGINT, SIGTERM and SIGHUP sent to cgkit go to the command (SIGINT not
 * when the command shares the terminal, which sends it Ctrl-C itself). A
 * signal before the command started is kept, and the command not started.
 * Once the command has ended (`hold`), further signals are ignored until
 * `remove`, so that the clean-up is never cut short.
 */
class Forwarder {
  pending: NodeJS.Signals | undefined;
  private handle: ExecHandle | undefined;
  private holding = false;
  private readonly on = (s: NodeJS.Signals): void => {
    if (this.holding) return;
    if (!this.handle) this.pending ??= s;
    else if (s !== 'SIGINT' || this.forwardInt) this.handle.kill(s);
  };

  constructor(private readonly forwardInt: boolean) {}

  install(): void {
    for (const s of FORWARDED) process.on(s, this.on);
  }

  attach(h: ExecHandle): void {
    this.handle = h;
    if (this.pending !== undefined) h.kill(this.pending);
  }

  /** From now on, ignore the signals (cleaning up). */
  hold(): void {
    this.holding = true;
  }

  remove(): void {
    for (const s of FORWARDED) process.off(s, this.on);
  }
}

/** Let simulated time pass until the command ends (or the timeout kills it), then print what it used. */
async function runSim(cli: CliContext, b: Backend, g: Cgroup, h: ExecHandle, o: ExecOpts): Promise<ExitStatus> {
  let status: ExitStatus | undefined;
  void h.exited.then((s) => { status = s; });
  const limit = o.timeout ?? SIM_EXEC_TIMEOUT_MS;
  const start = b.nowMs();
  while (status === undefined && b.nowMs() - start < limit) {
    await b.kernel.sleep(Math.min(SIM_STEP_MS, limit - (b.nowMs() - start)));
    await Promise.resolve();
  }
  const elapsedMs = b.nowMs() - start;
  if (status === undefined) {
    cli.stderr.write(`cgkit: the command was still running after ${limit / 1000} s of simulated time: killed\n`);
    h.kill('SIGKILL');
    await b.kernel.sleep(0);
    status = await h.exited;
  }
  const stats = await g.stats();
  if (o.json) {
    printJson(cli.stdout, { path: g.path, pid: h.pid, status, exitStatus: exitStatusOf(status), elapsedMs, stats });
  } else {
    const how = status.code !== null ? `exited with status ${status.code}` : `was killed by ${status.signal}`;
    cli.stdout.write(`${g.path}: pid ${h.pid} ${how} after ${(elapsedMs / 1000).toFixed(3)} s simulated\n`);
    const c = stats.cpu;
    if (c) {
      const throttled = c.nrPeriods !== undefined && c.nrPeriods > 0n
        ? `; throttled in ${c.nrThrottled} of ${c.nrPeriods} periods${c.throttledUsec !== undefined ? ` (${usecAsSeconds(c.throttledUsec)})` : ''}` : '';
      cli.stdout.write(`cpu usage ${usecAsSeconds(c.usageUsec)} (user ${usecAsSeconds(c.userUsec)}, system ${usecAsSeconds(c.systemUsec)})${throttled}\n`);
    }
  }
  return status;
}
