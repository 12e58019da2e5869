import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatDuration, formatNumber, formatPct, formatWall, printable, timeAxisUnit } from './units.js';

test('durations read in the unit of their size, four significant digits', () => {
  assert.equal(formatDuration(0), '0 ns');
  assert.equal(formatDuration(850), '850 ns');
  assert.equal(formatDuration(12_300), '12.30 µs');
  assert.equal(formatDuration(861_250), '861.3 µs');
  assert.equal(formatDuration(12_500_000), '12.50 ms');
  assert.equal(formatDuration(412_500_000), '412.5 ms');
  assert.equal(formatDuration(1_984_000_000), '1.984 s');
  assert.equal(formatDuration(3_600_000_000_000), '3600.0 s');
});

test('a duration that rounds up to 1000 moves to the next unit', () => {
  assert.equal(formatDuration(999_960), '1.000 ms');
  assert.equal(formatDuration(999_960_000), '1.000 s');
});

test('shares, counts and plain numbers', () => {
  assert.equal(formatPct(49.6), '49.6%');
  assert.equal(formatPct(0.25), '0.25%');
  assert.equal(formatPct(0), '0.0%');
  assert.equal(formatCount(15_873), '15,873');
  assert.equal(formatCount(1_234_567), '1,234,567');
  assert.equal(formatCount(-1000), '-1,000');
  assert.equal(formatNumber(1.23456), '1.235');
  assert.equal(formatNumber(2000), '2,000');
});

test('wall time left for the progress bar', () => {
  assert.equal(formatWall(4_240), '4.2 s');
  assert.equal(formatWall(125_000), '2m05s');
  assert.equal(formatWall(Number.NaN), '?');
});

test('charts use ms for runs under 2 s, seconds otherwise', () => {
  assert.equal(timeAxisUnit(500_000_000).label, 'ms');
  assert.equal(timeAxisUnit(2_000_000_000).label, 's');
});

test('control characters from process names cannot reach the terminal', () => {
  assert.equal(printable('evil\u001b[2Jname\n'), 'evil?[2Jname?');
  assert.equal(printable('job "x",1 ± µ'), 'job "x",1 ± µ');
});
