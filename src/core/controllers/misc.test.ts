import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { misc } from './misc.js';
import { Harness } from './testing.test-util.js';

describe('misc (no capacity)', () => {
  it('misc lists no resource and refuses limits', () => {
    const h = new Harness(misc, 2);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(h.root), ['misc.capacity', 'misc.current', 'misc.peak']);
    assert.deepEqual(h.fileNames(c), ['misc.current', 'misc.events', 'misc.events.local', 'misc.max', 'misc.peak']);
    for (const f of h.fileNames(c)) assert.equal(h.read(c, f), '', f);
    assert.equal(h.tryWrite(c, 'misc.max', 'sev 4'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'misc.max', 'foo 4'), 'EINVAL');
  });
});
