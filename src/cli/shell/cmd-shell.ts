import { type Ctx, type CommandSpec, abs, errText } from './context.js';

/** Shell builtins that are about the shell itself: echo, cd, pwd. */

const ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

/** bash's `echo -e` escapes; `\c` ends the output. */
function unescape(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const d = s[i + 1] ?? '';
    if (d === 'c') return { text: out, stop: true };
    if (d in ESCAPES) { out += ESCAPES[d]; i++; continue; }
    if (d === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 2))?.[0] ?? '';
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i += 1 + m.length;
      continue;
    }
    if (d === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2))?.[0];
      if (m !== undefined) { out += String.fromCharCode(parseInt(m, 16)); i += 1 + m.length; continue; }
    }
    out += c;
  }
  return { text: out, stop: false };
}

/**
 * `echo [-neE] WORDS`: like bash's builtin. The whole line goes out in one
 * piece, so `echo +cpu > cgroup.subtree_control` is one write(2).
 */
function echo(ctx: Ctx, args: string[]): Promise<number> {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!/^-[neE]+$/.test(a)) break;
    for (const ch of a.slice(1)) {
      if (ch === 'n') newline = false;
      else if (ch === 'e') escapes = true;
      else escapes = false;
    }
  }
  let text = args.slice(i).join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  ctx.out(newline ? text + '\n' : text);
  return Promise.resolve(0);
}

async function cd(ctx: Ctx, args: string[]): Promise<number> {
  if (args.length > 1) {
    ctx.err('cgkit: cd: too many arguments');
    return 1;
  }
  const arg = args[0];
  const target = arg === undefined ? ctx.state.home : abs(ctx, arg);
  try {
    const st = await ctx.fs.stat(target);
    if (!st.isDirectory) {
      ctx.err(`cgkit: cd: ${arg ?? target}: Not a directory`);
      return 1;
    }
  } catch (e) {
    ctx.err(`cgkit: cd: ${arg ?? target}: ${errText(e)}`);
    return 1;
  }
  ctx.state.cwd = target;
  return 0;
}

function pwd(ctx: Ctx): Promise<number> {
  ctx.out(ctx.state.cwd + '\n');
  return Promise.resolve(0);
}

export const SHELL_COMMANDS: Record<string, CommandSpec> = {
  true: { run: () => Promise.resolve(0), usage: 'true', summary: 'do nothing, successfully', file: true, builtin: true },
  false: { run: () => Promise.resolve(1), usage: 'false', summary: 'do nothing, unsuccessfully', file: true, builtin: true },
  echo: { run: echo, usage: 'echo [-n] [-e] WORDS [> FILE | >> FILE]', summary: 'print, or write to a file in ONE write(2)', file: true, builtin: true },
  cd: { run: cd, usage: 'cd [DIR]', summary: 'change directory (no DIR: back to the mount)', file: true, builtin: true },
  pwd: { run: pwd, usage: 'pwd', summary: 'print the current directory', file: true, builtin: true },
};
