import { defineController, defineFile, type Css } from '../controller.js';
import { CgroupError } from '../errors.js';
import { parseInt64 } from '../format/int.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * pids (kernel/cgroup/pids.c): counts tasks (threads) per group and refuses
 * fork() past pids.max with EAGAIN. The root is never charged and has no
 * files. A task is charged at can_fork and uncharged at release (a zombie
 * keeps its charge until reaped); migration moves the charge and is never
 * refused, so pids.current may exceed pids.max.
 */

/** PID_MAX_LIMIT + 1 on 64-bit (4 * 1024 * 1024 + 1). */
export const PIDS_MAX = 4194305;

export interface PidsState {
  /** 'max' or 0..PIDS_MAX-1. */
  limit: 'max' | number;
  counter: number;
  /** pids.peak: highest counter seen. */
  watermark: number;
  /** Hierarchical count of limit hits at this group or below (v2 pids.events). */
  eventsMax: number;
  /** Limit hits at this group itself (v2 pids.events.local). */
  eventsMaxLocal: number;
  /** Forks that failed in this group, whichever group's limit refused them (v1 pids.events). */
  eventsForkFail: number;
}

type C = Css<PidsState>;

const limitOf = (s: PidsState): number => (s.limit === 'max' ? PIDS_MAX : s.limit);

/** pids_charge(): unconditional, every level below the root. */
export function pidsCharge(css: C, n: number): void {
  for (let p: C | null = css; p?.parent; p = p.parent) {
    p.state.counter += n;
    if (p.state.counter > p.state.watermark) p.state.watermark = p.state.counter;
  }
}

export function pidsUncharge(css: C, n: number): void {
  for (let p: C | null = css; p?.parent; p = p.parent) p.state.counter -= n;
}

/**
 * pids_try_charge(): charge level by level from `css` up; the first level
 * that would pass its limit undoes the charge. Levels below it keep the
 * watermark they reached, as in the kernel.
 */
export function pidsTryCharge(css: C, n: number): C | undefined {
  const done: C[] = [];
  for (let p: C | null = css; p?.parent; p = p.parent) {
    const next = p.state.counter + n;
    if (next > limitOf(p.state)) {
      for (const q of done) q.state.counter -= n;
      return p;
    }
    p.state.counter = next;
    if (next > p.state.watermark) p.state.watermark = next;
    done.push(p);
  }
  return undefined;
}

/** pids_event(): the forking group counts a failure, the limiting group and its ancestors (below the root) a max event. */
function pidsEvent(forking: C, overLimit: C): void {
  forking.state.eventsForkFail++;
  if (forking.cgroup.version === 1) return;
  overLimit.state.eventsMaxLocal++;
  for (let p: C | null = overLimit; p?.parent; p = p.parent) p.state.eventsMax++;
}

export const pids = defineController<PidsState>({
  name: 'pids',
  versions: [1, 2],
  threaded: true,
  depth: 'full',
  summary: 'Number of tasks: fork() fails with EAGAIN past pids.max',
  create: () => ({ limit: 'max', counter: 0, watermark: 0, eventsMax: 0, eventsMaxLocal: 0, eventsForkFail: 0 }),
  canFork: (css) => {
    const over = pidsTryCharge(css, 1);
    if (over) {
      pidsEvent(css, over);
      throw new CgroupError('EAGAIN', 'fork', undefined, `pids.max of ${over.cgroup.path} reached`);
    }
  },
  cancelFork: (css) => pidsUncharge(css, 1),
  release: (css) => pidsUncharge(css, 1),
  attach: (dst, src, set) => {
    for (let i = 0; i < set.tasks.length; i++) {
      pidsCharge(dst, 1);
      pidsUncharge(src, 1);
    }
  },
  files: [
    defineFile<PidsState, 'max' | number>({
      name: 'pids.max',
      versions: [1, 2],
      where: 'nonRoot',
      read: (css) => `${css.state.limit}\n`,
      parse: (t) => {
        const s = strstrip(t);
        if (s === 'max') return 'max';
        const v = parseInt64(s, { strip: false });
        if (v < 0n || v >= BigInt(PIDS_MAX)) throw einval(`pids.max is max or 0..${PIDS_MAX - 1}`);
        return Number(v);
      },
      apply: (css, v) => {
        css.state.limit = v;
      },
    }),
    defineFile<PidsState, never>({ name: 'pids.current', versions: [1, 2], where: 'nonRoot', read: (css) => `${css.state.counter}\n` }),
    defineFile<PidsState, never>({ name: 'pids.peak', versions: [1, 2], where: 'nonRoot', read: (css) => `${css.state.watermark}\n` }),
    defineFile<PidsState, never>({
      name: 'pids.events',
      versions: [1, 2],
      where: 'nonRoot',
      read: (css) => `max ${css.cgroup.version === 1 ? css.state.eventsForkFail : css.state.eventsMax}\n`,
    }),
    defineFile<PidsState, never>({
      name: 'pids.events.local',
      versions: [2],
      where: 'nonRoot',
      read: (css) => `max ${css.state.eventsMaxLocal}\n`,
    }),
  ],
});
