/**
 * The reports of a scenario run, each a pure function of its RunResult:
 * terminal tables, SVG charts of CPU share, a Chrome/Perfetto trace, CSV and
 * JSON; plus the progress bar a long run shows on a terminal.
 */
export { formatTable, headerLine, formatActual, type TableOptions } from './table.js';
export { renderShareSvg, renderCompareSvg, type ShareSvgOptions } from './svg.js';
export {
  toChromeTrace, cpuTid, CPUS_PID, SHARES_PID, SHARE_COUNTER,
  type ChromeTrace, type ChromeTraceEvent,
} from './chrome-trace.js';
export { toCsv, csvField, GROUP_COLUMNS, TASK_COLUMNS, type RunCsv } from './csv.js';
export { toJson } from './json.js';
export { createProgress, DEFAULT_MIN_WALL_MS, type Progress, type ProgressOptions } from './progress.js';
export { formatDuration, formatPct, formatCount, formatNumber, formatWall, printable } from './units.js';
export { formatCompareTable, type CompareTableOptions } from './compare-table.js';
