import { ALL_CONTROLLER_DEFS, controllerByName, controllerId, type AnyControllerDef } from '../core/controllers/index.js';

/** The controller tables as the model uses them: the registry's own lookups, under the model's names. */
export type AnyController = AnyControllerDef;

export const ALL_CONTROLLERS: readonly AnyController[] = ALL_CONTROLLER_DEFS;

export function ctrlDef(name: string): AnyController | undefined {
  return controllerByName.get(name);
}

export { v1Name } from '../core/controllers/index.js';

export function isThreadedCtrl(name: string): boolean {
  return ctrlDef(name)?.threaded ?? false;
}

/** Controller names in the kernel's order, as cgroup.controllers lists them. */
export function sortCtrls(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => controllerId(a) - controllerId(b));
}
