import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';

/** A process this scratch area started and will kill. */
export interface Sleeper {
  readonly pid: number;
  /** Settles once the process has exited and been reaped. */
  readonly exited: Promise<void>;
  /** SIGKILL it (unless already reaped, so a reused pid is never hit) and wait for it. */
  kill(): Promise<void>;
}

/**
 * A uniquely named scratch subtree (`<prefix>-<random hex>`) in each
 * hierarchy a host run uses, plus the processes the run started. `dispose`
 * kills those processes (by the pid it holds), waits for them, and removes
 * every group it created, deepest first, reporting all failures together.
 * Nothing outside its own groups and processes is touched.
 */
export class Scratch {
  readonly name: string;
  private readonly tops: string[] = [];
  private readonly made = new Map<string, Promise<string>>();
  private readonly children: ChildProcess[] = [];

  constructor(private readonly fs: CgroupFs, prefix = 'cgkit-test') {
    this.name = `${prefix}-${randomBytes(6).toString('hex')}`;
  }

  /** `<parent>/<name>`, created on first use and owned (with all below it) from then on. */
  top(parent: string): Promise<string> {
    let p = this.made.get(parent);
    if (p === undefined) {
      const dir = posix.join(parent, this.name);
      p = this.fs.mkdir(dir).then(() => {
        this.tops.push(dir);
        return dir;
      }, (e: unknown) => {
        this.made.delete(parent);
        throw e;
      });
      this.made.set(parent, p);
    }
    return p;
  }

  /** Create a fresh group `<top(parent)>/<label>` for one use. */
  async group(parent: string, label: string): Promise<string> {
    const dir = posix.join(await this.top(parent), label);
    await this.fs.mkdir(dir);
    return dir;
  }

  /** Start `sleep <seconds>`; it runs where this process runs until the caller moves it. */
  spawnSleeper(seconds = 120): Sleeper {
    const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
    if (child.pid === undefined) throw new CgroupError('EAGAIN', 'spawn', undefined, 'sleep did not start');
    this.children.push(child);
    const exited = exitOf(child);
    return {
      pid: child.pid,
      exited,
      kill: async () => {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** Kill the processes started here, then remove every group created here. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(this.children.splice(0).map(async (c) => {
      const gone = exitOf(c);
      c.kill('SIGKILL');
      await gone;
    }));
    this.made.clear();
    for (const dir of this.tops.splice(0).reverse()) {
      try {
        await removeTree(this.fs, dir);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} scratch groups could not be removed`);
  }
}

function exitOf(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve();
    else c.once('exit', () => resolve());
  });
}

/**
 * `dir` and every cgroup below it, each parent before its children,
 * appended to `out`; nothing when `dir` is gone.
 */
export async function groupsUnder(fs: CgroupFs, dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdirEntries(dir);
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'ENOENT') return out;
    throw e;
  }
  out.push(dir);
  for (const e of entries) if (e.isDirectory) await groupsUnder(fs, posix.join(dir, e.name), out);
  return out;
}

/**
 * Remove `dir` and every cgroup below it, deepest first. A missing group is
 * fine; EBUSY is retried briefly (a killed task may still be leaving).
 */
export async function removeTree(fs: CgroupFs, dir: string): Promise<void> {
  for (const d of (await groupsUnder(fs, dir)).reverse()) {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.rmdir(d);
        break;
      } catch (e) {
        if (e instanceof CgroupError && e.code === 'ENOENT') break;
        if (!(e instanceof CgroupError && e.code === 'EBUSY') || attempt >= 20) throw e;
        await sleep(25);
      }
    }
  }
}
