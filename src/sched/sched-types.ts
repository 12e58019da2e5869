/**
 * The objects of the scheduler machine (machine.ts): task groups with one
 * run queue per CPU (GroupCpu, the kernel's per-CPU cfs_rq of a task group),
 * scheduling entities that know where they are queued, tasks, and CPUs.
 */
import { SchedEntity } from './entity.js';
import type { LoadWeight } from './fair-math.js';
import { newSchedAvg, type SchedAvg } from './pelt.js';
import type { RunQueue, SchedClass } from './policy.js';
import type { BandwidthGroup } from './bandwidth-tree.js';
import type { BandwidthRq } from './bandwidth-rq.js';
import type { TaskGroupLoad } from './group-shares.js';
import type { EventId } from '../sim/engine.js';
import type { Core } from './core-sched.js';

/** A task's entity or a group's entity on one CPU. */
export class MEntity extends SchedEntity {
  readonly avg: SchedAvg;
  /** The group queue this entity is queued in (or would be): its parent's GroupCpu on its CPU. */
  parent: GroupCpu;
  /** For a group entity, the queue it stands for. */
  readonly my: GroupCpu | null;
  readonly task: SchedTask | null;

  constructor(id: number, load: LoadWeight, parent: GroupCpu, my: GroupCpu | null, task: SchedTask | null, now: number) {
    super(id, load);
    this.parent = parent;
    this.my = my;
    this.task = task;
    this.avg = newSchedAvg(now);
  }
}

/** One task group's run queue on one CPU. */
export class GroupCpu {
  rq: RunQueue;
  /** The group's entity in the parent's queue on this CPU; null for the root group. */
  se: MEntity | null = null;
  readonly avg: SchedAvg;
  /** Runnable tasks queued below this queue (not counting delayed ones or those under a throttled child). */
  hNrRunnable = 0;
  /** Scratch for the load balancer's hierarchical load. */
  hLoad = 0;
  /** Core scheduling: min_vruntime as of forced-idle sequence `fiSeq` (se_fi_update). */
  minVruntimeFi = 0;
  fiSeq = -1;

  constructor(readonly tg: TaskGroup, readonly cpu: number, rq: RunQueue, readonly parent: GroupCpu | null, now: number) {
    this.rq = rq;
    this.avg = newSchedAvg(now);
  }

  get bw(): BandwidthRq {
    return this.tg.bw.rqs[this.cpu]!;
  }

  /** This queue's own bandwidth limit has it throttled (cfs_rq->throttled). */
  get throttled(): boolean {
    return this.tg.bw.rqs[this.cpu]!.throttled;
  }
}

/** A task group: a cpu cgroup (or the root). */
export class TaskGroup {
  readonly children: TaskGroup[] = [];
  readonly cpus: GroupCpu[] = [];
  /** cpu.idle: the group's entities are SCHED_IDLE against their siblings. */
  idle = false;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly parent: TaskGroup | null,
    public policy: SchedClass,
    readonly load: TaskGroupLoad,
    readonly bw: BandwidthGroup,
  ) {
    parent?.children.push(this);
  }

  get depth(): number {
    let d = 0;
    for (let g = this.parent; g; g = g.parent) d++;
    return d;
  }
}

export type TaskState = 'sleeping' | 'runnable' | 'running' | 'dead';

/** What the scheduler records about a task; read by the owner for /proc and reports. */
export interface TaskSchedCounters {
  runtimeNs: number;
  waitNs: number;
  /** Times the task was put on a CPU (schedstat pcount). */
  timeslices: number;
  nvcsw: number;
  nivcsw: number;
  /** Migrations between CPUs. */
  migrations: number;
  /** Core scheduling: time a sibling was forced idle while this task ran (core_forceidle_sum). */
  forceIdleNs: number;
}

export class SchedTask {
  readonly se: MEntity;
  cpu: number;
  tg: TaskGroup;
  state: TaskState = 'sleeping';
  /** Sleeping, but still queued because the fair class delayed the dequeue. */
  delayed = false;
  /** Its load signal is part of its group queue's (attach_entity_load_avg has run). */
  attached = false;
  /** CPU time left in the current `run` step; the owner sets it. */
  runLeftNs = 0;
  /** Allowed CPUs (affinity ∩ cpuset); null = all. */
  allowed: readonly number[] | null = null;
  readonly counters: TaskSchedCounters = { runtimeNs: 0, waitNs: 0, timeslices: 0, nvcsw: 0, nivcsw: 0, migrations: 0, forceIdleNs: 0 };
  /** When the task last became runnable-and-waiting (for wait time). */
  waitSince = 0;
  /** When the task last started running (slice start). */
  ranSince = 0;
  /** When the task last stopped running (cache-hot test of the balancer). */
  lastRanAt = -Infinity;
  /** Program step completion event while running. */
  stepEvent: EventId | null = null;
  /** Core scheduling cookie (0: none); set through Machine.setCookie. */
  cookie = 0;
  /** When a forced-idle CPU last stole it (sched_core_balance). */
  stolenAt = -1;
  /** Siblings running at the core-wide pick that last chose it (p->core_occupation). */
  coreOccupation = 0;

  constructor(readonly id: number, readonly name: string, tg: TaskGroup, cpu: number, load: LoadWeight, now: number) {
    this.tg = tg;
    this.cpu = cpu;
    this.se = new MEntity(id, load, tg.cpus[cpu]!, null, this, now);
  }

  canRunOn(cpu: number): boolean {
    return this.allowed === null || this.allowed.includes(cpu);
  }
}

/** One CPU. */
export class Cpu {
  curr: SchedTask | null = null;
  /** Time up to which curr's runtime has been charged. */
  lastUpdate = 0;
  tickEvent: EventId | null = null;
  kickPending = false;
  /** Runnable, non-delayed tasks queued on this CPU, the running one included (the kernel's cfs_tasks). */
  readonly tasks = new Set<SchedTask>();
  nextBalance = 0;
  nrBalanceFailed = 0;
  idleNs = 0;
  idleSince = 0;
  /** Core scheduling: idle although tasks are runnable here, because a sibling runs another cookie. */
  forcedIdle = false;
  /** Time spent forced idle. */
  forcedIdleNs = 0;
  /** Siblings running at the core-wide pick that last left this CPU idle (idle->core_occupation). */
  idleOccupation = 0;
  /** The SMT core this CPU is a hardware thread of; set by the machine. */
  core!: Core;

  constructor(readonly id: number, readonly root: GroupCpu) {}

  get nrRunning(): number {
    return this.root.hNrRunnable;
  }
}
