import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, GROUP_COLUMNS, TASK_COLUMNS, toCsv } from './csv.js';
import { forcedIdleRun, GROUPS, sampleRun, TASKS } from './fixtures.test-util.js';

/** An RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { assert.equal(field, '', `quote inside an unquoted field at ${i}`); quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r') {
      assert.equal(text[i + 1], '\n', `bare CR at ${i}`);
      row.push(field); rows.push(row); row = []; field = ''; i += 2; continue;
    }
    assert.notEqual(c, '\n', `bare LF at ${i}`);
    field += c; i++;
  }
  assert.ok(!quoted, 'unterminated quote');
  assert.deepEqual([row, field], [[], ''], 'last record lacks its CRLF');
  return rows;
}

test('fields are quoted only when they must be, quotes doubled', () => {
  assert.equal(csvField('vcpu0'), 'vcpu0');
  assert.equal(csvField('/guest-c,batch'), '"/guest-c,batch"');
  assert.equal(csvField('job "x",1'), '"job ""x"",1"');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(24.875), '24.875');
});

test('the groups table round-trips paths with commas and keeps raw figures', () => {
  const rows = parseCsv(toCsv(sampleRun()).groups);
  assert.deepEqual(rows[0], [...GROUP_COLUMNS]);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), GROUPS.map((g) => g.path));
  assert.deepEqual(rows[3], ['/guest-c,batch', '24.8', '992000000', '3750000000', '412500000', '9', '20', '15873', '']);
  for (const r of rows) assert.equal(r.length, GROUP_COLUMNS.length);
});

test('the tasks table round-trips names with commas and quotes', () => {
  const rows = parseCsv(toCsv(sampleRun()).tasks);
  assert.deepEqual(rows[0], [...TASK_COLUMNS]);
  assert.deepEqual(rows.slice(1).map((r) => r[1]), TASKS.map((t) => t.name));
  assert.deepEqual(rows[4], ['301', 'job "x",1', '/guest-c,batch', '24.5', '980000000', '3700000000', '15800', '15100', '700', 'false', '']);
  assert.equal(rows[5]?.[9], 'true');
});

test('forced idle fills its column where a figure has it', () => {
  const { groups, tasks } = toCsv(forcedIdleRun());
  assert.equal(parseCsv(groups)[2]?.at(-1), '37000000');
  assert.equal(parseCsv(tasks)[3]?.at(-1), '37000000');
});

test('an empty run still has its header rows', () => {
  const { groups, tasks } = toCsv(sampleRun({ groups: [], tasks: [] }));
  assert.deepEqual(parseCsv(groups), [[...GROUP_COLUMNS]]);
  assert.deepEqual(parseCsv(tasks), [[...TASK_COLUMNS]]);
});
