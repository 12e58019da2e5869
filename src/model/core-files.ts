import type { Cgroup } from './cgroup.js';
import type { CoreFile } from './files.js';
import { V1_CORE_FILES } from './files-v1.js';
import { V2_CORE_FILES } from './files-v2.js';

export function coreFilesOf(cg: Cgroup): readonly CoreFile[] {
  return cg.version === 2 ? V2_CORE_FILES : V1_CORE_FILES;
}
