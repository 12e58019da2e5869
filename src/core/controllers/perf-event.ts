import { defineController } from '../controller.js';

/**
 * perf_event (kernel/events/core.c): lets perf monitor a group's tasks. It
 * has no interface files; on v2 it is always on and never listed in
 * cgroup.controllers.
 */
export type PerfEventState = Record<string, never>;

export const perf_event = defineController<PerfEventState>({
  name: 'perf_event',
  versions: [1, 2],
  threaded: true,
  implicitOnV2: true,
  depth: 'bookkeeping',
  summary: 'Group perf events by cgroup (no interface files)',
  create: () => ({}),
  files: [],
});
