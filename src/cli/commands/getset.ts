/**
 * `cgkit get`, `cgkit set`, `cgkit create`, `cgkit delete`: typed settings
 * of a group, and making and removing groups (cgget, cgset, cgcreate,
 * cgdelete).
 */
import type { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { SettingKey } from '../../api/settings.js';
import { CgroupError } from '../../core/errors.js';
import type { CliContext } from './context.js';
import { CliFailure, enableInParents, groupCommand, openBackend, openGroup, runAction, type Backend, type BackendOptions, type JsonOptions } from './group-backend.js';
import { printJson } from './group-output.js';
import { ALL_KEYS, completeSettings, formatSettingValue, parseAssignments, settingKey } from './setting-args.js';

const SETTINGS_HELP = `
Settings (v2 names, the same on v1 hosts): cpu.weight=1..10000,
cpu.weight.nice=-20..19, cpu.idle=0|1, cpu.max=QUOTA/PERIOD (or "QUOTA PERIOD",
max, QUOTA alone keeps the period), cpu.max.burst=USEC, cpuset.cpus=LIST,
cpuset.mems=LIST, memory.max|high|low|min|swap.max=BYTES (K/M/G/T suffixes,
max), pids.max=N|max, io.weight=1..10000. Every value is checked before any
is written; a refused one changes nothing.`;

/** Errors that mean "the group has no such setting here", skipped when listing every setting. */
const ABSENT = new Set(['ENOENT', 'ENOTSUP', 'ENODEV']);

/** Refuse the root group for operations that would reach every process of the machine. */
export function notRoot(path: string, what: string): void {
  if (path.replace(/\/+/g, '/').replace(/\/$/, '') === '') throw new CliFailure(`refusing to ${what} the root group`);
}

/** On the host, refuse a group whose subtree holds this very process. */
export async function notSelf(b: Backend, g: Cgroup, what: string): Promise<void> {
  if (b.kind !== 'host') return;
  if ((await g.procs({ recursive: true })).includes(process.pid)) throw new CliFailure(`refusing to ${what} ${g.path}: it holds cgkit itself (pid ${process.pid})`);
}

export function getCommand(cli: CliContext): Command {
  return groupCommand('get', "print a group's settings, typed (all it has, or the KEYs given)", 'group path, e.g. /jobs/a')
    .argument('[keys...]', 'settings to print (cpu.weight, memory.max, ...)')
    .option('--json', 'print JSON (byte counts as exact integers)')
    .addHelpText('after', SETTINGS_HELP)
    .action((path: string, keys: string[], opts: JsonOptions) => runAction(cli, async () => {
      const wanted = keys.map(settingKey);
      const { g } = await openGroup(cli, opts, path, false);
      const values: [SettingKey, unknown][] = [];
      for (const key of wanted.length > 0 ? wanted : ALL_KEYS) {
        try {
          values.push([key, await g.get(key)]);
        } catch (e) {
          if (wanted.length === 0 && e instanceof CgroupError && ABSENT.has(e.code)) continue;
          throw e;
        }
      }
      if (opts.json) printJson(cli.stdout, { path: g.path, settings: Object.fromEntries(values) });
      else for (const [k, v] of values) cli.stdout.write(`${k}=${formatSettingValue(k, v)}\n`);
    }));
}

export function setCommand(cli: CliContext): Command {
  return groupCommand('set', "change a group's settings: every value checked first, nothing changed if one is refused")
    .argument('<settings...>', 'KEY=VALUE ...')
    .addHelpText('after', SETTINGS_HELP)
    .action((path: string, args: string[], opts: BackendOptions) => runAction(cli, async () => {
      notRoot(path, 'change the settings of');
      const parsed = parseAssignments(args);
      const { g } = await openGroup(cli, opts, path, true);
      await g.set(await completeSettings(parsed, g));
    }));
}

interface CreateOpts extends BackendOptions { controllers?: string; reuse?: boolean }

export function createCommand(cli: CliContext): Command {
  return groupCommand('create', 'make a group in every hierarchy it needs, with settings (checked before anything is made)', 'group path; missing parents are made too')
    .argument('[settings...]', 'KEY=VALUE ...')
    .option('-c, --controllers <list>', 'controllers the group spans (comma separated; default cpu,cpuacct,cpuset,memory,pids,io where mounted)')
    .option('--reuse', 'an existing group is fine (its settings are changed)')
    .addHelpText('after', SETTINGS_HELP)
    .action((path: string, args: string[], opts: CreateOpts) => runAction(cli, async () => {
      const parsed = parseAssignments(args);
      const b = await openBackend(cli, opts, true);
      const controllers = opts.controllers?.split(',').map((c) => c.trim()).filter((c) => c !== '');
      const existing = opts.reuse ? await Cgroup.open(b.kernel, path).catch(() => undefined) : undefined;
      await Cgroup.create(b.kernel, path, {
        settings: await completeSettings(parsed, existing),
        ...(controllers ? { controllers } : {}),
        ...(opts.reuse ? { reuse: true } : {}),
        ...enableInParents(b),
      });
    }));
}

interface DeleteOpts extends BackendOptions { kill?: boolean }

export function deleteCommand(cli: CliContext): Command {
  return groupCommand('delete', 'remove a group and every group below it, in every hierarchy (EBUSY while processes are in it)')
    .option('--kill', 'kill the processes left in it first')
    .action((path: string, opts: DeleteOpts) => runAction(cli, async () => {
      notRoot(path, 'delete');
      const { b, g } = await openGroup(cli, opts, path, true);
      if (opts.kill) await notSelf(b, g, 'kill');
      await g.delete({ kill: opts.kill === true });
    }));
}
