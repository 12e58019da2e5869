/** Running scenarios on the host kernel: the backend, its worker processes, the sweep of leftovers. */
export { HostScenarioBackend, type HostBackendOptions } from './backend.js';
export { probeHostRun, findTaskset, type HostRunEnv } from './probe.js';
export { RunSubtree, RUN_NAME, runName, SHIELD_SHARES, SHIELD_WEIGHT } from './subtree.js';
export { findLeftovers, sweepLeftovers, type SweepOptions, type SweepReport } from './sweep.js';
