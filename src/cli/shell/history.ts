import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Interactive history: at most this many lines are kept. */
export const HISTORY_SIZE = 1000;

export function defaultHistoryFile(): string {
  return join(homedir(), '.cgkit_history');
}

/** Saved lines, oldest first; none when the file does not exist yet. */
export function loadHistory(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').filter((l) => l !== '').slice(-HISTORY_SIZE);
}

/** Write the newest HISTORY_SIZE lines (oldest first), readable by the owner only. */
export function saveHistory(file: string, linesOldestFirst: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const kept = linesOldestFirst.slice(-HISTORY_SIZE);
  writeFileSync(file, kept.length === 0 ? '' : kept.join('\n') + '\n', { mode: 0o600 });
}
