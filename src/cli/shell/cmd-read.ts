import type { CgroupStat, DirEntry } from '../../core/fs.js';
import { type Ctx, type CommandSpec, abs, errText, flags, quote } from './context.js';
import { cmp, missing, usage } from './cmd-files.js';
import { jsonLine, keyedJson } from './json.js';
import { modeString, ownerName } from './modes.js';
import { joinPath } from './paths.js';
import { tree } from './tree.js';

/** Commands that read: cat, ls (tree is in tree.ts). */

async function cat(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, '');
  if (f.bad !== undefined) return usage(ctx, 'cat', f.bad);
  if (f.rest.length === 0) return missing(ctx, 'cat');
  let status = 0;
  for (const file of f.rest) {
    try {
      const text = await ctx.fs.readFile(abs(ctx, file));
      const obj = ctx.state.json ? keyedJson(file, text) : undefined;
      ctx.out(obj === undefined ? text : jsonLine(obj));
    } catch (e) {
      ctx.err(`cat: ${file}: ${errText(e)}`);
      status = 1;
    }
  }
  return status;
}

interface Listed {
  name: string;
  st?: CgroupStat;
  /** Links as `ls -l` counts them: 2 + subdirectories for a directory. */
  nlink?: number;
}

async function describe(ctx: Ctx, dir: string, e: DirEntry): Promise<Listed> {
  const p = joinPath(dir, e.name);
  const st = await ctx.fs.stat(p);
  let nlink = 1;
  if (st.isDirectory) nlink = 2 + (await ctx.fs.readdirEntries(p)).filter((c) => c.isDirectory).length;
  return { name: e.name, st, nlink };
}

function longLine(l: Listed): string {
  const st = l.st;
  if (st === undefined) return l.name;
  return `${modeString(st.mode, st.isDirectory)} ${l.nlink ?? 1} ${ownerName(st.uid)} ${ownerName(st.gid)} 0 ${l.name}`;
}

function jsonEntry(l: Listed): unknown {
  const st = l.st;
  if (st === undefined) return l.name;
  return { name: l.name, type: st.isDirectory ? 'dir' : 'file', mode: st.mode.toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid };
}

/**
 * `ls [-l] [-1] [PATH...]`: one name per line (as ls prints when its output
 * is not a terminal), sorted by byte value (the C locale).
 */
async function ls(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, 'l1');
  if (f.bad !== undefined) return usage(ctx, 'ls', f.bad);
  const long = f.set.has('l');
  const targets = f.rest.length === 0 ? ['.'] : f.rest;
  let status = 0;
  const files: Listed[] = [];
  const dirs: { arg: string; items: Listed[] }[] = [];
  for (const t of targets) {
    const p = abs(ctx, t);
    let st: CgroupStat;
    try {
      st = await ctx.fs.stat(p);
    } catch (e) {
      ctx.err(`ls: cannot access ${quote(t)}: ${errText(e)}`);
      status = 2;
      continue;
    }
    if (!st.isDirectory) {
      files.push({ name: t, st, nlink: 1 });
      continue;
    }
    try {
      const entries = [...(await ctx.fs.readdirEntries(p))].sort((a, b) => cmp(a.name, b.name));
      const items = long || ctx.state.json ? await Promise.all(entries.map((e) => describe(ctx, p, e))) : entries.map((e) => ({ name: e.name }));
      dirs.push({ arg: t, items });
    } catch (e) {
      ctx.err(`ls: cannot open directory ${quote(t)}: ${errText(e)}`);
      status = 2;
    }
  }
  files.sort((a, b) => cmp(a.name, b.name));
  if (ctx.state.json) {
    if (targets.length === 1) {
      const only = dirs[0]?.items ?? files;
      if (dirs.length + files.length > 0) ctx.out(jsonLine(only.map(jsonEntry)));
    } else {
      const out: Record<string, unknown> = {};
      for (const l of files) out[l.name] = jsonEntry(l);
      for (const d of dirs) out[d.arg] = d.items.map(jsonEntry);
      ctx.out(jsonLine(out));
    }
    return status;
  }
  const show = (l: Listed): string => (long ? longLine(l) : l.name) + '\n';
  let text = files.map(show).join('');
  const headers = targets.length > 1;
  dirs.forEach((d, i) => {
    if (headers) text += `${i > 0 || files.length > 0 ? '\n' : ''}${d.arg}:\n`;
    if (long) text += 'total 0\n';
    text += d.items.map(show).join('');
  });
  ctx.out(text);
  return status;
}

export const READ_COMMANDS: Record<string, CommandSpec> = {
  cat: { run: cat, usage: 'cat FILE...', summary: 'print files (--json: keyed files as objects)', file: true },
  ls: { run: ls, usage: 'ls [-l] [PATH...]', summary: 'list a directory (-l: mode, links, owner, group)', file: true },
  tree: { run: tree, usage: 'tree [DIR]', summary: 'the cgroups below DIR and their processes', file: true },
};
