/**
 * Starting a command inside cgroups on the host, so that the command's first
 * instruction already runs there (what `cgexec` and `systemd-run` promise).
 *
 * The child starts as a small `/bin/sh` stub that blocks reading a pipe
 * (fd 3). While it waits, this process writes the stub's pid into every
 * `cgroup.procs` file through `HostFs` (so a refusal comes back with the
 * kernel's errno); then it sends `go`, and the stub closes the pipe and
 * `exec`s the command in place. The command is passed as positional
 * arguments, never interpolated into shell text. If a move fails, the stub
 * is killed before it ever ran the command, and the error is thrown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { ExecHandle, ExecOptions, ExitStatus } from '../core/backend.js';
import { CgroupError, toCgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';

/**
 * The stub: wait for `go` on fd 3, close it, become the command. Exit 125
 * when told anything else (the pipe closed: the parent gave up), 127 when
 * the command cannot be found, 126 when it cannot be run, as shells do.
 *
 * A command whose name starts with `-`: bash's `exec` takes it for an
 * option unless `--` comes first, while dash's `exec` has no options and
 * would run a command named `--`. The stub asks the shell: `(exec --)`
 * succeeds only where `--` ends the options (bash), and then uses it.
 */
const STUB = 'IFS= read -r go <&3; exec 3<&-; [ "$go" = go ] || exit 125; '
  + 'case $1 in -*) if (exec --) 2>/dev/null; then exec -- "$@"; fi;; esac; exec "$@"';

/** Exit status the stub uses when the parent aborted the start. */
export const EXEC_ABORTED = 125;

export interface HostExecOptions extends ExecOptions {
  /** Shell for the stub (default `/bin/sh`). */
  shell?: string;
  /** Called with the stub's pid as soon as it exists (for tests and logs). */
  onStarted?: (pid: number) => void;
  /**
   * Runs while the stub waits, after the moves: anything else the command
   * must have from its first instruction (a core scheduling cookie). A
   * throw aborts the start as a refused move does.
   */
  beforeRelease?: (pid: number) => void | Promise<void>;
}

/** The host's `ExecHandle`, with one more promise. */
export interface HostExecHandle extends ExecHandle {
  /**
   * Settles when the command's own process has exited and was reaped,
   * without waiting for its output to end: with `stdio: 'pipe'`, `exited`
   * also waits until stdout and stderr are closed, which a background
   * child that inherited them can put off for as long as it runs.
   */
  readonly ended: Promise<ExitStatus>;
}

/**
 * Start `opts.argv` with its first instruction in the groups whose
 * `cgroup.procs` files are listed. Resolves once the command was released
 * (the moves are done); rejects with the move's CgroupError otherwise.
 */
export async function execInGroups(fs: CgroupFs, opts: HostExecOptions): Promise<HostExecHandle> {
  if (opts.argv.length === 0 || opts.argv[0] === '') throw new CgroupError('EINVAL', 'execve', undefined, 'no command given');
  for (const a of opts.argv) {
    if (a.includes('\0')) throw new CgroupError('EINVAL', 'execve', undefined, 'a command argument contains NUL');
  }
  const io = opts.stdio ?? 'inherit';
  const child = spawn(opts.shell ?? '/bin/sh', ['-c', STUB, 'cgkit-exec', ...opts.argv], {
    stdio: [io, io, io, 'pipe'],
    ...(opts.env ? { env: { ...opts.env } } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const exited = exitOf(child, 'close');
  const ended = exitOf(child, 'exit');
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(toCgroupError(e, 'spawn', opts.argv[0])));
  });
  spawnError.catch(() => undefined);
  if (child.pid === undefined) {
    await Promise.race([spawnError, exited]);
    throw new CgroupError('EAGAIN', 'spawn', opts.argv[0], 'the process did not start');
  }
  const pid = child.pid;
  opts.onStarted?.(pid);
  const gate = child.stdio[3] as Writable;
  gate.on('error', () => undefined); // EPIPE when the stub died first; reported by its exit status
  try {
    for (const f of opts.procsFiles) await fs.writeFile(f, String(pid));
    await opts.beforeRelease?.(pid);
  } catch (e) {
    child.kill('SIGKILL');
    gate.destroy();
    await exited;
    throw e;
  }
  gate.end('go\n');
  return {
    pid,
    exited,
    ended,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** The status at `event`: 'exit' (reaped) or 'close' (reaped, and its stdio streams closed too). */
function exitOf(c: ChildProcess, event: 'exit' | 'close'): Promise<ExitStatus> {
  return new Promise<ExitStatus>((resolve) => {
    if (event === 'exit' && (c.exitCode !== null || c.signalCode !== null)) resolve({ code: c.exitCode, signal: c.signalCode });
    else c.once(event, (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
  });
}
