/**
 * Which mounted hierarchy of a layout carries a controller. Apart from
 * layout.ts because it needs the controller registry, which itself imports
 * layout.ts.
 */
import { controllerByName } from './controllers/index.js';
import type { LayoutSpec, MountSpec } from './layout.js';

/**
 * The hierarchy `controller` (either spelling: `io` or `blkio`) is bound to:
 * the v1 mount carrying it, else the v2 mount when the controller exists on
 * v2. `undefined` for an unknown controller, one the layout's kernel lacks
 * (`layout.controllers`, when given), or one no mount carries.
 */
export function mountOfController(layout: LayoutSpec, controller: string): MountSpec | undefined {
  const def = controllerByName.get(controller);
  if (!def) return undefined;
  if (layout.controllers && !layout.controllers.includes(def.name)) return undefined;
  const v1 = layout.mounts.find((m) => m.version === 1 && m.controllers.includes(def.name));
  if (v1) return v1;
  if (!def.versions.includes(2)) return undefined;
  return layout.mounts.find((m) => m.version === 2);
}
