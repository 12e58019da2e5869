/**
 * The worker: one Node process executing one task program on the host
 * kernel, for `cgkit run --backend host` (see protocol.ts for how it is
 * started and what it reports, interp.ts for the steps).
 *
 * The same file is the entry of the worker threads the `thread` step
 * starts. Every thread checks, at least every 50 ms, that the run which
 * started it is alive (its pid with the same start time) and that the hard
 * deadline has not passed, and SIGKILLs its own process otherwise: a run
 * killed with SIGKILL leaves nothing spinning behind.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { applyAttrs, Interpreter, register, REGISTRY_SLOTS, reportThreads, setComm, type Shared, type ThreadStart } from './interp.js';
import { WORKER_MARKER, type WorkerConfig } from './protocol.js';
import { exitLine, report, taskLine, ThreadEnv } from './thread-env.js';

function threadMain(start: ThreadStart): void {
  const env = new ThreadEnv(start.shared.owner, start.shared.deadlineMs);
  const slot = register(start.registry, env.tid);
  setComm(start.name);
  applyAttrs(env, start.shared, start.program.nice, start.program.cpus);
  report(taskLine(env.tgid, env.tid, start.name));
  const interp = new Interpreter(env, start.name, start.shared, start.registry);
  const code = interp.run(start.program.steps) ?? 0;
  if (slot !== undefined) Atomics.store(new Int32Array(start.registry), slot, 0);
  const line = exitLine(env.tgid, env.tid);
  if (line !== undefined) report(line);
  env.close();
  interp.whenThreadsDone(() => process.exit(code)); // in a worker thread: ends this thread only
}

/**
 * Resolve once the run says go: SIGUSR2 (the run starts workers with
 * `execInGroups`, which keeps their stdin to itself). The handler is in
 * place before `ready` is written.
 */
function goSignal(env: ThreadEnv): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setInterval(() => env.check(), 25);
    process.once('SIGUSR2', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

async function processMain(): Promise<void> {
  const i = process.argv.indexOf(WORKER_MARKER);
  const cfg = JSON.parse(process.argv[i + 1] ?? '') as WorkerConfig;
  const env = new ThreadEnv(cfg.owner, cfg.deadlineMs);
  env.check();
  const shared: Shared = {
    owner: cfg.owner, deadlineMs: cfg.deadlineMs, cpuMap: cfg.cpuMap, script: fileURLToPath(import.meta.url),
    ...(cfg.taskset !== undefined ? { taskset: cfg.taskset } : {}),
    ...(import.meta.url.endsWith('.ts') ? { tsxApi: import.meta.resolve('tsx/esm/api') } : {}),
  };
  const registry = new SharedArrayBuffer(4 * REGISTRY_SLOTS);
  setComm(cfg.name);
  applyAttrs(env, shared, cfg.nice, cfg.cpus);
  if (cfg.waitGo) {
    const go = goSignal(env);
    if (!report(`ready ${process.pid}`)) process.exit(0);
    await go;
  }
  report(taskLine(env.tgid, env.tid, cfg.name));
  const code = new Interpreter(env, cfg.name, shared, registry).run(cfg.program.steps) ?? 0;
  reportThreads(registry, env.tgid);
  const line = exitLine(env.tgid, env.tid);
  if (line !== undefined) report(line);
  process.exit(code);
}

if (isMainThread) {
  await processMain();
} else {
  threadMain(workerData as ThreadStart);
}
