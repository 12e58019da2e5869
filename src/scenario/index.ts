/** Scenarios: YAML descriptions of a machine, a cgroup tree, tasks, a timeline and expectations. */
export type { BackendSlice, BackendSpawn, BackendTaskStat, ScenarioBackend } from './backend.js';
export { ScenarioError } from './errors.js';
export { parseExpectation, type Expectation } from './expect.js';
export { loadScenario, loadScenarioFile, type LoadOptions } from './load.js';
export type * from './result.js';
export { runScenario, type RunOptions } from './run.js';
export type { Scenario, ScenarioLayout, GroupPolicy, TaskSpec, TimedAction } from './types.js';
export { formatDuration, parseDuration } from './units.js';
export { runWithTrustCost, trustCost, withoutTrust, type GroupCost, type TrustCost } from './trust-cost.js';
