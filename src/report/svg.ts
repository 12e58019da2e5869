/**
 * SVG line charts of CPU share over time, from a run's share series:
 * vega-lite compiled to vega and rendered headless (no canvas, no browser).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CgroupError } from '../core/errors.js';
import type { RunResult, ShareSeries } from '../scenario/result.js';
import { timeAxisUnit } from './units.js';

export interface ShareSvgOptions {
  /** Chart title; default `<scenario>: CPU share per group`. */
  readonly title?: string;
}

interface Row {
  readonly t: number;
  readonly share: number;
  readonly group: string;
  readonly source: string;
}

const WIDTH = 640;
const HEIGHT = 320;

function seriesOf(r: RunResult): ShareSeries {
  if (r.series === undefined || r.series.timesNs.length === 0) {
    throw new CgroupError('EINVAL', 'write', undefined, `run '${r.scenario}' has no share series to chart`);
  }
  return r.series;
}

function rowsOf(s: ShareSeries, divisor: number, source: string): Row[] {
  const rows: Row[] = [];
  // Each point closes an interval; a leading point at the first interval's
  // start lets the step line cover the whole run.
  const first = s.timesNs[0];
  for (const g of s.groups) {
    const v0 = g.sharePct[0];
    if (first !== undefined && v0 !== undefined && Number.isFinite(v0) && first - s.intervalNs >= 0) {
      rows.push({ t: (first - s.intervalNs) / divisor, share: v0, group: g.path, source });
    }
    s.timesNs.forEach((t, i) => {
      const share = g.sharePct[i];
      if (share !== undefined && Number.isFinite(share)) rows.push({ t: t / divisor, share, group: g.path, source });
    });
  }
  return rows;
}

/** Group paths in the order they first appear, for a stable legend and colours. */
function groupOrder(...series: ShareSeries[]): string[] {
  const seen = new Set<string>();
  for (const s of series) for (const g of s.groups) seen.add(g.path);
  return [...seen];
}

/** Solid for the prediction, dashed for the measurement. */
const DASH_BY_SOURCE = {
  field: 'source', type: 'nominal', title: 'run',
  scale: { domain: ['predicted', 'measured'], range: [[1, 0], [6, 4]] },
} as const;

function baseSpec(title: string, unit: string, rows: Row[], groups: string[], dashed: boolean): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'step-before' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: `time (${unit})` },
      y: { field: 'share', type: 'quantitative', title: 'CPU share of the machine (%)' },
      color: { field: 'group', type: 'nominal', title: 'group', scale: { domain: groups } },
      ...(dashed ? { strokeDash: DASH_BY_SOURCE } : {}),
    },
  };
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The share of each group over the run, one line per group. */
export async function renderShareSvg(r: RunResult, opts: ShareSvgOptions = {}): Promise<string> {
  const s = seriesOf(r);
  const unit = timeAxisUnit(r.durationNs);
  const title = opts.title ?? `${r.scenario}: CPU share per group`;
  return render(baseSpec(title, unit.label, rowsOf(s, unit.divisor, 'predicted'), groupOrder(s), false));
}

/**
 * A prediction and a measurement of the same scenario on one chart: one
 * colour per group, solid for `predicted`, dashed for `measured`.
 */
export async function renderCompareSvg(predicted: RunResult, measured: RunResult, opts: ShareSvgOptions = {}): Promise<string> {
  const p = seriesOf(predicted);
  const m = seriesOf(measured);
  const unit = timeAxisUnit(Math.max(predicted.durationNs, measured.durationNs));
  const rows = [...rowsOf(p, unit.divisor, 'predicted'), ...rowsOf(m, unit.divisor, 'measured')];
  const title = opts.title
    ?? `${predicted.scenario}: predicted (${predicted.backend}) vs measured (${measured.backend})`;
  return render(baseSpec(title, unit.label, rows, groupOrder(p, m), true));
}
