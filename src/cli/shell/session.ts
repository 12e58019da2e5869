import type { CgroupFs } from '../../core/fs.js';
import { strerror } from '../../core/errno.js';
import { CgroupError, isErrnoLike } from '../../core/errors.js';
import { type CommandSpec, type Ctx, type ShellState, errText, parseId } from './context.js';
import { FILE_COMMANDS } from './cmd-files.js';
import { PROC_COMMANDS } from './cmd-proc.js';
import { READ_COMMANDS } from './cmd-read.js';
import { SHELL_COMMANDS } from './cmd-shell.js';
import type { ShellKernel } from './kernel.js';
import { homeDir, resolvePath } from './paths.js';
import { type SimpleCommand, type Word, parse } from './tokenize.js';

export const COMMANDS: Record<string, CommandSpec> = {
  ...SHELL_COMMANDS, ...FILE_COMMANDS, ...READ_COMMANDS, ...PROC_COMMANDS,
};

/** Commands handled by the session itself (they act on the session). */
const SESSION_HELP: [string, string][] = [
  ['as PID COMMAND...', 'run one file command with that task\'s credentials'],
  ['NAME=VALUE', 'set a variable ($NAME); $? is the last status, $! the last new pid'],
  ['help [COMMAND]', 'this list'],
  ['exit [N]', 'leave the shell (default status: 1 if any command failed, else 0)'],
];

export interface SessionIo {
  out(text: string): void;
  err(line: string): void;
}

/** `NAME=...` with the name and `=` written literally (unquoted), as sh recognizes an assignment. */
function isAssignment(w: Word): boolean {
  const first = w.parts[0];
  return first?.kind === 'lit' && !first.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text);
}

/**
 * One shell session over a kernel: runs parsed commands one at a time and
 * remembers the working directory, `$?`, `$!`, variables and whether any
 * command failed.
 */
export class Session {
  readonly state: ShellState;
  /** Some command returned a non-zero status. */
  failed = false;
  /** Set by `exit`: the status the shell ends with. */
  exitStatus: number | undefined;

  constructor(kernel: ShellKernel, private readonly io: SessionIo, opts: { json?: boolean } = {}) {
    const home = homeDir(kernel.layout);
    this.state = { kernel, home, cwd: home, json: opts.json ?? false, lastPid: undefined, lastStatus: 0, vars: new Map() };
  }

  /** The status the whole run ends with. */
  get status(): number {
    return this.exitStatus ?? (this.failed ? 1 : 0);
  }

  /** Run a complete piece of input (one or more lines); `'incomplete'` when it ends inside quotes. */
  async run(src: string): Promise<number | 'incomplete'> {
    const r = parse(src);
    if (r.kind === 'incomplete') return 'incomplete';
    if (r.kind === 'error') {
      this.io.err(`cgkit: ${r.message}`);
      return this.finish(2);
    }
    let status = this.state.lastStatus;
    for (const c of r.commands) {
      if (this.exitStatus !== undefined) break;
      status = this.finish(await this.exec(c));
    }
    return status;
  }

  /** Report input that ended inside a quote (end of a script). */
  unexpectedEof(): number {
    this.io.err('cgkit: syntax error: unexpected end of file');
    return this.finish(2);
  }

  private finish(status: number): number {
    this.state.lastStatus = status;
    if (status !== 0) this.failed = true;
    return status;
  }

  private expand(w: Word): string | undefined {
    let text = '';
    let quoted = false;
    for (const p of w.parts) {
      if (p.kind === 'home') text += this.state.home;
      else if (p.kind === 'lit') text += p.text;
      else text += this.variable(p.name);
      if (p.kind !== 'home' && p.quoted) quoted = true;
    }
    // An unquoted expansion that comes out empty is no word at all, as in sh.
    return text === '' && !quoted ? undefined : text;
  }

  private variable(name: string): string {
    if (name === '?') return String(this.state.lastStatus);
    if (name === '!') return this.state.lastPid === undefined ? '' : String(this.state.lastPid);
    if (name === '$') return '1'; // the shell acts as init (pid 1): `k.fs` is root's view
    return this.state.vars.get(name) ?? '';
  }

  private async exec(c: SimpleCommand): Promise<number> {
    if (c.redirects.length === 0 && c.words.length > 0 && c.words.every(isAssignment)) {
      // NAME=VALUE ...: assigned left to right, so a later value may use an earlier name.
      for (const w of c.words) {
        const text = this.expand(w) ?? '';
        const eq = text.indexOf('=');
        this.state.vars.set(text.slice(0, eq), text.slice(eq + 1));
      }
      return 0;
    }
    const argv = c.words.map((w) => this.expand(w)).filter((a): a is string => a !== undefined);
    const redirects: { fd: 1 | 2; target: string }[] = [];
    for (const r of c.redirects) {
      const t = this.expand(r.target);
      if (t === undefined) {
        this.io.err('cgkit: ambiguous redirect');
        return 1;
      }
      redirects.push({ fd: r.fd, target: t });
    }
    return this.dispatch(argv, redirects, this.state.kernel.fs, undefined);
  }

