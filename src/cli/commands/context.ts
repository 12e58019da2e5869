import type { Readable, Writable } from 'node:stream';
import type { ShellKernel } from '../shell/kernel.js';

export type LayoutChoice = 'unified' | 'hybrid' | 'legacy' | 'host';

export interface KernelOptions {
  layout: LayoutChoice;
  cpus?: number;
  /** Hardware threads per core (the simulated kernel has core scheduling from 2). */
  smt?: number;
  seed?: number;
}

/**
 * What every subcommand runs with: the process's streams, the kernel
 * factory (the composition root picks the simulated kernel; tests may pass
 * another) and the exit status the subcommand sets.
 */
export interface CliContext {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  makeKernel(opts: KernelOptions): Promise<ShellKernel>;
  exitCode: number;
}
