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
 */
const STUB = 'IFS= read -r go <&3; exec 3<&-; [ "$go" = go ] || exit 125; exec "$@"';

/** Exit status the stub uses when the parent aborted the start. */
export const EXEC_ABORTED = 125;

export interface HostExecOptions extends ExecOptions {
  /** Shell for the stub (default `/bin/sh`). */
  shell?: string;
}

/**
 * Start `opts.argv` with its first instruction in the groups whose
 * `cgroup.procs` files are listed. Resolves once the command was released
 * (the moves are done); rejects with the move's CgroupError otherwise.
 */
export async function execInGroups(fs: CgroupFs, opts: HostExecOptions): Promise<ExecHandle> {
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
  const exited = exitOf(child);
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(toCgroupError(e, 'spawn', opts.argv[0])));
  });
  spawnError.catch(() => undefined);
  if (child.pid === undefined) {
    await Promise.race([spawnError, exited]);
    throw new CgroupError('EAGAIN', 'spawn', opts.argv[0], 'the process did not start');
  }
  const pid = child.pid;
  const gate = child.stdio[3] as Writable;
  gate.on('error', () => undefined); // EPIPE when the stub died first; reported by its exit status
  try {
    for (const f of opts.procsFiles) await fs.writeFile(f, String(pid));
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
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function exitOf(c: ChildProcess): Promise<ExitStatus> {
  return new Promise<ExitStatus>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve({ code: c.exitCode, signal: c.signalCode });
    else c.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
  });
}
