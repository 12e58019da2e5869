/**
 * `cgkit events GROUP`: what happens to a group as it happens (populated,
 * frozen, memory limit and OOM events, forks refused at pids.max), until
 * COUNT events, the timeout, or the group's removal. On `--backend sim`
 * this command is what makes simulated time pass.
 */
import { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { CgroupEvent } from '../../api/events.js';
import type { CliContext } from './context.js';
import { addBackendOptions, openBackend, positiveInt, runAction, secondsOption, type Backend, type BackendOptions } from './group-backend.js';
import { printJsonLine } from './group-output.js';

/** Simulated time the command runs for when no --timeout is given. */
export const SIM_DEFAULT_TIMEOUT_MS = 60_000;
/** Simulated time per step while waiting for events. */
const SIM_STEP_MS = 10;

export function describeEvent(e: CgroupEvent): string {
  switch (e.type) {
    case 'populated': return e.populated ? 'populated' : 'empty (not populated)';
    case 'frozen': return e.frozen ? 'frozen' : 'thawed';
    case 'memory': return `memory ${e.event}: ${e.count} (+${e.delta})`;
    case 'pids.max': return `pids.max: fork refused, ${e.count} so far (+${e.delta})`;
  }
}

interface EventsOptions extends BackendOptions {
  json?: boolean;
  count?: number;
  timeout?: number;
  initial?: boolean;
}

export function eventsCommand(cli: CliContext): Command {
  return addBackendOptions(new Command('events'))
    .description("print a group's events as they happen: populated, frozen, memory (low/high/max/oom/oom_kill), pids.max")
    .argument('<group>', 'group path')
    .option('--json', 'one JSON object per event (NDJSON)')
    .option('-n, --count <n>', 'stop after N events', positiveInt('the count'))
    .option('--timeout <sec>', `stop after this long (simulated on --backend sim, default ${SIM_DEFAULT_TIMEOUT_MS / 1000})`, secondsOption)
    .option('--initial', 'first print the current populated and frozen state')
    .action((path: string, opts: EventsOptions) => runAction(cli, async () => {
      const b = await openBackend(cli, opts, false);
      const g = await Cgroup.open(b.kernel, path);
      await watch(cli, b, g, opts);
    }));
}

async function watch(cli: CliContext, b: Backend, g: Cgroup, opts: EventsOptions): Promise<void> {
  const ac = new AbortController();
  const start = b.nowMs();
  const it = g.events({ signal: ac.signal, ...(b.kind === 'sim' ? { pollMs: 1 } : {}), ...(opts.initial ? { initial: true } : {}) });
  let seen = 0;
  let finished = false;
  const consume = (async () => {
    try {
      for await (const e of it) {
        const t = (b.nowMs() - start) / 1000;
        if (opts.json) printJsonLine(cli.stdout, { time: Number(t.toFixed(3)), path: g.path, ...e });
        else cli.stdout.write(`${t.toFixed(3)}s ${g.path}: ${describeEvent(e)}\n`);
        if (opts.count !== undefined && ++seen >= opts.count) break;
      }
    } finally {
      finished = true;
    }
  })();
  if (b.kind === 'sim') {
    // Simulated time passes only here: step it, letting the reader look after each step.
    const limit = opts.timeout ?? SIM_DEFAULT_TIMEOUT_MS;
    await new Promise<void>((r) => setImmediate(r));
    while (!finished && b.nowMs() - start < limit) {
      await b.kernel.sleep(Math.min(SIM_STEP_MS, limit - (b.nowMs() - start)));
      for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
    }
    ac.abort();
  } else if (opts.timeout !== undefined) {
    const timer = setTimeout(() => ac.abort(), opts.timeout);
    try {
      await consume;
    } finally {
      clearTimeout(timer);
    }
  }
  await consume;
}
