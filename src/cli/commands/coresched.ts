/**
 * `cgkit coresched get|new|copy`: core scheduling cookies on the host, with
 * the usage of util-linux `coresched`:
 *
 *   coresched [get] [-s PID]
 *   coresched new  [-t TYPE] -d PID        | coresched new  [-t TYPE] -- PROGRAM [ARGS...]
 *   coresched copy [-s PID] [-t TYPE] -d PID | coresched copy [-s PID] [-t TYPE] -- PROGRAM [ARGS...]
 *
 * TYPE is pid, tgid (default) or pgid. Support is checked first: where the
 * kernel cannot do core scheduling, every function fails at once with the
 * reason and the errno (exit 1) and no program is started. A program gets
 * its cookie before its first instruction (see host/coresched-exec.ts).
 * `copy -s PID` pulls PID's cookie into cgkit's own thread first (the
 * kernel only pushes the caller's cookie), as util-linux does.
 * Exit status: 0 done, 1 failed, 2 bad usage; with a program, the
 * program's status (128+N for signal N).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { CgroupError } from '../../core/errors.js';
import { execWithCookie, type CookieExecHandle } from '../../host/coresched-exec.js';
import { coreSchedSupport, createCookie, getCookie, loadHostPrctl, shareFrom, shareTo, type PrctlLoad, type PrctlSys } from '../../host/coresched.js';
import type { CliContext } from './context.js';
import { exitStatusOf, OUTPUT_GRACE_MS, OutputCopy } from './exec.js';
import { treeSubcommand } from './coresched-tree.js';
import { CliFailure, runAction } from './group-backend.js';
import { printJson } from './group-output.js';

/** Where the prctl binding comes from; tests pass a recording fake. */
export interface CoreschedDeps {
  load(): PrctlLoad;
}

export const coreschedDeps: CoreschedDeps = { load: loadHostPrctl };

type DestType = 'pid' | 'tgid' | 'pgid';
interface Opts { source?: number; dest?: number; destType: DestType; verbose?: boolean; json?: boolean }

/** A positive pid for -s/-d. */
function pidArg(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 0x7fffffff) throw new InvalidArgumentError('expected a process id (a positive integer)');
  return n;
}

const typeOption = (): Option => new Option('-t, --dest-type <type>', 'scope of the destination: the thread (pid), its thread group (tgid), or its process group (pgid)')
  .choices(['pid', 'tgid', 'pgid']).default('tgid');
const SCOPE = { pid: 'thread', tgid: 'thread-group', pgid: 'process-group' } as const;

const USAGE = `
Usage as util-linux coresched (TYPE: pid, tgid (default) or pgid):
  cgkit coresched [get] [-s PID] [--json]
  cgkit coresched new [-t TYPE] -d PID
  cgkit coresched new [-t TYPE] -- PROGRAM [ARGS...]
  cgkit coresched copy [-s PID] [-t TYPE] -d PID
  cgkit coresched copy [-s PID] [-t TYPE] -- PROGRAM [ARGS...]
A PROGRAM has its cookie from its first instruction (-t pgid: only with -d).
Exit status: 0 done, 1 failed (also: no core scheduling here), 2 bad usage;
with a PROGRAM, its own status.

Trust groups (the coreschedfs: groups of tasks that may share a core):
  cgkit coresched tree --scenario FILE [--at DURATION] [--json]
shows those of a simulated run; they live in a running trust-group manager,
and there is none on the host to ask.`;

const hex = (c: bigint): string => `0x${c.toString(16)}`;

export function coreschedCommand(cli: CliContext, deps: CoreschedDeps = coreschedDeps): Command {
  const top = new Command('coresched')
    .description('core scheduling cookies on the host: read one (get), give a new one (new), copy one (copy); trust groups of a simulated run (tree)')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', USAGE)
    // The nested commands report usage errors like every cgkit command (the parent's output settings, set by the program).
    .hook('preSubcommand', (self, sub) => { sub.configureOutput(self.configureOutput()); });
  const sub = (name: string): Command => new Command(name).helpOption('-h, --help', 'show help').exitOverride();

  top.addCommand(sub('get')
    .description('print the cookie of a thread (default: cgkit itself)')
    .option('-s, --source <pid>', 'the thread to read', pidArg)
    .option('-v, --verbose', 'say what is done')
    .option('--json', 'print {pid, cookie} as JSON')
    .action((o: Opts) => runAction(cli, () => Promise.resolve().then(() => getAction(cli, deps, o)))), { isDefault: true });

  top.addCommand(sub('new')
    .description('give a new cookie to -d PID, or start PROGRAM with a new cookie')
    .addOption(typeOption())
    .option('-d, --dest <pid>', 'the task to give the new cookie', pidArg)
    .option('-v, --verbose', 'say what is done')
    .argument('[program...]', 'after --: the program to start with the new cookie, and its arguments')
    .action((argv: string[], o: Opts) => runAction(cli, () => changeAction(cli, deps, 'new', argv, o))));

  top.addCommand(sub('copy')
    .description('copy the cookie of -s PID (default: cgkit itself) to -d PID, or start PROGRAM with it')
    .option('-s, --source <pid>', 'the thread whose cookie is copied', pidArg)
    .addOption(typeOption())
    .option('-d, --dest <pid>', 'the task to give the cookie', pidArg)
    .option('-v, --verbose', 'say what is done')
    .argument('[program...]', 'after --: the program to start with the cookie, and its arguments')
    .action((argv: string[], o: Opts) => runAction(cli, () => changeAction(cli, deps, 'copy', argv, o))));

  top.addCommand(treeSubcommand(cli, deps));
  return top;
}

