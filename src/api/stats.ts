/**
 * readStats: a group's statistics, the same shape on cgroup v1 and v2. A
 * part is there when the group spans the controller (`dirs.dirOf`) and the
 * kernel shows the controller's files in that directory (on v2: the
 * controller is enabled for the group; on v1 the cpu part needs both the cpu
 * and the cpuacct hierarchy). Missing optional files leave fields out; any
 * failure other than a missing file is thrown, and a group whose directory
 * does not exist is ENOENT.
 */
import type { CgroupFs } from '../core/fs.js';
import type { GroupDirs } from './group-dirs.js';
import { readCpuV1, readIoV1, readMemoryV1 } from './stats-v1.js';
import { readCpuV2, readIoV2, readMemoryV2, readPids, readPressure } from './stats-v2.js';
import type { CgroupStats, CpuStats, IoStats, MemoryStats } from './stats-types.js';

export type {
  CgroupStats, CpuStats, IoDeviceStats, IoStats, MemoryEvents, MemoryStat, MemoryStats, PidsStats, Pressure, PressureLine,
} from './stats-types.js';
export { cpuStatsFromV2, ioStatsFromV2, memoryStatsFromV2, pidsStatsFromTexts, pressureFromText } from './stats-v2.js';
export { cpuStatsFromV1, ioStatsFromV1, memoryStatFromV1, memoryStatsFromV1, V1_MEMORY_STAT_KEYS } from './stats-v1.js';

async function cpuPart(fs: CgroupFs, dirs: GroupDirs): Promise<CpuStats | undefined> {
  const cpu = dirs.dirOf('cpu');
  if (!cpu) return undefined;
  if (cpu.version === 2) return readCpuV2(fs, cpu.dir);
  const acct = dirs.dirOf('cpuacct');
  return acct ? readCpuV1(fs, cpu.dir, acct.dir) : undefined;
}

async function memoryPart(fs: CgroupFs, dirs: GroupDirs): Promise<MemoryStats | undefined> {
  const d = dirs.dirOf('memory');
  if (!d) return undefined;
  return d.version === 2 ? readMemoryV2(fs, d.dir) : readMemoryV1(fs, d.dir);
}

async function ioPart(fs: CgroupFs, dirs: GroupDirs): Promise<IoStats | undefined> {
  const d = dirs.dirOf('io');
  if (!d) return undefined;
  return d.version === 2 ? readIoV2(fs, d.dir) : readIoV1(fs, d.dir);
}

/** Statistics of the group `dirs`, read now (each file once, in parallel). */
export async function readStats(fs: CgroupFs, dirs: GroupDirs): Promise<CgroupStats> {
  const pidsDir = dirs.dirOf('pids');
  const [cpu, memory, pids, io, pressure] = await Promise.all([
    cpuPart(fs, dirs),
    memoryPart(fs, dirs),
    pidsDir ? readPids(fs, pidsDir.dir) : undefined,
    ioPart(fs, dirs),
    dirs.v2 ? readPressure(fs, dirs.v2.dir) : undefined,
  ]);
  const out: CgroupStats = { path: dirs.path };
  if (cpu) out.cpu = cpu;
  if (memory) out.memory = memory;
  if (pids) out.pids = pids;
  if (io) out.io = io;
  if (pressure) out.pressure = pressure;
  return out;
}
