import { CgroupError } from '../errors.js';

/**
 * The errors a controller's write handler returns when a value is refused.
 * The parsers themselves (kstrto*, strstrip, memparse, sscanf-style scans,
 * range lists) are core/format's: int.ts, text.ts, bytes.ts, scan.ts,
 * cpulist.ts.
 */

export function einval(detail: string): CgroupError {
  return new CgroupError('EINVAL', 'write', undefined, detail);
}

export function erange(detail: string): CgroupError {
  return new CgroupError('ERANGE', 'write', undefined, detail);
}
