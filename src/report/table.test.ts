import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forcedIdleRun, sampleRun } from './fixtures.test-util.js';
import { formatTable } from './table.js';

/** The cells of the table row whose first cell (or second, for tasks) is `key`. */
function row(text: string, key: string): string[] {
  for (const line of text.split('\n')) {
    const cells = line.split('│').slice(1, -1).map((c) => c.trim());
    if (cells[0] === key || cells[1] === key) return cells;
  }
  assert.fail(`no row ${key} in\n${text}`);
}

/** The cells of a table's header row that contains `first`. */
function head(text: string, first: string): string[] {
  return row(text, first);
}

test('the header line names scenario, backend, CPUs, duration and seed', () => {
  const first = formatTable(sampleRun()).split('\n')[0] ?? '';
  assert.match(first, /guests-50-25-25/);
  assert.match(first, /simulated kernel/);
  assert.match(first, /2 CPUs/);
  assert.match(first, /2\.000 s simulated/);
  assert.match(first, /seed 42/);
  const { seed: _seed, ...unseeded } = sampleRun({ backend: 'host', cpus: 1 });
  const host = formatTable(unseeded).split('\n')[0] ?? '';
  assert.match(host, /host kernel · 1 CPU · 2\.000 s measured$/);
});

test('a group row shows share, runtime, wait, throttling and switches in human units', () => {
  const text = formatTable(sampleRun());
  assert.deepEqual(row(text, '/guest-c,batch'), ['/guest-c,batch', '24.8%', '992.0 ms', '3.750 s', '412.5 ms (9/20)', '15,873']);
  assert.deepEqual(row(text, '/guest-a'), ['/guest-a', '49.6%', '1.984 s', '12.50 ms', '-', '1,240']);
  assert.equal(row(text, '/guest-b')[3], '861.3 µs');
});

test('a task row shows pid, name, group, share, times, timeslices and vol/invol switches', () => {
  const text = formatTable(sampleRun());
  assert.deepEqual(row(text, 'job "x",1'), ['301', 'job "x",1', '/guest-c,batch', '24.5%', '980.0 ms', '3.700 s', '15,800', '15,100/700']);
  assert.equal(row(text, 'logger (exited)')[3], '0.30%');
});

test('forced idle has a column only when some figure has it', () => {
  const without = formatTable(sampleRun());
  assert.doesNotMatch(without, /forced idle/);
  const withIt = formatTable(forcedIdleRun());
  assert.equal(head(withIt, 'group').at(-1), 'forced idle');
  assert.equal(head(withIt, 'pid').at(-1), 'forced idle');
  assert.equal(row(withIt, '/guest-b').at(-1), '37.00 ms');
  assert.equal(row(withIt, '/guest-a').at(-1), '-');
  assert.equal(row(withIt, 'guest-b init').at(-1), '37.00 ms');
});

test('expectations: ✓ for met, ✗ for the failing one with its actual value and line', () => {
  const lines = formatTable(sampleRun()).split('\n');
  assert.ok(lines.includes('Expectations: 2 of 3 met'));
  const failing = lines.find((l) => l.includes('throttled of /guest-c,batch'));
  assert.ok(failing !== undefined);
  assert.match(failing, /^ {2}✗ /);
  assert.match(failing, /actual 412\.5 ms/);
  assert.match(failing, /line 16$/);
  const met = lines.find((l) => l.includes('share of /guest-a'));
  assert.match(met ?? '', /^ {2}✓ .*actual 49\.6% .*line 14$/);
});

test('no expectations block when the scenario has none', () => {
  assert.doesNotMatch(formatTable(sampleRun({ expectations: [] })), /Expectations/);
  const { expectations: _e, ...rest } = sampleRun();
  assert.doesNotMatch(formatTable(rest), /Expectations|✓|✗/);
});

test('colour only when asked, and the layout stays aligned with it', () => {
  const plain = formatTable(sampleRun());
  const color = formatTable(sampleRun(), { color: true });
  const ESC = '\u001b';
  assert.ok(!plain.includes(ESC));
  assert.ok(color.includes(`${ESC}[31m✗${ESC}[39m`));
  assert.ok(color.includes(`${ESC}[32m✓${ESC}[39m`));
  const stripped = color.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
  assert.equal(stripped, plain);
});

test('a name with terminal escapes is printed harmlessly', () => {
  const r = sampleRun({ tasks: [{ pid: 7, name: 'x\u001b]0;pwned\u0007', group: '/', runtimeNs: 0,
    sharePct: 0, waitNs: 0, timeslices: 0, nvcsw: 0, nivcsw: 0, exited: false }] });
  const text = formatTable(r);
  assert.ok(!text.includes('\u001b') && !text.includes('\u0007'));
  assert.deepEqual(row(text, 'x?]0;pwned?').slice(0, 2), ['7', 'x?]0;pwned?']);
});