  private async dispatch(argv: string[], redirects: { fd: 1 | 2; target: string }[], fs: CgroupFs, asPid: number | undefined): Promise<number> {
    const name = argv[0];
    const stdoutTo = redirects.filter((r) => r.fd === 1).pop()?.target;
    const stderrTo = redirects.filter((r) => r.fd === 2).pop()?.target;
    if (stderrTo !== undefined && stderrTo !== '/dev/null') {
      this.io.err(`cgkit: ${stderrTo}: standard error can only be redirected to /dev/null`);
      return 1;
    }
    if (name === 'as') return this.runAs(argv, redirects);
    if (name === 'exit') return this.exit(argv);
    if (name === 'help') return this.help(argv);
    const spec = name === undefined ? undefined : COMMANDS[name];
    if (name !== undefined && spec === undefined) {
      this.io.err(`cgkit: ${name}: command not found`);
      return 127;
    }
    if (spec !== undefined && asPid !== undefined && !spec.file) {
      this.io.err(`cgkit: as: ${name ?? ''}: only file commands run as a task`);
      return 2;
    }
    let buffered = '';
    const ctx: Ctx = {
      state: this.state, fs, asPid,
      out: stdoutTo === undefined ? (t) => this.io.out(t) : (t) => { buffered += t; },
      err: stderrTo === undefined ? (l) => this.io.err(l) : () => undefined,
    };
    let status = 0;
    if (spec !== undefined) {
      try {
        status = await spec.run(ctx, argv.slice(1));
      } catch (e) {
        // Kernel errors are handled by each command; anything else is a bug, reported, and the shell goes on.
        ctx.err(`cgkit: ${name ?? ''}: internal error: ${e instanceof Error ? e.message : String(e)}`);
        status = 1;
      }
    }
    if (stdoutTo === undefined || stdoutTo === '/dev/null') return status;
    const path = resolvePath(this.state.cwd, stdoutTo);
    try {
      // One write(2) of everything the command printed; nothing printed, no write (the file is only opened).
      if (buffered === '') await fs.stat(path);
      else await fs.writeFile(path, buffered);
    } catch (e) {
      if (!isErrnoLike(e)) throw e;
      if (e.syscall === 'write') {
        const who = spec?.builtin === true || name === undefined ? `cgkit: ${name ?? 'echo'}` : name;
        ctx.err(`${who}: write error: ${errText(e)}`);
      } else {
        ctx.err(`cgkit: ${stdoutTo}: ${await creatError(fs, path, e)}`);
      }
      return 1;
    }
    return status;
  }

  private async runAs(argv: string[], redirects: { fd: 1 | 2; target: string }[]): Promise<number> {
    const pid = argv[1] === undefined ? undefined : parseId(argv[1]);
    if (pid === undefined || argv.length < 3) {
      this.io.err('cgkit: as: usage: as PID COMMAND...');
      return 2;
    }
    let fs: CgroupFs;
    try {
      if (this.state.kernel.task(pid) === undefined) throw new CgroupError('ESRCH', 'open', undefined, `no task ${pid}`);
      fs = this.state.kernel.as(pid).fs;
    } catch (e) {
      if (!isErrnoLike(e)) throw e;
      this.io.err(`cgkit: as: (${pid}) - ${errText(e)}`);
      return 1;
    }
    return this.dispatch(argv.slice(2), redirects, fs, pid);
  }

  private exit(argv: string[]): number {
    const n = argv[1] === undefined ? undefined : parseId(argv[1]);
    if (argv[1] !== undefined && n === undefined) {
      this.io.err(`cgkit: exit: ${argv[1]}: numeric argument required`);
      this.exitStatus = 2;
      return 2;
    }
    this.exitStatus = n === undefined ? (this.failed ? 1 : 0) : n & 0xff;
    return this.exitStatus;
  }

  private help(argv: string[]): number {
    const pick = argv[1];
    const rows = helpRows().filter(([u]) => pick === undefined || u.split(' ')[0] === pick);
    if (rows.length === 0) {
      this.io.err(`cgkit: help: no help topics match '${pick ?? ''}'`);
      return 1;
    }
    this.io.out(formatRows(rows, ''));
    const mounts = this.state.kernel.mounts ?? [];
    if (pick === undefined && mounts.length > 0) {
      this.io.out(`\nMounted beside the cgroup filesystem:\n${formatRows(mounts.map((m) => [m.path, m.summary]), '')}`);
    }
    return 0;
  }
}

function helpRows(): [string, string][] {
  return [...Object.values(COMMANDS).map((c): [string, string] => [c.usage, c.summary]), ...SESSION_HELP];
}

/** Usage and summary in two columns; a usage too long for the first column gets the summary on its own line. */
function formatRows(rows: [string, string][], indent: string): string {
  const w = Math.min(30, Math.max(...rows.map(([u]) => u.length)));
  return rows.map(([u, s]) => (u.length > w
    ? `${indent}${u}\n${indent}${''.padEnd(w)}  ${s}\n`
    : `${indent}${u.padEnd(w)}  ${s}\n`)).join('');
}

/**
 * The error text of `> FILE` when FILE cannot be opened. The shell opens
 * with O_CREAT; cgroupfs cannot create files, so a missing name in an
 * existing directory is EACCES there (the VFS's answer for a directory
 * without a create operation), while `CgroupFs.writeFile` reports ENOENT.
 */
async function creatError(fs: CgroupFs, path: string, e: unknown): Promise<string> {
  if (!isErrnoLike(e) || e.code !== 'ENOENT') return errText(e);
  try {
    const parent = await fs.stat(path.slice(0, path.lastIndexOf('/')) || '/');
    return parent.isDirectory ? strerror('EACCES') : errText(e);
  } catch {
    return errText(e);
  }
}

/** The help table, for `cgkit shell --help`. */
export function commandTable(): string {
  return formatRows(helpRows(), '  ');
}
