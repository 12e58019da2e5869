import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pids } from './pids.js';
import { errnoOf, Harness, task } from './testing.test-util.js';

describe('pids', () => {
  it('v1 files and literals as on the host; root has none', () => {
    const h = new Harness(pids, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(h.root), []);
    assert.deepEqual(h.fileNames(c), ['pids.current', 'pids.events', 'pids.max', 'pids.peak']);
    assert.equal(h.read(c, 'pids.current'), '0\n');
    assert.equal(h.read(c, 'pids.events'), 'max 0\n');
    assert.equal(h.read(c, 'pids.max'), 'max\n');
    assert.equal(h.read(c, 'pids.peak'), '0\n');
  });

  it('pids.max parsing (host errnos)', () => {
    const h = new Harness(pids, 1);
    const c = h.mkdir(h.root, 'c');
    const cases: [string, string, string?][] = [
      ['4194304', 'OK', '4194304\n'], ['4194305', 'EINVAL'], ['-1', 'EINVAL'], ['0', 'OK', '0\n'],
      [' max', 'OK', 'max\n'], ['max ', 'OK', 'max\n'], ['MAX', 'EINVAL'], ['0x10', 'OK', '16\n'],
      [' 5', 'OK', '5\n'], ['5 ', 'OK', '5\n'], ['99999999999999999999', 'ERANGE'], ['max\n', 'OK', 'max\n'],
      // measured on 6.18: U+00A0 is not blank, overflow beats trailing garbage, no sign after a sign
      ['7', 'OK', '7\n'], ['5\u00a0', 'EINVAL'], ['\u00a05', 'EINVAL'], ['99999999999999999999x', 'ERANGE'], ['-+3', 'EINVAL'],
      ['+3\n', 'OK', '3\n'],
    ];
    for (const [w, e, r] of cases) {
      assert.equal(h.tryWrite(c, 'pids.max', w), e, w);
      if (r) assert.equal(h.read(c, 'pids.max'), r, w);
    }
    for (const f of ['pids.current', 'pids.events', 'pids.peak']) assert.equal(h.tryWrite(c, f, '0'), 'EINVAL');
  });

  it('reproduces the host run: migration charges, a refused fork, v1 events on the forking group', () => {
    const h = new Harness(pids, 1);
    const t = h.mkdir(h.root, 't');
    const c1 = h.mkdir(t, 'c1');
    h.write(t, 'pids.max', '1');
    const sleeper = h.fork(h.root);
    const shell = h.fork(h.root);
    h.move(c1, [sleeper]);
    assert.equal(h.read(t, 'pids.current'), '1\n');
    h.move(c1, [shell]);
    assert.equal(h.read(t, 'pids.current'), '2\n', 'migration is never refused');
    assert.equal(errnoOf(() => h.fork(c1)), 'EAGAIN');
    assert.equal(h.read(t, 'pids.events'), 'max 0\n');
    assert.equal(h.read(c1, 'pids.events'), 'max 1\n');
    assert.equal(h.read(t, 'pids.current'), '2\n');
    assert.equal(h.read(c1, 'pids.peak'), '3\n', 'the level below the limit keeps its transient peak');
    assert.equal(h.read(t, 'pids.peak'), '2\n');
    h.move(h.root, [sleeper, shell]);
    assert.equal(h.read(t, 'pids.current'), '0\n');
  });

  it('v2: events counted on the limiting group and its ancestors, events.local only there', () => {
    const h = new Harness(pids, 2);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(a, 'b');
    const c = h.mkdir(b, 'c');
    h.write(b, 'pids.max', '2');
    h.fork(c);
    h.fork(c);
    assert.equal(errnoOf(() => h.fork(c)), 'EAGAIN');
    assert.equal(h.read(a, 'pids.events'), 'max 1\n');
    assert.equal(h.read(b, 'pids.events'), 'max 1\n');
    assert.equal(h.read(c, 'pids.events'), 'max 0\n');
    assert.equal(h.read(b, 'pids.events.local'), 'max 1\n');
    assert.equal(h.read(a, 'pids.events.local'), 'max 0\n');
    assert.equal(h.read(a, 'pids.current'), '2\n');
  });

  it('uncharges at release, and lowering the limit is allowed', () => {
    const h = new Harness(pids, 2);
    const c = h.mkdir(h.root, 'c');
    const ts = [h.fork(c, task()), h.fork(c, task()), h.fork(c, task())];
    h.write(c, 'pids.max', '1');
    assert.equal(h.read(c, 'pids.current'), '3\n');
    h.exit(ts[0]!);
    assert.equal(h.read(c, 'pids.current'), '2\n');
    assert.equal(h.read(c, 'pids.peak'), '3\n');
  });
});
