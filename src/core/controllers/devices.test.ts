import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devices } from './devices.js';
import { Harness } from './testing.test-util.js';

describe('devices (v1, host sequences)', () => {
  it('files and the default list', () => {
    const h = new Harness(devices, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), ['devices.allow', 'devices.deny', 'devices.list']);
    assert.deepEqual(h.fileNames(h.root), h.fileNames(c));
    assert.equal(h.read(c, 'devices.list'), 'a *:* rwm\n');
    assert.throws(() => h.read(c, 'devices.allow'), { code: 'EINVAL' });
  });

  it('parses rules like the kernel', () => {
    const h = new Harness(devices, 1);
    const t = h.mkdir(h.root, 't');
    h.mkdir(t, 'c1');
    const seq: [string, string, string][] = [
      ['devices.deny', 'c 1:3 rwm', 'OK'], ['devices.deny', 'a', 'EINVAL'], ['devices.allow', 'c 1:3 r', 'OK'],
      ['devices.allow', 'c 1:* rw', 'OK'], ['devices.allow', 'b *:* m', 'OK'], ['devices.allow', 'x 1:3 r', 'EINVAL'],
      ['devices.allow', 'c 1:3 q', 'EINVAL'], ['devices.allow', 'c 1:3', 'EINVAL'], ['devices.allow', 'c 1-3 r', 'EINVAL'],
      ['devices.allow', 'c 1:3 rr', 'OK'], ['devices.allow', 'c 1:3 rwmr', 'OK'], ['devices.allow', 'a 1:3 r', 'EINVAL'],
      ['devices.allow', 'c 1:3  r', 'EINVAL'], ['devices.allow', 'c 4294967295:3 r', 'OK'], ['devices.allow', 'c 4294967296:3 r', 'EINVAL'],
      ['devices.allow', 'c 001:3 r', 'OK'], ['devices.allow', 'c  1:3 r', 'EINVAL'], ['devices.allow', 'c 1:3 r ', 'OK'],
      ['devices.allow', 'c 1:3 r extra', 'EINVAL'],
    ];
    for (const [f, w, e] of seq) assert.equal(h.tryWrite(t, f, w), e, `${f} <- '${w}'`);
    assert.equal(h.read(t, 'devices.list'), 'a *:* rwm\n', 'allow-by-default lists only "a *:* rwm"');
  });

  it('deny-by-default lists exceptions in order; parents restrict children (EPERM); denials propagate', () => {
    const h = new Harness(devices, 1);
    const t = h.mkdir(h.root, 't');
    h.write(t, 'devices.deny', 'c 1:3 rwm');
    h.write(t, 'devices.allow', 'c 1:3 rwmr');
    h.write(t, 'devices.deny', 'c 1:3 w');
    const c1 = h.mkdir(t, 'c1');
    const seq: [string, string, string, string][] = [
      ['devices.deny', 'a', 'OK', ''], ['devices.allow', 'c 1:3 r', 'OK', 'c 1:3 r\n'],
      ['devices.allow', 'b 8:* rw', 'OK', 'c 1:3 r\nb 8:* rw\n'], ['devices.allow', 'c *:* m', 'OK', 'c 1:3 r\nb 8:* rw\nc *:* m\n'],
      ['devices.allow', 'c 1:3 w', 'EPERM', 'c 1:3 r\nb 8:* rw\nc *:* m\n'],
      ['devices.allow', 'c 1:5 rwm', 'OK', 'c 1:3 r\nb 8:* rw\nc *:* m\nc 1:5 rwm\n'],
      ['devices.deny', 'c 1:3 r', 'OK', 'b 8:* rw\nc *:* m\nc 1:5 rwm\n'],
      ['devices.deny', 'c 1:5 w', 'OK', 'b 8:* rw\nc *:* m\nc 1:5 rm\n'],
      ['devices.deny', 'b *:* r', 'OK', 'b 8:* rw\nc *:* m\nc 1:5 rm\n'],
    ];
    for (const [f, w, e, list] of seq) {
      assert.equal(h.tryWrite(c1, f, w), e, `${f} <- '${w}'`);
      assert.equal(h.read(c1, 'devices.list'), list, `${f} <- '${w}'`);
    }
    const g = h.mkdir(c1, 'g');
    assert.equal(h.read(g, 'devices.list'), 'b 8:* rw\nc *:* m\nc 1:5 rm\n');
    assert.equal(h.tryWrite(g, 'devices.allow', 'c 1:5 w'), 'EPERM');
    assert.equal(h.tryWrite(g, 'devices.allow', 'c 1:7 r'), 'EPERM');
    assert.equal(h.tryWrite(g, 'devices.allow', 'a'), 'EPERM');
    assert.equal(h.tryWrite(g, 'devices.allow', 'c 1:5 rm'), 'OK');
    h.write(g, 'devices.deny', 'c 1:5 m');
    assert.equal(h.read(g, 'devices.list'), 'b 8:* rw\nc *:* m\nc 1:5 r\n');
    h.write(c1, 'devices.deny', 'b 8:* rw');
    assert.equal(h.read(g, 'devices.list'), 'c *:* m\nc 1:5 r\n', 'a parent denial removes the child exception');
    h.k.callerIsAdmin = false;
    assert.equal(h.tryWrite(g, 'devices.deny', 'c 1:5 r'), 'EPERM');
  });
});
