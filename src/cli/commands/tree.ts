/**
 * `cgkit tree [GROUP]`: the groups below GROUP as a tree, each with its
 * processes (`pid command line`), the way systemd-cgls shows them.
 */
import { Command } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { CgroupKernel } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import type { CliContext } from './context.js';
import { addBackendOptions, openBackend, positiveInt, runAction, type BackendOptions } from './group-backend.js';
import { printJson } from './group-output.js';

export interface TreeProcess {
  pid: number;
  /** The command line (host), else the command name from `/proc/<pid>/stat`; `[name]` for kernel threads. */
  command: string;
}

export interface TreeNode {
  path: string;
  processes: TreeProcess[];
  children: TreeNode[];
}

/** A process's command line, or its name; undefined when it is gone. */
export async function commandOf(k: CgroupKernel, pid: number): Promise<string | undefined> {
  try {
    const cmdline = await k.fs.readFile(`/proc/${pid}/cmdline`);
    const argv = cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    if (argv.length > 0 && argv.some((a) => a !== '')) return argv.join(' ');
  } catch (e) {
    if (!(e instanceof CgroupError)) throw e;
  }
  try {
    const stat = await k.fs.readFile(`/proc/${pid}/stat`);
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // A kernel thread has an empty command line; shown as ps shows it.
    return k.kind === 'host' ? `[${name}]` : name;
  } catch (e) {
    if (e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ESRCH')) return undefined;
    throw e;
  }
}

/** The tree below `g`, `depth` levels deep (undefined: all). Groups that vanish while walking are left out. */
export async function walkTree(k: CgroupKernel, g: Cgroup, depth: number | undefined, procs = true): Promise<TreeNode> {
  const processes: TreeProcess[] = [];
  if (procs) {
    for (const pid of await g.procs()) {
      const command = await commandOf(k, pid);
      if (command !== undefined) processes.push({ pid, command });
    }
  }
  const children: TreeNode[] = [];
  if (depth === undefined || depth > 0) {
    for (const name of await g.children()) {
      let c: Cgroup;
      try {
        c = await Cgroup.open(k, `${g.path === '/' ? '' : g.path}/${name}`);
        children.push(await walkTree(k, c, depth === undefined ? undefined : depth - 1, procs));
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'ENOENT')) throw e;
      }
    }
  }
  return { path: g.path, processes, children };
}

const base = (p: string): string => (p === '/' ? '/' : p.slice(p.lastIndexOf('/') + 1));

/** The tree as systemd-cgls draws it: processes first, then child groups. */
export function drawTree(root: TreeNode): string {
  const lines = [root.path];
  const draw = (n: TreeNode, indent: string): void => {
    const items: { text: string; node?: TreeNode }[] = [
      ...n.processes.map((p) => ({ text: `${p.pid} ${p.command}` })),
      ...n.children.map((c) => ({ text: base(c.path), node: c })),
    ];
    items.forEach((it, i) => {
      const last = i === items.length - 1;
      lines.push(`${indent}${last ? '└─' : '├─'}${it.text}`);
      if (it.node) draw(it.node, `${indent}${last ? '  ' : '│ '}`);
    });
  };
  draw(root, '');
  return `${lines.join('\n')}\n`;
}

interface TreeOptions extends BackendOptions { json?: boolean; depth?: number; procs: boolean }

export function treeCommand(cli: CliContext): Command {
  return addBackendOptions(new Command('tree'))
    .description('show groups as a tree with the processes in each (like systemd-cgls)')
    .argument('[group]', 'where to start', '/')
    .option('--depth <n>', 'levels of groups below GROUP to show', positiveInt('the depth', 0))
    .option('--no-procs', 'groups only')
    .option('--json', 'print the tree as JSON')
    .action((path: string, opts: TreeOptions) => runAction(cli, async () => {
      const b = await openBackend(cli, opts, false);
      const t = await walkTree(b.kernel, await Cgroup.open(b.kernel, path), opts.depth, opts.procs);
      if (opts.json) printJson(cli.stdout, t);
      else cli.stdout.write(drawTree(t));
    }));
}
