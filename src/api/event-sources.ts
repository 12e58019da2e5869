/**
 * Where the events of a group come from (see `watchEvents` in events.ts):
 * one reader per file, each turning the text into the flags and counters it
 * knows. Which files exist depends on the layout and where each controller
 * of the group lives.
 */
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseU64 } from '../core/format/int.js';
import { keyedBig, keyedFlag, parseFlat } from '../core/format/keyed.js';
import type { GroupDir, GroupDirs } from './group-dirs.js';

export type MemoryEventName = 'low' | 'high' | 'max' | 'oom' | 'oom_kill';

export const MEMORY_EVENTS: readonly MemoryEventName[] = ['low', 'high', 'max', 'oom', 'oom_kill'];

/** What one source says: flags it knows, and counters by key (`memory.oom`, `pids.max`). */
export interface Reading {
  populated?: boolean;
  frozen?: boolean;
  counters?: Map<string, bigint>;
}

export interface Source {
  /** The group directory the file lives in: gone means the group is gone. */
  readonly dir: string;
  /** Files to ask the kernel to watch. */
  readonly files: readonly string[];
  read(): Promise<Reading>;
  unwatch?: (() => void)[];
}

export function isGone(e: unknown): boolean {
  return e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ENODEV');
}

function fileSource(k: CgroupKernel, d: GroupDir, name: string, parse: (text: string) => Reading): Source {
  const file = `${d.dir}/${name}`;
  return { dir: d.dir, files: [file], read: async () => parse(await k.fs.readFile(file)) };
}

function counters(entries: [string, bigint | undefined][]): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const [key, v] of entries) if (v !== undefined) m.set(key, v);
  return m;
}

/** v1 `memory.oom_control`: `oom_kill` counts kills; each time `under_oom` turns 1 is one `oom`. */
function oomControlSource(k: CgroupKernel, d: GroupDir): Source {
  let entered = 0n;
  let under: boolean | undefined;
  return fileSource(k, d, 'memory.oom_control', (text) => {
    const f = parseFlat(text);
    const now = keyedFlag(f, 'under_oom');
    if (now === true && under === false) entered++;
    under = now;
    return { counters: counters([['memory.oom_kill', keyedBig(f, 'oom_kill')], ['memory.oom', entered]]) };
  });
}

/** Legacy hosts have no `populated` flag: any process in the group's subtree, in any of its hierarchies. */
function walkSource(k: CgroupKernel, dirs: readonly GroupDir[]): Source {
  const busy = async (dir: string, top: boolean): Promise<boolean> => {
    try {
      if ((await k.fs.readFile(`${dir}/cgroup.procs`)).trim() !== '') return true;
      for (const e of await k.fs.readdirEntries(dir)) if (e.isDirectory && (await busy(`${dir}/${e.name}`, false))) return true;
      return false;
    } catch (e) {
      if (!top && isGone(e)) return false; // a child removed while walking
      throw e;
    }
  };
  return {
    dir: dirs[0]!.dir,
    files: [],
    read: async () => {
      for (const d of dirs) if (await busy(d.dir, true)) return { populated: true };
      return { populated: false };
    },
  };
}

export function sourcesOf(k: CgroupKernel, dirs: GroupDirs): Source[] {
  const out: Source[] = [];
  if (dirs.v2) {
    out.push(fileSource(k, dirs.v2, 'cgroup.events', (t) => {
      const f = parseFlat(t);
      const r: Reading = {};
      const p = keyedFlag(f, 'populated');
      const z = keyedFlag(f, 'frozen');
      if (p !== undefined) r.populated = p;
      if (z !== undefined) r.frozen = z;
      return r;
    }));
  } else if (dirs.dirs.length > 0) {
    out.push(walkSource(k, dirs.dirs));
  }
  const mem = dirs.dirOf('memory');
  if (mem?.version === 2) {
    out.push(fileSource(k, mem, 'memory.events', (t) => {
      const f = parseFlat(t);
      return { counters: counters(MEMORY_EVENTS.map((e) => [`memory.${e}`, keyedBig(f, e)])) };
    }));
  } else if (mem) {
    out.push(oomControlSource(k, mem));
    out.push(fileSource(k, mem, 'memory.failcnt', (t) => ({ counters: counters([['memory.max', parseU64(t, { base: 10, syscall: 'read', path: `${mem.dir}/memory.failcnt` })]]) })));
  }
  const pids = dirs.dirOf('pids');
  if (pids) out.push(fileSource(k, pids, 'pids.events', (t) => ({ counters: counters([['pids.max', keyedBig(parseFlat(t), 'max')]]) })));
  const fz = dirs.dirOf('freezer');
  if (fz?.version === 1) out.push(fileSource(k, fz, 'freezer.state', (t) => ({ frozen: t.trim() === 'FROZEN' })));
  return out;
}
