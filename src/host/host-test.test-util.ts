/**
 * The live host for host tests: the kernel opened once per test file, or
 * the reason the tests skip; and a scratch area whose processes and
 * `cgkit-test-<random>` groups are removed after the file's tests and on
 * SIGINT/SIGTERM.
 */
import { after } from 'node:test';
import type { ExecHandle } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { isRoot } from './features.js';
import { HostKernel } from './kernel.js';
import { Scratch } from './scratch.js';

let opened: Promise<HostKernel | string> | undefined;

/**
 * The host kernel, or why the host tests skip: not Linux, no usable cgroup
 * filesystem, or (with `root`, the default: the tests change cgroups) not
 * running as root. Opened once per test file.
 */
export async function openTestHost(opts: { root?: boolean } = {}): Promise<HostKernel | string> {
  if (process.platform !== 'linux') return 'not Linux';
  if (opts.root !== false && !isRoot()) return 'not running as root: the host tests change cgroups';
  opened ??= HostKernel.open().catch((e: unknown) => {
    if (!(e instanceof CgroupError)) throw e;
    return `no usable cgroup filesystem: ${e.message}`;
  });
  return opened;
}

export interface HostScratch {
  kernel: HostKernel;
  scratch: Scratch;
  /** Processes a test started: each is SIGKILLed (by the handle's pid) and reaped at cleanup. */
  started: ExecHandle[];
}

/** The host kernel with a scratch area (root not needed to open it), or the reason to skip. */
export async function openHostScratch(): Promise<HostScratch | string> {
  const kernel = await openTestHost({ root: false });
  if (typeof kernel === 'string') return kernel;
  const scratch = new Scratch(kernel.fs);
  const started: ExecHandle[] = [];
  const cleanup = async (): Promise<void> => {
    for (const h of started.splice(0)) {
      h.kill('SIGKILL');
      await h.exited;
    }
    await scratch.dispose();
  };
  const onSignal = (): void => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  after(async () => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanup();
  });
  return { kernel, scratch, started };
}
