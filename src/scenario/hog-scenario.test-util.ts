/** The scenario most tests start from: one CPU, a hog at the root against hogs in /guest. */

export interface HogScenario {
  name: string;
  /** As the YAML writes it: `10s`, `500ms`. */
  duration: string;
  /** Hogs in /guest (one when not given); they are named guest-1, guest-2, … when more than one. */
  guests?: number;
  /** The `expect:` lines, e.g. `share of /guest: 50% ± 1`. */
  expect: readonly string[];
}

/**
 * The YAML text: `machine`, `duration`, `/guest` (cpu.weight 100, line 5),
 * task `host` at the root, task `guest` in /guest, then the expectations
 * from line 10 on.
 */
export function hogScenario(o: HogScenario): string {
  return `name: ${o.name}
machine: { cpus: 1 }
duration: ${o.duration}
groups:
  /guest: { cpu.weight: 100 }
tasks:
  - { name: host, group: /, program: hog }
  - { name: guest, group: /guest, program: hog${o.guests === undefined ? '' : `, count: ${o.guests}`} }
expect:
${o.expect.map((e) => `  - ${e}\n`).join('')}`;
}
