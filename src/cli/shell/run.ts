import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { errText } from './context.js';
import { HISTORY_SIZE, defaultHistoryFile, loadHistory, saveHistory } from './history.js';
import type { ShellKernel } from './kernel.js';
import { displayPath } from './paths.js';
import { Session } from './session.js';

export interface RunShellOptions {
  input: Readable;
  output: Writable;
  errors: Writable;
  kernel: ShellKernel;
  /** Data commands (cat of keyed files, ls, ps, tree) print JSON. */
  json?: boolean;
  /** Prompt and history; default: when `input` is a terminal. */
  interactive?: boolean;
  /** Interactive history file (default `~/.cgkit_history`); `null`: keep no file. */
  historyFile?: string | null;
  /** Let readline drive the terminal (line editing, history keys); default: when `errors` is a terminal. */
  terminal?: boolean;
}

/**
 * Run the shell until its input ends or `exit`. Returns the exit status:
 * 0 when every command succeeded, 1 when any failed (or `exit N`'s N).
 */
export async function runShell(o: RunShellOptions): Promise<number> {
  const session = new Session(o.kernel, {
    out: (t) => { o.output.write(t); },
    err: (l) => { o.errors.write(l + '\n'); },
  }, { json: o.json ?? false });
  const interactive = o.interactive ?? (o.input as { isTTY?: boolean }).isTTY === true;
  return interactive ? interactiveLoop(session, o) : scriptLoop(session, o);
}

async function scriptLoop(session: Session, o: RunShellOptions): Promise<number> {
  const rl = createInterface({ input: o.input, crlfDelay: Infinity, terminal: false });
  let pending: string | undefined;
  try {
    for await (const line of rl) {
      pending = pending === undefined ? line : `${pending}\n${line}`;
      if (await session.run(pending) === 'incomplete') continue;
      pending = undefined;
      if (session.exitStatus !== undefined) break;
    }
    if (pending !== undefined) session.unexpectedEof();
  } finally {
    rl.close();
  }
  return session.status;
}

async function interactiveLoop(session: Session, o: RunShellOptions): Promise<number> {
  const file = o.historyFile === undefined ? defaultHistoryFile() : o.historyFile;
  const warn = (what: string, e: unknown): void => { o.errors.write(`cgkit: history: cannot ${what} ${file ?? ''}: ${errText(e)}\n`); };
  let saved: string[] = [];
  if (file !== null) {
    try {
      saved = loadHistory(file);
    } catch (e) {
      warn('read', e);
    }
  }
  // Like bash, the prompt and the echo of what is typed go to stderr; stdout carries only command output.
  const terminal = o.terminal ?? (o.errors as { isTTY?: boolean }).isTTY === true;
  const rl: Interface = createInterface({
    input: o.input, output: o.errors, terminal, historySize: HISTORY_SIZE,
    history: [...saved].reverse(), removeHistoryDuplicates: true, crlfDelay: Infinity,
  });
  let saveFailed = false;
  rl.on('history', (newestFirst: string[]) => {
    if (file === null || saveFailed) return;
    try {
      saveHistory(file, [...newestFirst].reverse());
    } catch (e) {
      saveFailed = true; // say it once, keep the session going
      warn('save', e);
    }
  });
  let pending: string | undefined;
  const prompt = (): void => {
    rl.setPrompt(pending !== undefined ? '> ' : `cgkit:${displayPath(session.state.cwd, session.state.home)}$ `);
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    // Ctrl-C drops the line being typed (and any unfinished quote), like bash.
    pending = undefined;
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    o.errors.write('^C\n');
    prompt();
  });
  const kind = session.state.kernel.layout.kind;
  const mounts = (o.kernel.mounts ?? []).map((m) => m.path);
  const extra = mounts.length > 0 ? `, also mounted: ${mounts.join(', ')}` : '';
  o.errors.write(`cgkit shell: simulated kernel, ${kind} layout, cgroup mount ${session.state.home}${extra}. Type 'help'.\n`);
  prompt();
  try {
    for await (const line of rl) {
      pending = pending === undefined ? line : `${pending}\n${line}`;
      if (await session.run(pending) !== 'incomplete') pending = undefined;
      if (session.exitStatus !== undefined) break;
      prompt();
    }
    if (pending !== undefined) session.unexpectedEof();
    if (session.exitStatus === undefined) o.errors.write('exit\n');
  } finally {
    rl.close();
  }
  return session.status;
}
