/**
 * What running scenarios on the host kernel is built from: the run's
 * subtree, its worker processes, the sweep of leftovers. The scenario
 * backend itself is scenario/host-backend.ts (it implements a scenario-layer
 * interface, so it lives there).
 */
export { probeHostRun, findTaskset, type HostRunEnv } from './probe.js';
export { RunSubtree, RUN_NAME, runName, SHIELD_SHARES, SHIELD_WEIGHT } from './subtree.js';
export { findLeftovers, sweepLeftovers, type SweepOptions, type SweepReport } from './sweep.js';
