import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { formatBlkioOps, parseBlkioOps } from './blkio.js';

const isEinval = (e: unknown): boolean => e instanceof CgroupError && e.code === 'EINVAL';

// Read once from the test host: the v1 root's blkio.throttle.io_service_bytes with no I/O devices.
const HOST_ROOT = 'Total 0\n';
// The kernel's layout with two devices: per device Read, Write, Sync, Async, Discard, Total; then the sum.
const TWO_DEVICES = `8:16 Read 1459200
8:16 Write 314773504
8:16 Sync 300000000
8:16 Async 16232704
8:16 Discard 0
8:16 Total 316232704
8:0 Read 90430464
8:0 Write 299008000
8:0 Sync 389438464
8:0 Async 0
8:0 Discard 50331648
8:0 Total 439770112
Total 756002816
`;

test('the host root reads just "Total 0"', () => {
  const s = parseBlkioOps(HOST_ROOT);
  assert.equal(s.devices.size, 0);
  assert.equal(s.total, 0n);
  assert.equal(formatBlkioOps(s), HOST_ROOT);
});

test('per-device operations by name', () => {
  const s = parseBlkioOps(TWO_DEVICES);
  assert.equal(s.devices.get('8:0')?.get('Discard'), 50331648n);
  assert.equal(s.devices.get('8:16')?.get('Write'), 314773504n);
  assert.equal(s.total, 756002816n);
  assert.equal(formatBlkioOps(s), TWO_DEVICES);
});

test('malformed blkio text is EINVAL', () => {
  for (const t of ['8:0 Read\n', '8:0 Read x\n', 'sda Read 1\n', '8:0 Read 1\n8:0 Read 2\n', 'Total 1\nTotal 2\n',
    'Total 1\n8:0 Read 1\n', '8:0 Read -1\n']) {
    assert.throws(() => parseBlkioOps(t), isEinval, t);
  }
});

test('property: blkio stats round-trip both ways', () => {
  const ops = fc.uniqueArray(fc.tuple(fc.constantFrom('Read', 'Write', 'Sync', 'Async', 'Discard', 'Total'),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), { selector: (e) => e[0] });
  const dev = fc.tuple(fc.nat(259), fc.nat(255)).map(([a, b]) => `${a}:${b}`);
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(dev, ops), { selector: (e) => e[0], maxLength: 5 }),
    fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }), (devs, total) => {
      const s = { devices: new Map(devs.filter(([, o]) => o.length).map(([d, o]) => [d, new Map(o)])),
        ...(total === undefined ? {} : { total }) };
      const text = formatBlkioOps(s);
      assert.deepEqual(parseBlkioOps(text), s);
      assert.equal(formatBlkioOps(parseBlkioOps(text)), text);
    }));
});
