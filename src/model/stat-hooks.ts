import { cpuStatLocalV2Extra, cpuStatV2Extra } from '../core/controllers/cpu.js';
import type { Cgroup } from './cgroup.js';

type Row = [string, string | number | bigint];

/** The bandwidth keys v2 `cpu.stat` adds when the cgroup has its own cpu css. */
export function cpuStatExtra(cg: Cgroup): Row[] {
  const css = cg.css.get('cpu');
  return css ? cpuStatV2Extra(css as never) : [];
}

/** `cpu.stat.local`: throttling including the ancestors', when the cgroup has its own cpu css. */
export function cpuStatLocal(cg: Cgroup): Row[] {
  const css = cg.css.get('cpu');
  return css ? cpuStatLocalV2Extra(css as never) : [];
}
