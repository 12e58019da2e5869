import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { perf_event } from './perf-event.js';

describe('perf_event', () => {
  it('perf_event has no files and is implicit on v2', () => {
    assert.deepEqual(perf_event.files, []);
    assert.equal(perf_event.implicitOnV2, true);
  });
});
