import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration, parsePercent } from './units.js';

describe('scenario units', () => {
  it('durations take ns, us, µs, ms and s, with decimals that are whole ns', () => {
    assert.equal(parseDuration('10s'), 10_000_000_000);
    assert.equal(parseDuration('2.5ms'), 2_500_000);
    assert.equal(parseDuration('500us'), 500_000);
    assert.equal(parseDuration('3µs'), 3000);
    assert.equal(parseDuration('100ns'), 100);
    assert.equal(parseDuration('1.000000001s'), 1_000_000_001);
    assert.equal(parseDuration(' 7 ms '), 7_000_000);
    assert.equal(parseDuration(0), 0);
  });

  it('refuses bare numbers, unknown units, fractions of a ns and overflow', () => {
    assert.throws(() => parseDuration(10), /needs a unit/);
    assert.throws(() => parseDuration('10'), /bad duration/);
    assert.throws(() => parseDuration('10m'), /bad duration/);
    assert.throws(() => parseDuration('1.5ns'), /whole number of nanoseconds/);
    assert.throws(() => parseDuration('-1s'), /bad duration/);
    assert.throws(() => parseDuration('99999999999s'), /too large/);
  });

  it('formats durations in the largest unit', () => {
    assert.equal(formatDuration(1_500_000_000), '1.5s');
    assert.equal(formatDuration(250_000_000), '250ms');
    assert.equal(formatDuration(12_000), '12us');
    assert.equal(formatDuration(7), '7ns');
    for (const s of ['3s', '2.5ms', '40us', '9ns']) assert.equal(formatDuration(parseDuration(s)), s);
  });

  it('percentages take an optional %', () => {
    assert.equal(parsePercent('50%'), 50);
    assert.equal(parsePercent('12.5'), 12.5);
    assert.throws(() => parsePercent('half'), /bad percentage/);
  });
});
