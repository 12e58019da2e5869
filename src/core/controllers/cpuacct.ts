import { defineController, defineFile, type Css, type KernelServices } from '../controller.js';
import { parseWriteU64 } from '../format/int.js';
import { einval } from './refuse.js';

/**
 * cpuacct (v1 only, kernel/sched/cpuacct.c): per-CPU user and system time
 * of a group and its descendants. The scheduler charges through
 * `cpuacctCharge`, which adds to the group and every ancestor like
 * cpuacct_charge() does.
 */
export interface CpuacctState {
  /** Per CPU (index = CPU number) user time in ns. */
  userNs: bigint[];
  /** Per CPU system time in ns. */
  systemNs: bigint[];
}

type C = Css<CpuacctState>;

/** USER_HZ: the tick unit of cpuacct.stat (clock_t). */
export const USER_HZ = 100n;
const NS_PER_TICK = 1000000000n / USER_HZ;
/** One USER_HZ clock tick in ns, as a number (for /proc times and the tick count since boot). */
export const NS_PER_USER_TICK = Number(NS_PER_TICK);

/** Charge `ns` of CPU time on `cpu` to the group and all its ancestors. */
export function cpuacctCharge(css: C, cpu: number, ns: bigint, kind: 'user' | 'system'): void {
  for (let c: C | null = css; c; c = c.parent) {
    const arr = kind === 'user' ? c.state.userNs : c.state.systemNs;
    while (arr.length <= cpu) arr.push(0n);
    arr[cpu] = arr[cpu]! + ns;
  }
}

function cpuList(k: KernelServices): readonly number[] {
  return k.cpus;
}

function at(arr: readonly bigint[], cpu: number): bigint {
  return arr[cpu] ?? 0n;
}

function sum(css: C, k: KernelServices, which: 'user' | 'system' | 'both'): bigint {
  let s = 0n;
  for (const cpu of cpuList(k)) {
    if (which !== 'system') s += at(css.state.userNs, cpu);
    if (which !== 'user') s += at(css.state.systemNs, cpu);
  }
  return s;
}

const percpu = (name: string, which: 'user' | 'system' | 'both') =>
  defineFile<CpuacctState, never>({
    name,
    versions: [1],
    read: (css, k) => cpuList(k).map((cpu) => {
      const u = which === 'system' ? 0n : at(css.state.userNs, cpu);
      const s = which === 'user' ? 0n : at(css.state.systemNs, cpu);
      return `${u + s} `;
    }).join('') + '\n',
  });

export const cpuacct = defineController<CpuacctState>({
  name: 'cpuacct',
  versions: [1],
  threaded: false,
  depth: 'full',
  summary: 'CPU time accounting per group and per CPU (v1 only; v2 reports it in cpu.stat)',
  create: () => ({ userNs: [], systemNs: [] }),
  files: [
    defineFile<CpuacctState, bigint>({
      name: 'cpuacct.usage',
      versions: [1],
      read: (css, k) => `${sum(css, k, 'both')}\n`,
      parse: (t) => parseWriteU64(t),
      validate: (_css, v) => {
        if (v !== 0n) throw einval('cpuacct.usage can only be reset with 0');
      },
      apply: (css) => {
        css.state.userNs = [];
        css.state.systemNs = [];
      },
    }),
    defineFile<CpuacctState, never>({ name: 'cpuacct.usage_user', versions: [1], read: (css, k) => `${sum(css, k, 'user')}\n` }),
    defineFile<CpuacctState, never>({ name: 'cpuacct.usage_sys', versions: [1], read: (css, k) => `${sum(css, k, 'system')}\n` }),
    percpu('cpuacct.usage_percpu', 'both'),
    percpu('cpuacct.usage_percpu_user', 'user'),
    percpu('cpuacct.usage_percpu_sys', 'system'),
    defineFile<CpuacctState, never>({
      name: 'cpuacct.usage_all',
      versions: [1],
      read: (css, k) => 'cpu user system\n' +
        cpuList(k).map((cpu) => `${cpu} ${at(css.state.userNs, cpu)} ${at(css.state.systemNs, cpu)}\n`).join(''),
    }),
    defineFile<CpuacctState, never>({
      name: 'cpuacct.stat',
      versions: [1],
      read: (css, k) => `user ${sum(css, k, 'user') / NS_PER_TICK}\nsystem ${sum(css, k, 'system') / NS_PER_TICK}\n`,
    }),
  ],
});
