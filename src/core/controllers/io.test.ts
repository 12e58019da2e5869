import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { io, ioAccount } from './io.js';
import { Harness } from './testing.test-util.js';

describe('io as blkio (v1, host literals; devices 253:0 and 254:0)', () => {
  it('lists the host files; a new child reads as on the host', () => {
    const h = new Harness(io, 1);
    const c = h.mkdir(h.root, 'c');
    assert.equal(io.legacyName, 'blkio');
    assert.deepEqual(h.fileNames(c), [
      'blkio.bfq.io_service_bytes', 'blkio.bfq.io_service_bytes_recursive', 'blkio.bfq.io_serviced', 'blkio.bfq.io_serviced_recursive',
      'blkio.bfq.weight', 'blkio.bfq.weight_device', 'blkio.reset_stats', 'blkio.throttle.io_service_bytes',
      'blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_serviced', 'blkio.throttle.io_serviced_recursive',
      'blkio.throttle.read_bps_device', 'blkio.throttle.read_iops_device', 'blkio.throttle.write_bps_device',
      'blkio.throttle.write_iops_device',
    ]);
    assert.deepEqual(h.fileNames(h.root), h.fileNames(c).filter((f) => !f.startsWith('blkio.bfq.weight')));
    for (const f of ['blkio.bfq.io_service_bytes', 'blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced_recursive']) {
      assert.equal(h.read(c, f), 'Total 0\n', f);
    }
    assert.equal(h.read(c, 'blkio.bfq.weight'), '100\n');
    assert.equal(h.read(c, 'blkio.bfq.weight_device'), 'default 100\n');
    assert.equal(h.read(c, 'blkio.throttle.read_bps_device'), '');
    assert.throws(() => h.read(c, 'blkio.reset_stats'), { code: 'EINVAL' });
  });

  it('BFQ weights (host errnos)', () => {
    const h = new Harness(io, 1);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string, string?][] = [
      ['blkio.bfq.weight', '0', 'ERANGE'], ['blkio.bfq.weight', '1', 'OK', '1\n'], ['blkio.bfq.weight', '1000', 'OK'],
      ['blkio.bfq.weight', '1001', 'ERANGE'], ['blkio.bfq.weight', '-1', 'EINVAL'], ['blkio.bfq.weight', 'abc', 'EINVAL'],
      ['blkio.bfq.weight', ' 200', 'EINVAL'], ['blkio.bfq.weight', 'default 300', 'EINVAL'],
      ['blkio.bfq.weight_device', '200', 'OK', 'default 200\n'], ['blkio.bfq.weight_device', 'default 250', 'OK', 'default 250\n'],
      ['blkio.bfq.weight_device', 'default 0', 'ERANGE'], ['blkio.bfq.weight_device', 'default 1001', 'ERANGE'],
      ['blkio.bfq.weight_device', '254:0 300', 'ENOTSUP'], ['blkio.bfq.weight_device', '254:0 default', 'ENOTSUP'],
      ['blkio.bfq.weight_device', '1:2 300', 'ENODEV'],
    ];
    for (const [f, w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, `${f} <- ${w}`);
      if (r) assert.equal(h.read(c, f), r, f);
    }
    assert.equal(h.read(c, 'blkio.bfq.weight'), '250\n', 'weight_device default and bfq.weight are one value');
  });

  it('MAJ:MIN is sscanf("%u:%u") then a blank; values are sscanf("%llu") (measured on 6.18)', () => {
    const h = new Harness(io, 1);
    const c = h.mkdir(h.root, 'c');
    const f = 'blkio.throttle.read_bps_device';
    const seq: [string, string, string?][] = [
      ['254: 0 5', 'OK', '254:0 5\n'], [' 254:0 6', 'OK', '254:0 6\n'], ['254 :0 5', 'EINVAL'], ['254:0\u00a05', 'EINVAL'],
      ['254:0 \u00a012', 'EINVAL'], ['254:0 5x', 'OK', '254:0 5\n'], ['254:0 9 junk', 'OK', '254:0 9\n'],
      ['254:0 18446744073709551621', 'OK', '254:0 5\n'], ['254:0 +5', 'EINVAL'], ['254:0 \t\n11', 'OK', '254:0 11\n'],
      ['254:0 010', 'OK', '254:0 10\n'], ['254:0 0x10', 'OK', ''],
    ];
    for (const [w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, JSON.stringify(w));
      if (r !== undefined) assert.equal(h.read(c, f), r, JSON.stringify(w));
    }
  });

  it('throttle files: newest device first, 0 removes, iops truncated to 32 bits (host sequence)', () => {
    const h = new Harness(io, 1);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string, string?][] = [
      ['blkio.throttle.read_bps_device', '254:0 1048576', 'OK', '254:0 1048576\n'],
      ['blkio.throttle.write_iops_device', '254:0 100', 'OK', '254:0 100\n'],
      ['blkio.throttle.read_bps_device', '253:0 1000', 'OK', '253:0 1000\n254:0 1048576\n'],
      ['blkio.throttle.read_bps_device', '1:2 1000', 'ENODEV'], ['blkio.throttle.read_bps_device', '254:1 1000', 'ENODEV'],
      ['blkio.throttle.read_bps_device', '254:0 abc', 'EINVAL'], ['blkio.throttle.read_bps_device', '254:0 -1', 'EINVAL'],
      ['blkio.throttle.read_bps_device', '254:0', 'EINVAL'], ['blkio.throttle.read_bps_device', '254:0 max', 'EINVAL'],
      ['blkio.throttle.read_bps_device', 'abc', 'EINVAL'], ['blkio.throttle.read_bps_device', '254:0 0', 'OK', '253:0 1000\n'],
      ['blkio.throttle.write_iops_device', '254:0 0', 'OK', ''],
      ['blkio.throttle.write_iops_device', '254:0 4294967294', 'OK', '254:0 4294967294\n'],
      ['blkio.throttle.write_iops_device', '254:0 4294967295', 'OK', ''],
      ['blkio.throttle.write_iops_device', '254:0 4294967296', 'OK', '254:0 0\n'],
      ['blkio.throttle.write_iops_device', '254:0 4294967297', 'OK', '254:0 1\n'],
      ['blkio.throttle.write_bps_device', '254:0 18446744073709551615', 'OK', ''],
      ['blkio.reset_stats', 'abc', 'EINVAL'], ['blkio.reset_stats', '0', 'OK'], ['blkio.throttle.io_serviced', '0', 'EINVAL'],
    ];
    for (const [f, w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, `${f} <- ${w}`);
      if (r !== undefined) assert.equal(h.read(c, f), r, `${f} after ${w}`);
    }
    assert.equal(h.read(c, 'blkio.throttle.io_service_bytes'),
      '253:0 Read 0\n253:0 Write 0\n253:0 Sync 0\n253:0 Async 0\n253:0 Discard 0\n253:0 Total 0\n' +
      '254:0 Read 0\n254:0 Write 0\n254:0 Sync 0\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 0\nTotal 0\n');
  });

  it('stats: Total is read+write+discard; _recursive adds descendants; reset_stats clears', () => {
    const h = new Harness(io, 1);
    const p = h.mkdir(h.root, 'p');
    const c = h.mkdir(p, 'c');
    ioAccount(c, '254:0', 'read', 4096n, true);
    ioAccount(c, '254:0', 'write', 512n, false);
    ioAccount(p, '254:0', 'discard', 100n, true);
    assert.equal(h.read(p, 'blkio.throttle.io_service_bytes'),
      '254:0 Read 0\n254:0 Write 0\n254:0 Sync 100\n254:0 Async 0\n254:0 Discard 100\n254:0 Total 100\nTotal 100\n');
    assert.match(h.read(p, 'blkio.throttle.io_service_bytes_recursive'), /^254:0 Total 4708\nTotal 4708\n$/m);
    assert.match(h.read(p, 'blkio.throttle.io_serviced_recursive'), /^254:0 Sync 2$/m);
    h.write(c, 'blkio.reset_stats', '1');
    assert.match(h.read(c, 'blkio.throttle.io_service_bytes'), /^Total 0\n$/m);
  });
});

