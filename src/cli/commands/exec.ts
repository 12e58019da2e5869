/**
 * `cgkit exec [OPTIONS] -- CMD...`: run a command in a group with limits,
 * the way systemd-run --scope and cgexec do. The group is made (or an
 * existing one given with -g is used), the limits are checked before
 * anything is made, the command's first instruction runs inside the group,
 * signals to cgkit reach the command, and when the command ends a group
 * this invocation made is emptied and removed (unless --keep).
 *
 * Exit status: the command's (128+N when signal N ended it); 125 when
 * cgkit failed before starting it; 127/126 when the command is missing or
 * cannot be run.
 */
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { SettingKey } from '../../api/settings.js';
import type { ExecHandle, ExitStatus } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import { SIGNALS } from '../../core/signals.js';
import type { CliContext } from './context.js';
import { addBackendOptions, CliFailure, describeError, openBackend, runAction, secondsOption, type Backend } from './group-backend.js';
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
    .option('-g, --group <path>', 'group to run in: made if missing (and then removed), used as is if it exists (never removed)')
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
  const b = await openBackend(cli, {
    backend: o.backend,
    ...(o.layout !== undefined ? { layout: o.layout } : {}),
    ...(o.simCpus !== undefined ? { simCpus: o.simCpus } : {}),
    ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
  }, true);
  if (b.kind === 'host' && (o.timeout !== undefined || o.json)) throw new CliFailure('--timeout and --json: only with --backend sim');
  const path = o.group ?? `/cgkit-exec-${process.pid}`;
  const existing = o.group !== undefined ? await openIfExists(b, path) : undefined;
  const settings = await completeSettings(parsed, existing);
  const forward = new Forwarder(b.kind === 'host' && !sharesTerminal(cli));
  forward.install();
  let group: Cgroup | undefined;
  try {
    if (existing) {
      await existing.set(settings);
      group = existing;
    } else {
      group = await Cgroup.create(b.kernel, path, { settings });
    }
    if (forward.pending !== undefined) return exitStatusOf({ code: null, signal: forward.pending });
    const stdio = b.kind === 'host' && !ownStreams(cli) ? 'pipe' : 'inherit';
    const handle = await group.exec(argv, { stdio });
    forward.attach(handle);
    const piped = stdio === 'pipe' ? pipeOutput(handle, cli) : Promise.resolve();
    const status = b.kind === 'sim' ? await runSim(cli, b, group, handle, o) : await handle.exited;
    await piped;
    return exitStatusOf(status);
  } finally {
    forward.remove();
    if (group && !existing) await cleanUp(cli, group, o.keep === true);
  }
}

async function cleanUp(cli: CliContext, g: Cgroup, keep: boolean): Promise<void> {
  if (keep) {
    cli.stderr.write(`cgkit: kept ${g.path}\n`);
    return;
  }
  try {
    await g.delete({ kill: true });
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

/** Copy a piped command's output to cgkit's streams; settles when both ended. */
function pipeOutput(h: ExecHandle, cli: CliContext): Promise<void> {
  const copy = (from: NodeJS.ReadableStream | null | undefined, to: Writable): Promise<void> => new Promise((resolve) => {
    if (!from) return resolve();
    from.on('data', (c: Buffer | string) => { to.write(c); });
    from.on('end', resolve);
    from.on('error', () => resolve());
  });
  return Promise.all([copy(h.stdout, cli.stdout), copy(h.stderr, cli.stderr)]).then(() => undefined);
}

/**
 * SIGINT, SIGTERM and SIGHUP sent to cgkit go to the command (SIGINT not
 * when the command shares the terminal, which sends it Ctrl-C itself). A
 * signal before the command started is kept, and the command not started.
 */
class Forwarder {
  pending: NodeJS.Signals | undefined;
  private handle: ExecHandle | undefined;
  private readonly on = (s: NodeJS.Signals): void => {
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
        ? `; throttled in ${c.nrThrottled} of ${c.nrPeriods} periods (${usecAsSeconds(c.throttledUsec)})` : '';
      cli.stdout.write(`cpu usage ${usecAsSeconds(c.usageUsec)} (user ${usecAsSeconds(c.userUsec)}, system ${usecAsSeconds(c.systemUsec)})${throttled}\n`);
    }
  }
  return status;
}
