/**
 * Starting a command whose first instruction already runs with a core
 * scheduling cookie (`cgkit coresched new|copy -- CMD`): exec.ts's stub,
 * with `setup(pid)` (a prctl on the stub's pid) run while it waits. The
 * cookie survives the stub's `exec` (exec keeps it, fork copies it). If
 * `setup` throws, the stub is SIGKILLed by the pid held and reaped before
 * the error is rethrown: the command never ran.
 */
import { execInGroups, type HostExecHandle } from './exec.js';
import { HostFs } from './hostfs.js';

export interface CookieExecOptions {
  argv: readonly string[];
  /** Runs while the stub waits; throwing aborts the start. */
  setup: (pid: number) => void | Promise<void>;
  stdio?: 'inherit' | 'pipe' | 'ignore';
  /** Called with the stub's pid as soon as it exists (for tests and logs). */
  onStarted?: (pid: number) => void;
  shell?: string;
}

export type CookieExecHandle = HostExecHandle;

export function execWithCookie(opts: CookieExecOptions): Promise<CookieExecHandle> {
  return execInGroups(new HostFs(), {
    argv: opts.argv,
    procsFiles: [],
    beforeRelease: opts.setup,
    ...(opts.stdio !== undefined ? { stdio: opts.stdio } : {}),
    ...(opts.onStarted !== undefined ? { onStarted: opts.onStarted } : {}),
    ...(opts.shell !== undefined ? { shell: opts.shell } : {}),
  });
}
