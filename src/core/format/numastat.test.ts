import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { formatNumaStat, parseNumaStat } from './numastat.js';

const isEinval = (e: unknown): boolean => e instanceof CgroupError && e.code === 'EINVAL';

// Read once from the test host: the v1 memory root's memory.numa_stat (one node).
const V1_HOST = `total=3932 N0=3932
file=167 N0=167
anon=374 N0=374
unevictable=3391 N0=3391
hierarchical_total=32977 N0=32977
hierarchical_file=27951 N0=27951
hierarchical_anon=1635 N0=1635
hierarchical_unevictable=3391 N0=3391
`;
// The v2 shape (no total; bytes per node), two nodes.
const V2_TWO_NODES = 'anon N0=1363968 N1=0\nfile N0=4096 N1=8192\nkernel_stack N0=16384 N1=0\n';

test('v1 memory.numa_stat from the host: totals and nodes by key', () => {
  const s = parseNumaStat(V1_HOST);
  assert.equal(s.get('total')?.total, 3932n);
  assert.equal(s.get('hierarchical_file')?.nodes.get(0), 27951n);
  assert.equal(s.size, 8);
  assert.equal(formatNumaStat(s), V1_HOST);
});

test('v2 memory.numa_stat: per-node values without a total', () => {
  const s = parseNumaStat(V2_TWO_NODES);
  assert.equal(s.get('anon')?.total, undefined);
  assert.equal(s.get('file')?.nodes.get(1), 8192n);
  assert.equal(formatNumaStat(s), V2_TWO_NODES);
});

test('malformed numa_stat is EINVAL', () => {
  for (const t of ['anon N0\n', 'anon X0=1\n', 'anon N0=1 N0=2\n', 'total=x N0=1\n', 'anon N0=1\nanon N0=2\n', '=1 N0=1\n']) {
    assert.throws(() => parseNumaStat(t), isEinval, t);
  }
});

test('property: numa_stat round-trips both ways', () => {
  const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  const line = fc.record({
    total: fc.option(u64, { nil: undefined }),
    nodes: fc.uniqueArray(fc.tuple(fc.nat(1023), u64), { selector: (e) => e[0], maxLength: 4 }),
  });
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_]{1,12}$/), line), { selector: (e) => e[0] }),
    (entries) => {
      const s = new Map(entries.map(([k, l]) => [k, { ...(l.total === undefined ? {} : { total: l.total }), nodes: new Map(l.nodes) }]));
      const text = formatNumaStat(s);
      assert.deepEqual(parseNumaStat(text), s);
      assert.equal(formatNumaStat(parseNumaStat(text)), text);
    }));
});
