/** `cgkit kill`, `cgkit freeze`, `cgkit thaw`: act on every process of a group and the groups below it. */
import { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import { CgroupError } from '../../core/errors.js';
import { parseSignal, SIGNALS } from '../../core/signals.js';
import type { CliContext } from './context.js';
import { addBackendOptions, openBackend, runAction, secondsOption, type BackendOptions } from './group-backend.js';
import { printJson } from './group-output.js';
import { notRoot, notSelf } from './getset.js';

/** `9`, `KILL`, `sigterm` → the signal's name (`SIGKILL`); EINVAL otherwise. */
export function signalName(text: string): NodeJS.Signals {
  const n = parseSignal(text);
  const name = n === undefined ? undefined : Object.entries(SIGNALS).find(([, v]) => v === n)?.[0];
  if (name === undefined) throw new CgroupError('EINVAL', 'kill', undefined, `no signal '${text}'`);
  return `SIG${name}` as NodeJS.Signals;
}

interface KillOptions extends BackendOptions { signal: string; timeout?: number; json?: boolean }

export function killCommand(cli: CliContext): Command {
  return addBackendOptions(new Command('kill'))
    .description('signal every process of a group and below (SIGKILL by default, then wait until none is left)')
    .argument('<group>', 'group path')
    .option('-s, --signal <signal>', 'signal name or number', 'SIGKILL')
    .option('--timeout <sec>', 'how long SIGKILL waits for the group to empty (default 5)', secondsOption)
    .option('--json', 'print what was done as JSON')
    .action((path: string, opts: KillOptions) => runAction(cli, async () => {
      const signal = signalName(opts.signal);
      notRoot(path, 'kill');
      const b = await openBackend(cli, opts, true);
      const g = await Cgroup.open(b.kernel, path);
      await notSelf(b, g, 'kill');
      const n = await g.kill({ signal, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}) });
      if (opts.json) printJson(cli.stdout, { path: g.path, signal, signalled: n });
      else cli.stdout.write(`${g.path}: ${signal} sent to ${n} process${n === 1 ? '' : 'es'}\n`);
    }));
}

interface FreezeOptions extends BackendOptions { timeout?: number }

function freezer(cli: CliContext, name: 'freeze' | 'thaw'): Command {
  return addBackendOptions(new Command(name))
    .description(name === 'freeze'
      ? 'freeze every process of a group and below, and wait until the kernel says frozen'
      : 'thaw a frozen group, and wait until the kernel says thawed')
    .argument('<group>', 'group path')
    .option('--timeout <sec>', 'how long to wait (default 5); a freeze that does not finish is undone', secondsOption)
    .action((path: string, opts: FreezeOptions) => runAction(cli, async () => {
      notRoot(path, name);
      const b = await openBackend(cli, opts, true);
      const g = await Cgroup.open(b.kernel, path);
      if (name === 'freeze') await notSelf(b, g, 'freeze');
      const o = opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {};
      await (name === 'freeze' ? g.freeze(o) : g.thaw(o));
    }));
}

export const freezeCommand = (cli: CliContext): Command => freezer(cli, 'freeze');
export const thawCommand = (cli: CliContext): Command => freezer(cli, 'thaw');
