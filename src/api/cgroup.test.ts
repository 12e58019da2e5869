/** The Cgroup API suite on the simulated kernel, unified and hybrid. */
import { describe } from 'node:test';
import { cgroupSuite } from './cgroup-suite.test-util.js';
import { simCgroupKernel } from './sim-backend.js';
import { SimKernel } from './sim-kernel.js';

const sec = (s: number): string => `${Math.round(s * 1000)}ms`;

for (const layout of ['unified', 'hybrid', 'legacy'] as const) {
  describe(`Cgroup on the simulated kernel (${layout})`, () => {
    cgroupSuite({
      name: `sim ${layout}`,
      open: async () => simCgroupKernel(new SimKernel({ layout, cpus: 2, seed: 1 })),
      sleep: (s) => [`sleep ${sec(s)}`],
      forker: (n, s) => [`${Array.from({ length: n }, () => `fork { sleep ${sec(s)} }`).join('; ')}; sleep ${sec(s)}`],
      exit: (code) => [`exit ${code}`],
      spin: () => ['hog'],
    });
  });
}
