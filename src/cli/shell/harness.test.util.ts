import { PassThrough, Writable } from 'node:stream';
import type { ShellKernel } from './kernel.js';
import { type RunShellOptions, runShell } from './run.js';

/** A writable that keeps what was written. */
export class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface ScriptResult {
  out: string;
  err: string;
  status: number;
}

/** Run `script` through the shell in-process, as `cgkit shell < script` would. */
export async function runScript(kernel: ShellKernel, script: string, opts: Partial<RunShellOptions> = {}): Promise<ScriptResult> {
  const input = new PassThrough();
  input.end(script);
  const output = new Collect();
  const errors = new Collect();
  const status = await runShell({ input, output, errors, kernel, interactive: false, ...opts });
  return { out: output.text, err: errors.text, status };
}
