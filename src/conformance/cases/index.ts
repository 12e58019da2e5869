import type { Case } from '../case.js';
import { v1Core } from './v1-core.js';
import { v1Cpu } from './v1-cpu.js';
import { v1Cpuset } from './v1-cpuset.js';
import { v1Resources } from './v1-resources.js';
import { v2Controllers } from './v2-controllers.js';
import { v2Delegation } from './v2-delegation.js';
import { v2Files } from './v2-files.js';
import { v2FreezeKill } from './v2-freeze-kill.js';
import { v2Limits } from './v2-limits.js';
import { v2Tasks } from './v2-tasks.js';
import { v2Threaded } from './v2-threaded.js';

/** Every conformance case, in the order they run. */
export const CASES: readonly Case[] = [
  ...v2Files, ...v2Controllers, ...v2Threaded, ...v2Limits, ...v2Tasks, ...v2FreezeKill, ...v2Delegation,
  ...v1Core, ...v1Cpu, ...v1Cpuset, ...v1Resources,
];

const ids = new Set<string>();
for (const c of CASES) {
  if (ids.has(c.id)) throw new Error(`duplicate conformance case id ${c.id}`);
  ids.add(c.id);
}
