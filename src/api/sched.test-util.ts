/**
 * Helpers for the scheduler tests of the simulated kernel: read the figures a
 * user would read (cpu.stat, /proc/<pid>/stat and schedstat) and build small
 * cgroup trees.
 */
import { SimKernel, type SimKernelOptions } from './sim-kernel.js';

export const R = '/sys/fs/cgroup';
export const US = 1_000;
export const MS = 1_000_000;
export const S = 1_000_000_000;

/** A flat-keyed file (`key value` lines) as numbers, by key. */
export async function keyed(k: SimKernel, path: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await k.fs.readFile(path)).trim().split('\n')) {
    const [key, value] = line.split(' ');
    if (key !== undefined && value !== undefined) out[key] = Number(value);
  }
  return out;
}

export async function cpuStat(k: SimKernel, dir: string): Promise<Record<string, number>> {
  return keyed(k, `${dir}/cpu.stat`);
}

/** cpu.stat usage_usec of a v2 cgroup. */
export async function usageUsec(k: SimKernel, dir: string): Promise<number> {
  const v = (await cpuStat(k, dir)).usage_usec;
  if (v === undefined) throw new Error(`${dir}/cpu.stat has no usage_usec`);
  return v;
}

/** A unified-layout kernel with the cpu controller enabled at the root. */
export async function cpuKernel(opts: SimKernelOptions = {}, controllers = '+cpu'): Promise<SimKernel> {
  const k = new SimKernel(opts);
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, controllers);
  return k;
}

/** mkdir a v2 group (relative to the root) and write its files. */
export async function group(k: SimKernel, rel: string, files: Record<string, string> = {}): Promise<string> {
  const dir = `${R}/${rel}`;
  await k.fs.mkdir(dir);
  for (const [f, v] of Object.entries(files)) await k.fs.writeFile(`${dir}/${f}`, v);
  return dir;
}

/** Percent of `of`. */
export function pct(x: number, of: number): number {
  return (100 * x) / of;
}

/** /proc/<pid>/schedstat: [runtime ns, wait ns, timeslices]. */
export async function schedstat(k: SimKernel, pid: number): Promise<[number, number, number]> {
  const [a, b, c] = (await k.fs.readFile(`/proc/${pid}/schedstat`)).trim().split(' ').map(Number);
  return [a!, b!, c!];
}

/** /proc/<pid>/stat utime (field 14), in USER_HZ ticks. */
export async function utimeTicks(k: SimKernel, pid: number): Promise<number> {
  const stat = await k.fs.readFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  return Number(fields[14 - 3]);
}
