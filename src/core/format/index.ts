export * from './int.js';
export * from './max.js';
export * from './keyed.js';
export * from './cpulist.js';
export * from './bytes.js';
export * from './psi.js';
export * from './lists.js';
