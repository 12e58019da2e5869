import { defineController, defineFile, type IfaceFile } from '../controller.js';
import { CgroupError } from '../errors.js';
import { formatCpuList } from '../format/cpulist.js';
import { strstrip } from '../format/text.js';
import { maskSubset } from './bitmap.js';
import {
  type CpusetCss, type CpusetState, isolatedCpus, newCpusetState, type PartitionType, recomputeCpusets,
} from './cpuset-state.js';
import { cpusetV1Files, maskWrite } from './cpuset-v1.js';
import { parseCpus, validateChange } from './cpuset-validate.js';
import { einval } from './refuse.js';

/**
 * cpuset (kernel/cgroup/cpuset.c): which CPUs and memory nodes a group's
 * tasks may use. v2 semantics: an empty or disjoint request inherits the
 * parent's effective mask; partitions (`root`, `isolated`) take CPUs
 * exclusively. v1 semantics (cpuset-v1.ts): masks must nest, new groups
 * start empty, and a task cannot join a group without CPUs or nodes.
 */

function readPartition(s: CpusetState): string {
  return s.partitionError === undefined ? `${s.partition}\n` : `${s.partition} invalid (${s.partitionError})\n`;
}

/** update_exclusive_cpumask() checks: within the parent's exclusive CPUs, no overlap with a sibling's. */
function exclusiveCheck(css: CpusetCss, m: number[]): void {
  const p = css.parent!;
  if (m.length > 0 && !maskSubset(m, p.state.effectiveXcpus)) throw einval('not within the parent\'s exclusive CPUs');
  for (const s of p.children()) {
    if (s !== css && !s.state.offline && m.some((c) => s.state.exclusiveCpus.includes(c))) throw einval('overlaps a sibling\'s exclusive CPUs');
  }
  validateChange(css, { exclusiveCpus: m });
}

const v2Files: IfaceFile<CpusetState>[] = [
  maskWrite('cpuset.cpus', [2], 'cpus'),
  maskWrite('cpuset.mems', [2], 'mems'),
  defineFile<CpusetState, never>({ name: 'cpuset.cpus.effective', versions: [2], read: (css) => formatCpuList(css.state.effectiveCpus) }),
  defineFile<CpusetState, never>({ name: 'cpuset.mems.effective', versions: [2], read: (css) => formatCpuList(css.state.effectiveMems) }),
  defineFile<CpusetState, string>({
    name: 'cpuset.cpus.exclusive',
    versions: [2],
    where: 'nonRoot',
    read: (css) => formatCpuList(css.state.exclusiveCpus),
    parse: (t) => strstrip(t),
    validate: (css, v, k) => exclusiveCheck(css, parseCpus(v, k)),
    apply: (css, v, k) => {
      css.state.exclusiveCpus = parseCpus(v, k);
      recomputeCpusets(css, k);
    },
  }),
  defineFile<CpusetState, never>({
    name: 'cpuset.cpus.exclusive.effective',
    versions: [2],
    where: 'nonRoot',
    read: (css) => formatCpuList(css.state.effectiveXcpus),
  }),
  defineFile<CpusetState, PartitionType>({
    name: 'cpuset.cpus.partition',
    versions: [2],
    where: 'nonRoot',
    read: (css) => readPartition(css.state),
    parse: (t) => {
      const s = strstrip(t);
      if (s === 'member' || s === 'root' || s === 'isolated') return s;
      throw einval('cpuset.cpus.partition takes member, root or isolated');
    },
    apply: (css, v, k) => {
      css.state.partition = v;
      recomputeCpusets(css, k);
    },
  }),
  defineFile<CpusetState, never>({
    name: 'cpuset.cpus.isolated',
    versions: [2],
    where: 'rootOnly',
    read: (css) => formatCpuList(isolatedCpus(css)),
  }),
];

export const cpuset = defineController<CpusetState>({
  name: 'cpuset',
  versions: [1, 2],
  threaded: true,
  depth: 'full',
  summary: 'CPUs and memory nodes a group may use; exclusive partitions (v2)',
  create: (parent, cg, k) => newCpusetState(parent?.state ?? null, k, cg.version === 2),
  online: (css, k) => {
    const p = css.parent;
    if (p && css.cgroup.version === 1 && css.cgroup.cloneChildren) {
      const sibExcl = p.children().some((s) => s !== css && !s.state.offline && (s.state.cpuExclusive || s.state.memExclusive));
      if (!sibExcl) {
        css.state.cpus = [...p.state.cpus];
        css.state.mems = [...p.state.mems];
      }
    }
    recomputeCpusets(css, k);
  },
  offline: (css, k) => {
    css.state.offline = true;
    recomputeCpusets(css, k);
  },
  canAttach: (dst) => {
    const s = dst.state;
    if (dst.cgroup.version === 1 && (s.cpus.length === 0 || s.mems.length === 0)) {
      throw new CgroupError('ENOSPC', 'write', undefined, 'cpuset has no CPUs or no memory nodes');
    }
    if (s.effectiveCpus.length === 0) throw new CgroupError('ENOSPC', 'write', undefined, 'cpuset has no effective CPUs');
    s.attachInProgress++;
  },
  cancelAttach: (dst) => {
    dst.state.attachInProgress--;
  },
  attach: (dst, _src, _set, k) => {
    if (dst.state.attachInProgress > 0) dst.state.attachInProgress--;
    if (dst.cgroup.version === 2) recomputeCpusets(dst, k);
  },
  files: [...v2Files, ...cpusetV1Files],
});

export { cpusetEffectiveCpus, cpusetEffectiveMems, type CpusetState } from './cpuset-state.js';
