import { defineFile, type HierVersion, type IfaceFile } from '../controller.js';
import { CgroupError } from '../errors.js';
import { formatCpuList } from '../format/cpulist.js';
import { parseWriteS64, parseWriteU64 } from '../format/int.js';
import { strstrip } from '../format/text.js';
import { type CpusetState, recomputeCpusets } from './cpuset-state.js';
import { parseCpus, parseMems, unchanged, validateChange } from './cpuset-validate.js';
import { einval } from './refuse.js';

/**
 * cgroup v1 cpuset files (the kernel's legacy_files). On the root the masks
 * are read-only (EACCES) and every flag file exists, plus the root-only
 * cpuset.memory_pressure_enabled.
 */

/**
 * Highest scheduling-domain level of the simulated machine (the 2-CPU,
 * one-socket host this project is tested on has 1), which bounds
 * cpuset.sched_relax_domain_level to -1..level+1.
 */
export const SCHED_DOMAIN_LEVEL_MAX = 1;

/** cpuset.cpus / cpuset.mems for one hierarchy version. */
export function maskWrite(name: string, versions: readonly HierVersion[], which: 'cpus' | 'mems'): IfaceFile<CpusetState> {
  const v2 = versions.includes(2);
  return defineFile<CpusetState, string>({
    name,
    versions,
    where: v2 ? 'nonRoot' : 'all',
    read: (css) => formatCpuList(css.state[which]),
    parse: (t) => strstrip(t),
    validate: (css, v, k) => {
      if (!css.parent) throw new CgroupError('EACCES', 'write', undefined, 'the root cpuset is read-only');
      const m = which === 'cpus' ? parseCpus(v, k) : parseMems(v, k);
      if (unchanged(css.state, { [which]: m })) return;
      validateChange(css, { [which]: m });
    },
    apply: (css, v, k) => {
      css.state[which] = which === 'cpus' ? parseCpus(v, k) : parseMems(v, k);
      recomputeCpusets(css, k);
    },
  });
}

type Flag = 'memHardwall' | 'memoryMigrate' | 'spreadPage' | 'spreadSlab' | 'schedLoadBalance';

const flagFile = (name: string, key: Flag): IfaceFile<CpusetState> =>
  defineFile<CpusetState, boolean>({
    name,
    versions: [1],
    read: (css) => `${css.state[key] ? 1 : 0}\n`,
    parse: (t) => parseWriteU64(t) !== 0n,
    apply: (css, v) => {
      css.state[key] = v;
    },
  });

const exclusiveFile = (name: string, key: 'cpuExclusive' | 'memExclusive'): IfaceFile<CpusetState> =>
  defineFile<CpusetState, boolean>({
    name,
    versions: [1],
    read: (css) => `${css.state[key] ? 1 : 0}\n`,
    parse: (t) => parseWriteU64(t) !== 0n,
    validate: (css, v) => validateChange(css, { [key]: v }),
    apply: (css, v, k) => {
      css.state[key] = v;
      recomputeCpusets(css, k);
    },
  });

export const cpusetV1Files: IfaceFile<CpusetState>[] = [
  maskWrite('cpuset.cpus', [1], 'cpus'),
  maskWrite('cpuset.mems', [1], 'mems'),
  defineFile<CpusetState, never>({ name: 'cpuset.effective_cpus', versions: [1], read: (css) => formatCpuList(css.state.effectiveCpus) }),
  defineFile<CpusetState, never>({ name: 'cpuset.effective_mems', versions: [1], read: (css) => formatCpuList(css.state.effectiveMems) }),
  exclusiveFile('cpuset.cpu_exclusive', 'cpuExclusive'),
  exclusiveFile('cpuset.mem_exclusive', 'memExclusive'),
  flagFile('cpuset.mem_hardwall', 'memHardwall'),
  flagFile('cpuset.memory_migrate', 'memoryMigrate'),
  flagFile('cpuset.memory_spread_page', 'spreadPage'),
  flagFile('cpuset.memory_spread_slab', 'spreadSlab'),
  flagFile('cpuset.sched_load_balance', 'schedLoadBalance'),
  defineFile<CpusetState, never>({ name: 'cpuset.memory_pressure', versions: [1], read: () => '0\n' }),
  defineFile<CpusetState, boolean>({
    name: 'cpuset.memory_pressure_enabled',
    versions: [1],
    where: 'rootOnly',
    read: (css) => `${css.state.memoryPressureEnabled ? 1 : 0}\n`,
    parse: (t) => parseWriteU64(t) !== 0n,
    apply: (css, v) => {
      css.state.memoryPressureEnabled = v;
    },
  }),
  defineFile<CpusetState, number>({
    name: 'cpuset.sched_relax_domain_level',
    versions: [1],
    read: (css) => `${css.state.relaxDomainLevel}\n`,
    parse: (t) => {
      const v = parseWriteS64(t);
      if (v < -1n || v > BigInt(SCHED_DOMAIN_LEVEL_MAX + 1)) throw einval(`level is -1..${SCHED_DOMAIN_LEVEL_MAX + 1}`);
      return Number(v);
    },
    apply: (css, v) => {
      css.state.relaxDomainLevel = v;
    },
  }),
];
