/**
 * Telling a process from a later one that got the same pid: its start
 * time, field 22 (`starttime`, clock ticks after boot) of
 * `/proc/<pid>/stat`. A pid is reused once its process is gone; the pair
 * (pid, start time) is not.
 */
import { readFileSync } from 'node:fs';

/** Start time (clock ticks after boot) of a live process, from `/proc/<pid>/stat`; `undefined` once it is gone or a zombie. */
export function startTicksOf(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  if (state === 'Z' || state === 'X' || state === 'x') return undefined;
  const ticks = rest[19]; // field 22, starttime
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
}

/**
 * Is the process `pid` that started at `startTicks` still alive? False when
 * the pid is gone, a zombie, or now names a later process (a different
 * start time). Without `startTicks`, the pid alone decides.
 */
export function isSameProcessAlive(pid: number, startTicks?: string): boolean {
  const now = startTicksOf(pid);
  return now !== undefined && (startTicks === undefined || now === startTicks);
}

/** A group name that says which process made it: `<prefix>-<pid>-<starttime>-<hex>` (or the older `<prefix>-<pid>-<hex>`). */
export interface OwnedName {
  pid: number;
  /** The owner's start time; `undefined` in the older form without it. */
  startTicks: string | undefined;
}

/**
 * `<prefix>-<pid>-<starttime>-<random>` for `owner` (this process by
 * default), or `<prefix>-<pid>-<random>` when its start time is unknown.
 * `random` (lowercase hex) tells apart the names one process makes.
 */
export function ownedName(prefix: string, random: string, owner?: OwnedName): string {
  const { pid, startTicks } = owner ?? { pid: process.pid, startTicks: startTicksOf(process.pid) };
  return startTicks === undefined ? `${prefix}-${pid}-${random}` : `${prefix}-${pid}-${startTicks}-${random}`;
}

/** The owner a name made by `ownedName` records; `undefined` for any other name. */
export function parseOwnedName(prefix: string, name: string): OwnedName | undefined {
  if (!name.startsWith(`${prefix}-`)) return undefined;
  const m = /^(\d+)-(?:(\d+)-)?[0-9a-f]+$/.exec(name.slice(prefix.length + 1));
  if (!m) return undefined;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, startTicks: m[2] };
}

/** Is there no process `pid` any more, not even a zombie (kill(pid, 0) says ESRCH)? */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
