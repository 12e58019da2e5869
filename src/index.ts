/**
 * cgkit: Linux control groups in TypeScript. The public API: the simulated
 * kernel, the host filesystem, the CgroupFs interface, errors and value
 * formats.
 */
export {
  SimKernel, type SimKernelOptions, type SpawnOptions, type TaskInfo, type SimLayout, type TaskStateName,
  type RunOptions, type SliceEvent, type TaskSchedStats,
} from './api/sim-kernel.js';
export { HostFs, type HostFsOptions } from './host/hostfs.js';
export { detectHostLayout, detectHostLayoutSync, type HostLayout, type HostMount } from './host/layout.js';
export type { CgroupFs, CgroupStat, DirEntry } from './core/fs.js';
export { CgroupError, isErrnoLike, type Syscall } from './core/errors.js';
export { ERRNO, strerror, type ErrnoCode } from './core/errno.js';
export * from './core/format/index.js';
export { builtinLayout, CGROUP_ROOT, type LayoutSpec, type MountSpec, type LayoutKind } from './core/layout.js';
export type { ControllerDef, IfaceFile, Css, KernelServices } from './core/controller.js';
export type { KernelEvent, ReleaseEvent } from './model/kernel.js';
export type { SchedClass, RunQueue, RunQueueContext, EnqueueOpts, DequeueOpts } from './sched/policy.js';
export { SchedEntity } from './sched/entity.js';
export { fairClass, FairRq } from './sched/fair-class.js';
export { fifoClass, rrClass, ListRq, RR_TIMESLICE_NS } from './sched/list-class.js';
export { SCHED_CLASSES, type SchedClassName } from './sched/classes.js';
export { loadOfWeight, loadOfNice, type LoadWeight } from './sched/fair-math.js';
export { hog, validateProgram, ProgramError, type Program, type Step } from './sim/program.js';
export { parseProgram, formatProgram } from './sim/program-text.js';
export { importRtApp } from './sim/rtapp.js';
export { TraceRecorder, type TraceRecord } from './sim/trace.js';
export { Cgroup, asCgroupKernel, type AnyKernel, type CreateOptions, type DeleteOptions, type GroupOptions, type ExecInGroupOptions } from './api/cgroup.js';
export { DEFAULT_CONTROLLERS, type GroupDir } from './api/group-dirs.js';
export { SimCgroupKernel, simCgroupKernel } from './api/sim-backend.js';
export { HostKernel, type HostKernelOptions, type HostReport, type HierarchyReport } from './host/kernel.js';
export type { CgroupKernel, ExecHandle, ExecOptions, ExitStatus, KernelFeatures } from './core/backend.js';
export { translateWrite, type Settings, type SettingKey, type SettingTypes, type CpuMax } from './api/settings.js';
export type { CgroupStats, CpuStats, MemoryStats, PidsStats, IoStats, Pressure } from './api/stats.js';
export type { CgroupEvent, WatchEventsOptions, CgroupEventStream } from './api/events.js';
export { TrustGroups, CoreSchedFs, PROPERTIES, type GroupInfo, type TrustGroupsOptions, type CreateGroupOptions, type CoreSchedFsOptions } from './coresched/index.js';
export type { CoreSchedKernel, CoreSchedEvent, CoreSchedTask, CookieScope } from './core/coresched.js';
export { SimCoreSchedKernel } from './api/sim-coresched.js';
export { openHostCoreSched, HostCoreSchedKernel } from './host/coresched-kernel.js';
