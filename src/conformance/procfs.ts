import { readFile, readdir } from 'node:fs/promises';
import type { TaskState } from './adapter.js';

/** The fields of `/proc/<pid>/stat` the suite uses. */
export interface ProcStat {
  /** One letter: R S D T t Z X ... */
  state: string;
  /** Field 22: start time in clock ticks since boot; with the pid it names a process uniquely. */
  startTime: string;
}

/** `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`), undefined once the task is gone. */
export async function procStat(path: string): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces: fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', startTime: fields[19] ?? '' };
}

export function stateOf(s: ProcStat | undefined): TaskState {
  if (s === undefined || s.state === 'X') return 'gone';
  if (s.state === 'Z') return 'zombie';
  if (s.state === 'T' || s.state === 't') return 'stopped';
  return 'alive';
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Poll until `done` holds; throw after `timeoutMs`. */
export async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Has every thread of the process finished exiting (zombie or gone)? */
export async function hasExited(pid: number): Promise<boolean> {
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  for (const tid of tids) {
    const st = stateOf(await procStat(`/proc/${pid}/task/${tid}/stat`));
    if (st !== 'zombie' && st !== 'gone') return false;
  }
  return true;
}
