import { SimKernel } from '../api/sim-kernel.js';
import { loadScenario, runScenario, runWithTrustCost } from './index.js';
import type { Scenario } from './index.js';
const run = (s: Scenario) => runScenario(s, new SimKernel({ layout: s.layout, cpus: s.cpus, smt: s.smt ?? 1, seed: 1 }));
const text = (trust: string) => `name: pinned
machine: { cpus: 4, smt: 2 }
duration: 1s
groups:
  /a:
  /b:
trust:
${trust}
tasks:
  - { name: ha, group: /a, program: hog, cpus: "0" }
  - { name: hb, group: /b, program: hog, cpus: "1" }
  - { name: hc, group: /b, program: hog, cpus: "2" }
`;
for (const tr of ['  ga: { tasks: [ha] }\n  gb: { tasks: [hb] }', '  ga: { tasks: [ha, hb] }', '  ga: { cgroup: /a }\n  gb: { cgroup: /b }']) {
  const r = await runWithTrustCost(loadScenario(text(tr)), run);
  console.log(tr, JSON.stringify(r.trustCost), r.tasks.map(t => [t.name, t.runtimeNs, t.forcedIdleNs]));
}
