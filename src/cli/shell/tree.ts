import { type Ctx, abs, errCode, errText } from './context.js';
import { cmp } from './cmd-files.js';
import { jsonLine } from './json.js';
import { joinPath } from './paths.js';

/**
 * `tree [DIR]`: the cgroups under DIR (marked with a trailing `/`) and the
 * processes in each, from `cgroup.procs` (or `cgroup.threads` in a
 * threaded cgroup, whose `cgroup.procs` cannot be read).
 */

interface Member {
  id: number;
  name: string;
  thread: boolean;
}

interface Node {
  name: string;
  path: string;
  members: Member[];
  children: Node[];
}

async function members(ctx: Ctx, dir: string, problems: string[]): Promise<Member[]> {
  let text: string;
  let thread = false;
  try {
    text = await ctx.fs.readFile(joinPath(dir, 'cgroup.procs'));
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT') return []; // a directory that is not a cgroup (the tmpfs above v1 hierarchies)
    if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
      problems.push(`tree: ${joinPath(dir, 'cgroup.procs')}: ${errText(e)}`);
      return [];
    }
    try {
      text = await ctx.fs.readFile(joinPath(dir, 'cgroup.threads'));
      thread = true;
    } catch (e2) {
      problems.push(`tree: ${joinPath(dir, 'cgroup.threads')}: ${errText(e2)}`);
      return [];
    }
  }
  const ids = [...new Set(text.split('\n').filter((l) => l.trim() !== '').map(Number))].sort((a, b) => a - b);
  return ids.map((id) => ({ id, name: ctx.state.kernel.task(id)?.name ?? '?', thread }));
}

async function build(ctx: Ctx, name: string, path: string, problems: string[]): Promise<Node> {
  const node: Node = { name, path, members: await members(ctx, path, problems), children: [] };
  let entries;
  try {
    entries = await ctx.fs.readdirEntries(path);
  } catch (e) {
    problems.push(`tree: ${path}: ${errText(e)}`);
    return node;
  }
  for (const e of [...entries].filter((x) => x.isDirectory).sort((a, b) => cmp(a.name, b.name))) {
    node.children.push(await build(ctx, e.name, joinPath(path, e.name), problems));
  }
  return node;
}

function render(node: Node, prefix: string, out: string[]): void {
  const lines: { text: string; child?: Node }[] = [
    ...node.members.map((m) => ({ text: `${m.id} ${m.name}${m.thread ? ' (thread)' : ''}` })),
    ...node.children.map((c) => ({ text: `${c.name}/`, child: c })),
  ];
  lines.forEach((l, i) => {
    const last = i === lines.length - 1;
    out.push(`${prefix}${last ? '└── ' : '├── '}${l.text}`);
    if (l.child !== undefined) render(l.child, prefix + (last ? '    ' : '│   '), out);
  });
}

function toJson(n: Node): unknown {
  return {
    name: n.name,
    path: n.path,
    procs: n.members.filter((m) => !m.thread).map((m) => ({ pid: m.id, name: m.name })),
    threads: n.members.filter((m) => m.thread).map((m) => ({ tid: m.id, name: m.name })),
    children: n.children.map(toJson),
  };
}

export async function tree(ctx: Ctx, args: string[]): Promise<number> {
  if (args.length > 1) {
    ctx.err('tree: only one directory at a time');
    return 1;
  }
  const arg = args[0] ?? '.';
  const root = abs(ctx, arg);
  try {
    const st = await ctx.fs.stat(root);
    if (!st.isDirectory) {
      ctx.err(`tree: ${arg}: Not a directory`);
      return 1;
    }
  } catch (e) {
    ctx.err(`tree: ${arg}: ${errText(e)}`);
    return 1;
  }
  const problems: string[] = [];
  const node = await build(ctx, arg, root, problems);
  if (ctx.state.json) {
    ctx.out(jsonLine(toJson(node)));
  } else {
    const out = [arg];
    render(node, '', out);
    ctx.out(out.join('\n') + '\n');
  }
  for (const p of problems) ctx.err(p);
  return problems.length === 0 ? 0 : 1;
}
