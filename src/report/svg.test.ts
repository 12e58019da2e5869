import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgroupError } from '../core/errors.js';
import { measuredRun, sampleRun } from './fixtures.test-util.js';
import { renderCompareSvg, renderShareSvg } from './svg.js';

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
const TEXT = /[^<]*/y;

/** Throws unless `svg` is one well-formed `<svg>` element: tags nest, text has no bare `&` or `<`. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  let pos = 0;
  let roots = 0;
  while (pos < svg.length) {
    TEXT.lastIndex = pos;
    const text = TEXT.exec(svg)?.[0] ?? '';
    assert.doesNotMatch(text, /&(?![a-zA-Z]+;|#\d+;|#x[\da-fA-F]+;)/, `bare & at ${pos}`);
    if (text.trim() !== '') assert.ok(stack.length > 0, `text outside the root at ${pos}`);
    pos += text.length;
    if (pos >= svg.length) break;
    TAG.lastIndex = pos;
    const m = TAG.exec(svg);
    assert.ok(m !== null, `not a tag at ${pos}: ${svg.slice(pos, pos + 60)}`);
    const [whole, close, name, , selfClose] = m;
    if (close === '/') assert.equal(stack.pop(), name, `mismatched </${name}> at ${pos}`);
    else if (selfClose !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name ?? '');
    } else if (stack.length === 0) roots++;
    pos += whole.length;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
}

/** The line marks: one `<path>` per drawn line. */
function lines(svg: string): string[] {
  return svg.match(/<path [^>]*aria-roledescription="line mark"[^>]*>/g) ?? [];
}

/** The texts of the chart (title, axis titles, legend labels). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

test('the share chart is one well-formed <svg> with a line per group and the groups in the legend', async () => {
  const svg = await renderShareSvg(sampleRun());
  assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
  assertWellFormed(svg);
  assert.equal(lines(svg).length, 3);
  const t = texts(svg);
  for (const g of ['/guest-a', '/guest-b', '/guest-c,batch']) assert.ok(t.includes(g), `legend lacks ${g}`);
  assert.ok(t.includes('guests-50-25-25: CPU share per group'));
  assert.ok(t.includes('time (s)'));
  assert.ok(t.includes('CPU share of the machine (%)'));
});

test('each line spans the run: from the first interval start to the last point', async () => {
  const svg = await renderShareSvg(sampleRun());
  // Step lines have one vertex per point plus the leading one, two coordinates per step.
  for (const p of lines(svg)) {
    const d = /\sd="([^"]*)"/.exec(p)?.[1] ?? '';
    const xs = [...d.matchAll(/[ML](-?[\d.]+),/g)].map((m) => Number(m[1]));
    assert.ok(Math.min(...xs) <= 0.5, `line starts at x=${Math.min(...xs)}`);
    assert.ok(xs.length >= 50, `only ${xs.length} vertices`);
  }
});

test('the title option replaces the default title', async () => {
  const svg = await renderShareSvg(sampleRun(), { title: 'Guests & limits <2 CPUs>' });
  assertWellFormed(svg);
  assert.ok(texts(svg).includes('Guests &amp; limits &lt;2 CPUs&gt;'));
});

test('group names with markup characters are escaped in the legend', async () => {
  const r = sampleRun();
  const series = r.series;
  assert.ok(series !== undefined);
  const odd = { ...series, groups: series.groups.map((g, i) => (i === 0 ? { ...g, path: '/a&b<c>' } : g)) };
  const svg = await renderShareSvg({ ...r, series: odd });
  assertWellFormed(svg);
  assert.ok(texts(svg).includes('/a&amp;b&lt;c&gt;'));
});

test('a short run is charted in milliseconds', async () => {
  const svg = await renderShareSvg(sampleRun({ durationNs: 1_000_000_000 }));
  assert.ok(texts(svg).includes('time (ms)'));
});

test('a run without a series cannot be charted: EINVAL', async () => {
  const { series: _s, ...bare } = sampleRun();
  await assert.rejects(renderShareSvg(bare), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
});

test('the comparison draws each group twice, the measurement dashed, with both runs in the legend', async () => {
  const svg = await renderCompareSvg(sampleRun(), measuredRun());
  assertWellFormed(svg);
  const all = lines(svg);
  assert.equal(all.length, 6);
  const dashed = all.filter((p) => /stroke-dasharray="6,4"/.test(p));
  assert.equal(dashed.length, 3);
  for (const p of dashed) assert.match(p, /measured/);
  const t = texts(svg);
  for (const l of ['predicted', 'measured', '/guest-a', '/guest-c,batch']) assert.ok(t.includes(l), `legend lacks ${l}`);
  assert.ok(t.includes('guests-50-25-25: predicted (sim) vs measured (host)'));
});
