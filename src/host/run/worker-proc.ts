/**
 * Starting one worker process (host/worker/worker.ts) inside a run's
 * groups: its first instruction already runs there (`execInGroups`), it
 * reports `ready` once loaded and then waits for `go` (SIGUSR2: the stdin
 * of a command started by `execInGroups` is not ours to write). Its report lines (and
 * those of every process and thread it starts, which share its stdout) go
 * to `onReport`.
 */
import type { Readable } from 'node:stream';
import type { ExecHandle, ExitStatus } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import type { CgroupFs } from '../../core/fs.js';
import { execInGroups } from '../exec.js';
import { MAX_CONFIG_CHARS, parseReport, WORKER_MARKER, workerCommand, type Report, type WorkerConfig } from '../worker/protocol.js';

export const READY_TIMEOUT_MS = 30_000;

export interface WorkerProc {
  readonly pid: number;
  readonly handle: ExecHandle;
  /** Set once it has been reaped. */
  done: ExitStatus | undefined;
  /** Let it start its program (once). */
  go(): void;
  /** The end of what it wrote on stderr (for messages). */
  stderrTail(): string;
}

function lines(stream: Readable | NodeJS.ReadableStream | null | undefined, fn: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      fn(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** Start a worker for `cfg` in the groups of `procsFiles`; resolves once it is ready (it then waits for `go`). */
export async function startWorker(fs: CgroupFs, procsFiles: readonly string[], cfg: WorkerConfig, onReport: (r: Report) => void): Promise<WorkerProc> {
  const text = JSON.stringify(cfg);
  if (text.length > MAX_CONFIG_CHARS) throw new CgroupError('E2BIG', 'execve', undefined, `the program of ${cfg.name} is too large for a command line (${text.length} characters)`);
  const { script, execArgv } = workerCommand(cfg.program);
  const handle = await execInGroups(fs, { argv: [process.execPath, ...execArgv, script, WORKER_MARKER, text], procsFiles, stdio: 'pipe' });
  let tail = '';
  (handle.stderr as Readable | null | undefined)?.on('data', (b: Buffer) => { tail = (tail + b.toString()).slice(-4000); });
  let readyFn: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => { readyFn = resolve; });
  lines(handle.stdout, (line) => {
    const r = parseReport(line);
    if (r?.kind === 'ready') readyFn?.();
    else if (r) onReport(r);
  });
  const proc: WorkerProc = {
    pid: handle.pid,
    handle,
    done: undefined,
    go: () => undefined,
    stderrTail: () => tail.trim(),
  };
  void handle.exited.then((st) => { proc.done = st; });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    handle.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS); }),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    handle.kill('SIGKILL');
    const st = await handle.exited;
    const why = outcome === 'timeout' ? `not ready after ${READY_TIMEOUT_MS} ms` : `exited (${st.signal ?? `status ${st.code}`})`;
    throw new CgroupError('EAGAIN', 'spawn', undefined, `worker for ${cfg.name}: ${why}${tail ? `: ${tail.trim()}` : ''}`);
  }
  proc.go = () => {
    proc.go = () => undefined;
    handle.kill('SIGUSR2');
  };
  return proc;
}
