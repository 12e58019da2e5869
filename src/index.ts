/**
 * cgkit: Linux control groups in TypeScript. The public API: the simulated
 * kernel, the host filesystem, the CgroupFs interface, errors and value
 * formats.
 */
export { SimKernel, type SimKernelOptions, type SpawnOptions, type TaskInfo, type SimLayout, type TaskStateName } from './api/sim-kernel.js';
export { HostFs, type HostFsOptions } from './host/hostfs.js';
export { detectHostLayout, detectHostLayoutSync, type HostLayout, type HostMount } from './host/layout.js';
export type { CgroupFs, CgroupStat, DirEntry } from './core/fs.js';
export { CgroupError, isErrnoLike, type Syscall } from './core/errors.js';
export { ERRNO, strerror, type ErrnoCode } from './core/errno.js';
export * from './core/format/index.js';
export { builtinLayout, CGROUP_ROOT, type LayoutSpec, type MountSpec, type LayoutKind } from './core/layout.js';
export type { ControllerDef, IfaceFile, Css, KernelServices } from './core/controller.js';
export type { KernelEvent, ReleaseEvent } from './model/kernel.js';