describe('io v2', () => {
  it('root has only io.stat listing every device; children have the knobs', () => {
    const h = new Harness(io, 2);
    assert.deepEqual(h.fileNames(h.root), ['io.stat']);
    assert.equal(h.read(h.root, 'io.stat'), '253:0 \n254:0 \n');
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), ['io.bfq.weight', 'io.latency', 'io.max', 'io.prio.class', 'io.stat', 'io.weight']);
    assert.equal(h.read(c, 'io.stat'), '');
    assert.equal(h.read(c, 'io.weight'), 'default 100\n');
    assert.equal(h.read(c, 'io.max'), '');
    assert.equal(h.read(c, 'io.prio.class'), 'no-change\n');
    ioAccount(c, '254:0', 'read', 8192n, true);
    assert.equal(h.read(c, 'io.stat'), '254:0 rbytes=8192 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
    assert.equal(h.read(h.root, 'io.stat'), '253:0 \n254:0 rbytes=8192 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
  });

  it('io.weight: default and per-device; range 1..10000 is EINVAL; unknown device ENODEV', () => {
    const h = new Harness(io, 2);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string?][] = [
      ['200', 'OK', 'default 200\n'], ['default 300', 'OK', 'default 300\n'], ['0', 'EINVAL'], ['10001', 'EINVAL'],
      ['abc', 'EINVAL'], ['254:0 50', 'OK', 'default 300\n254:0 50\n'], ['253:0 10000', 'OK', 'default 300\n253:0 10000\n254:0 50\n'],
      ['254:0 default', 'OK', 'default 300\n253:0 10000\n'], ['254:0 0', 'EINVAL'], ['254:0 x', 'EINVAL'], ['8:0 100', 'ENODEV'],
      ['254:0', 'EINVAL'],
    ];
    for (const [w, e, r] of seq) {
      assert.equal(h.tryWrite(c, 'io.weight', w), e, w);
      if (r) assert.equal(h.read(c, 'io.weight'), r, w);
    }
  });

  it('io.max: keys, max removes, zero is ERANGE', () => {
    const h = new Harness(io, 2);
    const c = h.mkdir(h.root, 'c');
    h.write(c, 'io.max', '254:0 rbps=1000000 wiops=120');
    assert.equal(h.read(c, 'io.max'), '254:0 rbps=1000000 wbps=max riops=max wiops=120\n');
    h.write(c, 'io.max', '254:0 wbps=2M');
    assert.equal(h.read(c, 'io.max'), '254:0 rbps=1000000 wbps=2 riops=max wiops=120\n', 'sscanf %llu stops at the suffix');
    assert.equal(h.tryWrite(c, 'io.max', '254:0 rbps=0'), 'ERANGE');
    assert.equal(h.tryWrite(c, 'io.max', '254:0 foo=1'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'io.max', '254:0 rbps'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'io.max', '254:0 rbps=x'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'io.max', '9:9 rbps=1'), 'ENODEV');
    h.write(c, 'io.max', '254:0 rbps=max wbps=max wiops=max');
    assert.equal(h.read(c, 'io.max'), '');
    h.write(c, 'io.max', '253:0 riops=99999999999');
    assert.equal(h.read(c, 'io.max'), '', 'IOPS are capped at UINT_MAX, which is unlimited');
    h.write(c, 'io.max', '253:0 riops=4294967294');
    assert.equal(h.read(c, 'io.max'), '253:0 rbps=max wbps=max riops=4294967294 wiops=max\n');
  });

  it('io.latency and io.prio.class', () => {
    const h = new Harness(io, 2);
    const c = h.mkdir(h.root, 'c');
    h.write(c, 'io.latency', '254:0 target=750');
    assert.equal(h.read(c, 'io.latency'), '254:0 target=750\n');
    assert.equal(h.tryWrite(c, 'io.latency', '254:0 foo=1'), 'EINVAL');
    h.write(c, 'io.latency', '254:0 target=max');
    assert.equal(h.read(c, 'io.latency'), '');
    for (const v of ['promote-to-rt', 'restrict-to-be', 'idle', 'none-to-rt', ' no-change\n']) assert.equal(h.tryWrite(c, 'io.prio.class', v), 'OK', v);
    assert.equal(h.tryWrite(c, 'io.prio.class', 'rt'), 'EINVAL');
  });
});