/** The binding, once core scheduling is known to work here; otherwise a failure with the reason (exit 1). */
function supportedSys(deps: CoreschedDeps): PrctlSys {
  const load = deps.load();
  const s = coreSchedSupport(load);
  if (!s.supported || 'error' in load) throw new CliFailure(`core scheduling is not available here: ${s.why ?? 'unknown reason'}`);
  return load.sys;
}

function verbose(cli: CliContext, o: Opts, text: string): void {
  if (o.verbose) cli.stderr.write(`cgkit: ${text}\n`);
}

function getAction(cli: CliContext, deps: CoreschedDeps, o: Opts): number {
  const sys = supportedSys(deps);
  const pid = o.source ?? process.pid;
  // cgkit itself: its calling thread (pid 0), which is the one that would share its cookie.
  const cookie = getCookie(o.source ?? 0, sys);
  verbose(cli, o, `read the cookie of pid ${pid}`);
  if (o.json) printJson(cli.stdout, { pid, cookie: hex(cookie), hasCookie: cookie !== 0n });
  else cli.stdout.write(`cookie of pid ${pid} is ${hex(cookie)}\n`);
  return 0;
}

async function changeAction(cli: CliContext, deps: CoreschedDeps, fn: 'new' | 'copy', argv: string[], o: Opts): Promise<number> {
  if (o.dest !== undefined && argv.length > 0) throw new CliFailure(`${fn}: give either -d PID or a program after --, not both`, 2);
  if (o.dest === undefined && argv.length === 0) throw new CliFailure(`${fn}: needs -d PID or a program after -- (see cgkit coresched ${fn} --help)`, 2);
  if (argv.length > 0 && o.destType === 'pgid') {
    // The started program shares cgkit's process group: a pgid scope would also change cgkit and its neighbours.
    throw new CliFailure(`${fn}: -t pgid with a program would also change cgkit's own process group; use -t pid or tgid, or -d`, 2);
  }
  const sys = supportedSys(deps);
  const scope = SCOPE[o.destType];
  const apply = (pid: number): void => {
    if (fn === 'new') {
      createCookie(pid, scope, sys);
    } else {
      if (o.source !== undefined) shareFrom(o.source, sys);
      shareTo(pid, scope, sys);
    }
    if (o.verbose) verbose(cli, o, `pid ${pid} (${o.destType}) now has cookie ${hex(getCookie(pid, sys))}`);
  };
  if (o.dest !== undefined) {
    apply(o.dest);
    return 0;
  }
  return runProgram(cli, argv, apply);
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Start the program with its cookie set, wait for it, and return its exit status. */
async function runProgram(cli: CliContext, argv: string[], apply: (pid: number) => void): Promise<number> {
  const own = cli.stdout === process.stdout && cli.stderr === process.stderr;
  let h: CookieExecHandle;
  try {
    h = await execWithCookie({ argv, setup: apply, stdio: own ? 'inherit' : 'pipe' });
  } catch (e) {
    if (e instanceof CgroupError) throw new CliFailure(`could not start ${argv[0] ?? ''} with a core scheduling cookie: ${e.message}; the program was not run`);
    throw e;
  }
  const output = new OutputCopy(h, cli);
  // With a terminal, Ctrl-C reaches the program from the terminal itself; other signals are passed on.
  const forward = (s: NodeJS.Signals): void => {
    if (s === 'SIGINT' && own && process.stdin.isTTY) return;
    h.kill(s);
  };
  for (const s of FORWARDED) process.on(s, forward);
  try {
    const status = await h.ended;
    await output.finish(OUTPUT_GRACE_MS);
    return exitStatusOf(status);
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
  }
}

