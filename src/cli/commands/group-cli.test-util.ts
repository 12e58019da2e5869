/** Running `cgkit` in-process for the group commands' tests, optionally on one simulated kernel shared by several runs. */
import { PassThrough } from 'node:stream';
import { SimKernel } from '../../api/sim-kernel.js';
import { main } from '../program.js';
import { Collect } from '../shell/harness.test.util.js';

export interface CliRun {
  out: string;
  err: string;
  status: number;
}

/** `cgkit ARGS...`; with `kernel`, every `--backend sim` run (without --scenario) acts on that one kernel. */
export async function cgkit(args: readonly string[], kernel?: SimKernel): Promise<CliRun> {
  const stdin = new PassThrough();
  stdin.end('');
  const stdout = new Collect();
  const stderr = new Collect();
  const status = await main([...args], { stdin, stdout, stderr }, kernel ? () => kernel : undefined);
  return { out: stdout.text, err: stderr.text, status };
}

/** A 2-CPU simulated kernel. */
export function simKernel(layout: 'unified' | 'hybrid' | 'legacy' = 'unified'): SimKernel {
  return new SimKernel({ layout, cpus: 2, seed: 1 });
}

/** The NDJSON lines of an output, parsed. */
export function ndjson(text: string): unknown[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}
