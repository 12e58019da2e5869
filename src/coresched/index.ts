/**
 * Trust groups for core scheduling with the seed's coreschedfs semantics
 * (seed 000_*): the manager (`TrustGroups`) over any `CoreSchedKernel`, its
 * filesystem view (`CoreSchedFs`), and bindings of groups to cgroups.
 */
export { TrustGroups, type CreateGroupOptions, type GroupInfo, type TaskProperty, type TrustGroupsOptions } from './trust-groups.js';
export { CoreSchedFs, type CoreSchedFsOptions } from './coresched-fs.js';
export { normalizePath, type BindOptions } from './binding.js';
export {
  checkGroupName, DEFAULT_MOUNT, DEFAULT_PROPERTY, GROUP_FILES, parseProperty, PROPERTIES, ROOT, ROOT_CRED,
  type Cred, type ForkProperty, type GroupFile,
} from './types.js';
