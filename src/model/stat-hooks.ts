import { cpuStatV2Extra } from '../core/controllers/cpu.js';
import type { Cgroup } from './cgroup.js';
import type { Kernel } from './kernel.js';

/** The bandwidth keys v2 `cpu.stat` adds when the cgroup has its own cpu css. */
export function cpuStatExtra(k: Kernel, cg: Cgroup): [string, string | number | bigint][] {
  void k;
  const css = cg.css.get('cpu');
  if (!css) return [];
  return cpuStatV2Extra(css as never).map(([a, b]) => [a, b] as [string, string | number | bigint]);
}
