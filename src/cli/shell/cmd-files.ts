import type { CgroupFs } from '../../core/fs.js';
import { type Ctx, type CommandSpec, abs, errCode, errText, flags, quote } from './context.js';
import { applyMode, parseOwner } from './modes.js';
import { basename, joinPath } from './paths.js';

/** Commands that change the tree: mkdir, rmdir, chown, chmod, mv (coreutils' messages). */

async function mkdir(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, 'p');
  if (f.bad !== undefined) return usage(ctx, 'mkdir', f.bad);
  if (f.rest.length === 0) return missing(ctx, 'mkdir');
  let status = 0;
  for (const dir of f.rest) {
    const steps = f.set.has('p') ? prefixes(dir) : [dir];
    for (const step of steps) {
      try {
        await ctx.fs.mkdir(abs(ctx, step));
      } catch (e) {
        if (f.set.has('p') && errCode(e) === 'EEXIST' && await isDir(ctx.fs, abs(ctx, step))) continue;
        ctx.err(`mkdir: cannot create directory ${quote(step)}: ${errText(e)}`);
        status = 1;
        break;
      }
    }
  }
  return status;
}

/** `a/b/c` -> `a`, `a/b`, `a/b/c` (as typed, for messages). */
function prefixes(p: string): string[] {
  const out: string[] = [];
  const lead = p.startsWith('/') ? '/' : '';
  const segs = p.split('/').filter((s) => s !== '');
  for (let i = 1; i <= segs.length; i++) out.push(lead + segs.slice(0, i).join('/'));
  return out;
}

async function isDir(fs: CgroupFs, p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory;
  } catch {
    return false;
  }
}

async function rmdir(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, '');
  if (f.bad !== undefined) return usage(ctx, 'rmdir', f.bad);
  if (f.rest.length === 0) return missing(ctx, 'rmdir');
  let status = 0;
  for (const dir of f.rest) {
    try {
      await ctx.fs.rmdir(abs(ctx, dir));
    } catch (e) {
      ctx.err(`rmdir: failed to remove ${quote(dir)}: ${errText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** Every path under `p` (itself first), for `-R`. */
async function walk(fs: CgroupFs, p: string): Promise<string[]> {
  const out = [p];
  const st = await fs.stat(p);
  if (!st.isDirectory) return out;
  const entries = await fs.readdirEntries(p);
  for (const e of [...entries].sort((a, b) => cmp(a.name, b.name))) {
    const child = joinPath(p, e.name);
    if (e.isDirectory) out.push(...(await walk(fs, child)));
    else out.push(child);
  }
  return out;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** chown/chmod over one argument (and its subtree with -R), coreutils' messages. */
async function changeEach(ctx: Ctx, cmd: string, what: string, recursive: boolean, target: string,
  change: (path: string, isDirectory: boolean, mode: number, uid: number, gid: number) => Promise<void>): Promise<number> {
  const root = abs(ctx, target);
  let paths: string[];
  try {
    paths = recursive ? await walk(ctx.fs, root) : [root];
  } catch (e) {
    ctx.err(`${cmd}: cannot access ${quote(target)}: ${errText(e)}`);
    return 1;
  }
  let status = 0;
  for (const p of paths) {
    const shown = p === root ? target : joinPath(target, p.slice(root.length + 1));
    try {
      const st = await ctx.fs.stat(p);
      try {
        await change(p, st.isDirectory, st.mode, st.uid, st.gid);
      } catch (e) {
        ctx.err(`${cmd}: ${what} of ${quote(shown)}: ${errText(e)}`);
        status = 1;
      }
    } catch (e) {
      ctx.err(`${cmd}: cannot access ${quote(shown)}: ${errText(e)}`);
      status = 1;
    }
  }
  return status;
}

async function chown(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, 'R');
  if (f.bad !== undefined) return usage(ctx, 'chown', f.bad);
  const [spec, ...targets] = f.rest;
  if (spec === undefined || targets.length === 0) return missing(ctx, 'chown');
  const owner = parseOwner(spec);
  if ('bad' in owner) {
    ctx.err(`chown: invalid ${owner.bad}: ${quote(spec)}`);
    return 1;
  }
  let status = 0;
  for (const t of targets) {
    status |= await changeEach(ctx, 'chown', 'changing ownership', f.set.has('R'), t,
      (p, _d, _m, uid, gid) => ctx.fs.chown(p, owner.uid ?? uid, owner.gid ?? gid));
  }
  return status;
}

async function chmod(ctx: Ctx, args: string[]): Promise<number> {
  // A leading "-w"-style symbolic mode is a mode, not a flag, unless it is -R.
  const recursive = args[0] === '-R';
  const rest = recursive ? args.slice(1) : args;
  const [spec, ...targets] = rest;
  if (spec === undefined || targets.length === 0) return missing(ctx, 'chmod');
  if (applyMode(spec, 0, false) === undefined) {
    ctx.err(`chmod: invalid mode: ${quote(spec)}`);
    return 1;
  }
  let status = 0;
  for (const t of targets) {
    status |= await changeEach(ctx, 'chmod', 'changing permissions', recursive, t,
      (p, isDir, mode) => ctx.fs.chmod(p, applyMode(spec, mode, isDir) ?? mode));
  }
  return status;
}

async function mv(ctx: Ctx, args: string[]): Promise<number> {
  const f = flags(args, '');
  if (f.bad !== undefined) return usage(ctx, 'mv', f.bad);
  const [from, to, extra] = f.rest;
  if (from === undefined || to === undefined) return missing(ctx, 'mv');
  if (extra !== undefined) {
    ctx.err(`mv: target ${quote(f.rest[f.rest.length - 1] ?? '')}: moving several files is not supported`);
    return 1;
  }
  let dest = abs(ctx, to);
  let shownDest = to;
  if (await isDir(ctx.fs, dest)) {
    dest = joinPath(dest, basename(from));
    shownDest = joinPath(to.replace(/\/+$/, '') || '/', basename(from));
  }
  try {
    await ctx.fs.rename(abs(ctx, from), dest);
    return 0;
  } catch (e) {
    if (errCode(e) === 'ENOENT' && !(await exists(ctx.fs, abs(ctx, from)))) {
      ctx.err(`mv: cannot stat ${quote(from)}: ${errText(e)}`);
    } else {
      ctx.err(`mv: cannot move ${quote(from)} to ${quote(shownDest)}: ${errText(e)}`);
    }
    return 1;
  }
}

async function exists(fs: CgroupFs, p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

export function usage(ctx: Ctx, cmd: string, bad: string): number {
  ctx.err(`${cmd}: invalid option -- '${bad}'`);
  return 1;
}

export function missing(ctx: Ctx, cmd: string): number {
  ctx.err(`${cmd}: missing operand`);
  return 1;
}

export const FILE_COMMANDS: Record<string, CommandSpec> = {
  mkdir: { run: mkdir, usage: 'mkdir [-p] DIR...', summary: 'create cgroups (-p: with parents, no error if present)', file: true },
  rmdir: { run: rmdir, usage: 'rmdir DIR...', summary: 'remove empty cgroups', file: true },
  chown: { run: chown, usage: 'chown [-R] UID[:GID] PATH...', summary: 'change owner (delegation)', file: true },
  chmod: { run: chmod, usage: 'chmod [-R] MODE PATH...', summary: 'change mode (octal or u+w style)', file: true },
  mv: { run: mv, usage: 'mv FROM TO', summary: 'rename a cgroup (cgroup v1 only; v2 refuses)', file: true },
};
