import { defineController, defineFile, type Css, type KernelServices, type TaskView } from '../controller.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * The v1 freezer (kernel/cgroup/legacy_freezer.c). A group freezes when it
 * asked to (self) or an ancestor did (parent); freezing is hierarchical and
 * in the simulated kernel instant. freezer.state reads FROZEN once every
 * task of the subtree is frozen, FREEZING before that, THAWED otherwise.
 * The root has no freezer files. Tasks are frozen through
 * `k.setFrozenBy(FREEZER_KEY, ...)`.
 */
export const FREEZER_KEY = 'v1freezer';

export interface FreezerState {
  self: boolean;
  parent: boolean;
}

type C = Css<FreezerState>;

const freezing = (s: FreezerState): boolean => s.self || s.parent;

function descendantsPre(css: C): C[] {
  return [css, ...css.children().flatMap((c) => descendantsPre(c))];
}

function tids(tasks: readonly TaskView[]): number[] {
  return tasks.filter((t) => !t.kernelThread).map((t) => t.tid);
}

/** freezer_change_state(): apply to the group, then to every descendant from its parent's state. */
function changeState(css: C, freeze: boolean, k: KernelServices): void {
  for (const pos of descendantsPre(css)) {
    if (pos === css) pos.state.self = freeze;
    else pos.state.parent = freezing(pos.parent!.state);
    k.setFrozenBy(FREEZER_KEY, tids(pos.cgroup.threads()), freezing(pos.state));
  }
}

/** Effective state as freezer.state reads it. */
export function freezerState(css: C, k: KernelServices): 'THAWED' | 'FREEZING' | 'FROZEN' {
  if (!freezing(css.state)) return 'THAWED';
  const all = css.cgroup.subtreeThreads().filter((t) => !t.kernelThread);
  return all.every((t) => k.isFrozen(t.tid)) ? 'FROZEN' : 'FREEZING';
}

export const freezer = defineController<FreezerState>({
  name: 'freezer',
  versions: [1],
  threaded: false,
  depth: 'full',
  summary: 'Freeze and thaw the tasks of a group and its descendants (v1; v2 has cgroup.freeze)',
  create: (parent) => ({ self: false, parent: parent !== null && freezing(parent.state) }),
  fork: (css, t, k) => {
    if (css.parent && freezing(css.state) && !t.kernelThread) k.setFrozenBy(FREEZER_KEY, [t.tid], true);
  },
  attach: (dst, _src, set, k) => {
    k.setFrozenBy(FREEZER_KEY, tids(set.tasks), freezing(dst.state));
  },
  files: [
    defineFile<FreezerState, boolean>({
      name: 'freezer.state',
      versions: [1],
      where: 'nonRoot',
      read: (css, k) => `${freezerState(css, k)}\n`,
      parse: (t) => {
        const s = strstrip(t);
        if (s === 'THAWED') return false;
        if (s === 'FROZEN') return true;
        throw einval('freezer.state takes FROZEN or THAWED');
      },
      apply: (css, v, k) => changeState(css, v, k),
    }),
    defineFile<FreezerState, never>({
      name: 'freezer.self_freezing',
      versions: [1],
      where: 'nonRoot',
      read: (css) => `${css.state.self ? 1 : 0}\n`,
    }),
    defineFile<FreezerState, never>({
      name: 'freezer.parent_freezing',
      versions: [1],
      where: 'nonRoot',
      read: (css) => `${css.state.parent ? 1 : 0}\n`,
    }),
  ],
});
