import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freezer, FREEZER_KEY } from './freezer.js';
import { Harness, task } from './testing.test-util.js';

describe('freezer (v1)', () => {
  it('files and literals as on the host; the root has none', () => {
    const h = new Harness(freezer, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(h.root), []);
    assert.deepEqual(h.fileNames(c), ['freezer.parent_freezing', 'freezer.self_freezing', 'freezer.state']);
    assert.equal(h.read(c, 'freezer.state'), 'THAWED\n');
    assert.equal(h.read(c, 'freezer.self_freezing'), '0\n');
    assert.equal(h.read(c, 'freezer.parent_freezing'), '0\n');
  });

  it('accepts only FROZEN and THAWED (stripped), like the host', () => {
    const h = new Harness(freezer, 1);
    const c = h.mkdir(h.root, 'c');
    for (const [w, e] of [['FREEZING', 'EINVAL'], ['frozen', 'EINVAL'], [' FROZEN', 'OK'], ['FROZEN ', 'OK'], ['THAWED\n', 'OK'],
      ['THAWED\u00a0', 'EINVAL'], ['THAWED \n', 'OK']] as const) { // measured on 6.18: U+00A0 is not blank
      assert.equal(h.tryWrite(c, 'freezer.state', w), e, w);
    }
    assert.equal(h.tryWrite(c, 'freezer.self_freezing', '1'), 'EINVAL');
  });

  it('freezing is hierarchical: the host sequence', () => {
    const h = new Harness(freezer, 1);
    const t = h.mkdir(h.root, 't');
    const c1 = h.mkdir(t, 'c1');
    h.write(t, 'freezer.state', 'FROZEN');
    assert.equal(h.read(t, 'freezer.self_freezing'), '1\n');
    assert.equal(h.read(t, 'freezer.parent_freezing'), '0\n');
    assert.equal(h.read(c1, 'freezer.state'), 'FROZEN\n');
    assert.equal(h.read(c1, 'freezer.self_freezing'), '0\n');
    assert.equal(h.read(c1, 'freezer.parent_freezing'), '1\n');
    h.write(c1, 'freezer.state', 'THAWED');
    assert.equal(h.read(c1, 'freezer.state'), 'FROZEN\n', 'a parent still freezes it');
    h.write(c1, 'freezer.state', 'FROZEN');
    h.write(t, 'freezer.state', 'THAWED');
    assert.equal(h.read(c1, 'freezer.state'), 'FROZEN\n');
    assert.equal(h.read(c1, 'freezer.parent_freezing'), '0\n');
    assert.equal(h.read(c1, 'freezer.self_freezing'), '1\n');
    h.write(c1, 'freezer.state', 'THAWED');
    assert.equal(h.read(c1, 'freezer.state'), 'THAWED\n');
  });

  it('freezes tasks, new children, forks and arrivals; thaws departures', () => {
    const h = new Harness(freezer, 1);
    const t = h.mkdir(h.root, 't');
    const c1 = h.mkdir(t, 'c1');
    const p = h.fork(c1, task());
    h.write(t, 'freezer.state', 'FROZEN');
    assert.ok(h.k.isFrozen(p.tid));
    const g = h.mkdir(c1, 'g');
    assert.equal(h.read(g, 'freezer.state'), 'FROZEN\n');
    const child = h.fork(c1, task());
    assert.ok(h.k.isFrozen(child.tid));
    const outsider = h.fork(h.root, task());
    assert.ok(!h.k.isFrozen(outsider.tid));
    h.move(g, [outsider]);
    assert.ok(h.k.isFrozen(outsider.tid));
    h.move(h.root, [p]);
    assert.ok(!h.k.isFrozen(p.tid));
    h.write(t, 'freezer.state', 'THAWED');
    assert.ok(!h.k.isFrozen(child.tid) && !h.k.isFrozen(outsider.tid));
    assert.equal(h.k.frozen.get(FREEZER_KEY)?.size, 0);
  });

  it('reads FREEZING while a task of the subtree is not frozen', () => {
    const h = new Harness(freezer, 1);
    const c = h.mkdir(h.root, 'c');
    const p = h.fork(c, task());
    h.write(c, 'freezer.state', 'FROZEN');
    h.k.setFrozenBy(FREEZER_KEY, [p.tid], false);
    assert.equal(h.read(c, 'freezer.state'), 'FREEZING\n');
  });
});
