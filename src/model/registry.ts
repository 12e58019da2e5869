import type { ControllerDef } from '../core/controller.js';
import { CONTROLLERS, controllerByName } from '../core/controllers/index.js';

/** The controller tables as the model uses them (one place that knows the registry's shape). */
export type AnyController = ControllerDef<unknown>;

export const ALL_CONTROLLERS: readonly AnyController[] = CONTROLLERS as readonly AnyController[];

export function ctrlDef(name: string): AnyController | undefined {
  return controllerByName.get(name) as AnyController | undefined;
}

/** The name a controller has on v1 (`blkio` for `io`). */
export function v1Name(name: string): string {
  const d = ctrlDef(name) as (AnyController & { legacyName?: string }) | undefined;
  return d?.legacyName ?? name;
}

export function isThreadedCtrl(name: string): boolean {
  return ctrlDef(name)?.threaded ?? false;
}

/** Kernel order index, for listing controllers as the kernel does. */
export function ctrlOrder(name: string): number {
  return ALL_CONTROLLERS.findIndex((c) => c.name === name);
}

export function sortCtrls(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => ctrlOrder(a) - ctrlOrder(b));
}
