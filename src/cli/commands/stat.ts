/** `cgkit stat GROUP`: the group's statistics (CPU, memory, pids, IO, pressure), typed and exact. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { groupCommand, openGroup, runAction, type JsonOptions } from './group-backend.js';
import { printJson } from './group-output.js';

/**
 * `{cpu: {usageUsec: 5n}, io: {devices: [{device: '8:0', rbytes: 1n}]}}` as
 * `cpu.usageUsec 5`, `io.devices.8:0.rbytes 1` (array items named by their
 * `device` or `name` when they have one, else by index). Nothing rounded.
 */
export function flatten(v: unknown, prefix = ''): [string, string][] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) {
    return v.flatMap((x, i) => {
      const o = x as Record<string, unknown> | null;
      const name = typeof o === 'object' && o !== null && typeof (o['device'] ?? o['name']) === 'string' ? String(o['device'] ?? o['name']) : String(i);
      const rest = typeof o === 'object' && o !== null ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'device' && k !== 'name')) : x;
      return flatten(rest, `${prefix}${name}.`);
    });
  }
  if (v instanceof Map) return flatten(Object.fromEntries(v), prefix);
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => flatten(x, `${prefix}${k}.`));
  return [[prefix.replace(/\.$/, ''), String(v)]];
}

/** `key  value` lines with the values in one column. */
export function keyValueLines(rows: readonly [string, string][]): string {
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}\n`).join('');
}

export function statCommand(cli: CliContext): Command {
  return groupCommand('stat', "print a group's statistics: CPU time, memory, pids, IO per device, pressure", 'group path (/ for the root)')
    .option('--json', 'print JSON (counters as exact integers)')
    .action((path: string, opts: JsonOptions) => runAction(cli, async () => {
      const s = await (await openGroup(cli, opts, path, false)).g.stats();
      if (opts.json) printJson(cli.stdout, s);
      else cli.stdout.write(keyValueLines(flatten(s)));
    }));
}
