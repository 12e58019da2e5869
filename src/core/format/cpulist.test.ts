import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import type { ErrnoCode } from '../errno.js';
import { formatCpuList, parseCpuList } from './cpulist.js';
import { outcome } from './outcome.test-util.js';


/*
 * Measured on Linux 6.18 with 2 possible CPUs (0-1): each text written with
 * one write(2) to cpuset.cpus of a fresh v1 cpuset group, then read back.
 * Reads are the kernel's canonical form. A '' write never reaches the
 * handler; a blank text (' ', ',', '\n') clears the set.
 */
const MEASURED: [string, string | ErrnoCode][] = [
  ['0,1', '0-1\n'], ['1,0', '0-1\n'], ['0-1', '0-1\n'], ['1-0', 'EINVAL'], ['0', '0\n'], ['1', '1\n'],
  ['2', 'ERANGE'], ['0-2', 'ERANGE'], ['3-5', 'ERANGE'], ['5-3', 'EINVAL'], ['8191', 'ERANGE'], ['8192', 'ERANGE'],
  ['1-1', '1\n'], ['0,0', '0\n'], ['00', '0\n'], ['01', '1\n'], ['000000000000000000001', '1\n'], ['0-00001', '0-1\n'],
  // separators: commas and white space, any number, anywhere between regions
  [' 0', '0\n'], ['0 ', '0\n'], ['0, 1', '0-1\n'], ['0 1', '0-1\n'], ['1 0', '0-1\n'], ['0,', '0\n'], [',0', '0\n'],
  ['0,,1', '0-1\n'], ['0-1,', '0-1\n'], [',', '\n'], [',,', '\n'], [',\n,', '\n'], [' ', '\n'], ['\n', '\n'],
  ['\t1\t', '1\n'], ['\v0\f', '0\n'], ['0\r1', '0-1\n'], ['0 \n1', '0-1\n'], ['0,\n1', '0-1\n'],
  // a newline right after a plain region ends the list
  ['0\n', '0\n'], ['0\n1', '0\n'], ['1\n0', '1\n'], ['0\n,1', '0\n'], ['0\n\n1', '0\n'], ['0-1\n:1/2', '0-1\n'],
  // ... but not after a stride region
  ['0-1:1/2\n1', '0-1\n'],
  // no blanks inside a region
  ['0 - 1', 'EINVAL'], ['0 -1', 'EINVAL'], [' 0-1 : 1/2', 'EINVAL'], ['0-1 :1/2', 'EINVAL'], ['0-1: 1/2', 'EINVAL'],
  // malformed
  ['0-', 'EINVAL'], ['-1', 'EINVAL'], ['0--1', 'EINVAL'], ['0x1', 'EINVAL'], ['+1', 'EINVAL'], ['0;1', 'EINVAL'],
  ['a', 'EINVAL'], ['a,0', 'EINVAL'], ['0-0x1', 'EINVAL'], ['0-n', 'EINVAL'],
  // N is the last bit; "all" (any case) is the whole mask
  ['0-N', '0-1\n'], ['N', '1\n'], ['N-N', '1\n'], ['N-0', 'EINVAL'], ['all', '0-1\n'], ['ALL', '0-1\n'],
  ['All', '0-1\n'], ['all,0', '0-1\n'], ['allx', 'EINVAL'], ['all:1/2', '0\n'],
  // strides A-B:used/group
  ['0-1:1/2', '0\n'], ['0-1:2/2', '0-1\n'], ['0-1:1/1', '0-1\n'], ['0-1:2/1', 'EINVAL'], ['1-1:2/1', 'EINVAL'],
  ['0-1:0/2', '\n'], ['0-1:1/0', 'EINVAL'], ['0-1:3/2', 'EINVAL'], ['1-0:1/2', 'EINVAL'], ['0-1:1/100', '0\n'],
  ['N-1:N/2', '1\n'], ['0-1:N/N', '0-1\n'], ['0-1:1/2,1', '0-1\n'],
  ['0:1/2', 'EINVAL'], ['1:1/2', 'EINVAL'], ['N:1/2', 'EINVAL'], ['0-1:1/', 'EINVAL'], ['0-1/2', 'EINVAL'],
  ['0-1:1/2x', 'EINVAL'], ['0-1:1/2:1/2', 'EINVAL'],
  // numbers: 32 bits or EOVERFLOW; 4294967295 as a plain region is EINVAL (its group size wraps to 0)
  ['99999999999', 'EOVERFLOW'], ['4294967296', 'EOVERFLOW'], ['0-4294967296', 'EOVERFLOW'],
  ['0-1:1/4294967296', 'EOVERFLOW'], ['1-1:1/4294967296', 'EOVERFLOW'], ['4294967295', 'EINVAL'],
  // the stride walk wraps at 2^32
  ['0-1:1/4294967295', '0\n'], ['1-1:1/4294967295', '0-1\n'],
  // kernfs hands over a NUL-terminated string
  ['0\0,1', '0\n'],
];

test('cpuset.cpus texts as measured on Linux 6.18 (2 CPUs)', () => {
  for (const [text, want] of MEASURED) {
    assert.equal(outcome(() => formatCpuList(parseCpuList(text, 2))), want, JSON.stringify(text));
  }
});

test('cpuset.mems: the mask is MAX_NUMNODES wide (1024 on the host), not the online nodes', () => {
  // Measured on a 1-node host: '1', '63', '1023' were EINVAL (the cpuset's
  // subset check, after a successful parse); '1024' and above were ERANGE.
  assert.deepEqual(parseCpuList('0', 1024), [0]);
  assert.deepEqual(parseCpuList('0-0', 1024), [0]);
  assert.deepEqual(parseCpuList('1023', 1024), [1023]);
  assert.equal(outcome(() => parseCpuList('1024', 1024)), 'ERANGE');
  assert.equal(outcome(() => parseCpuList('65536', 1024)), 'ERANGE');
});

test('literal texts from the host: cpuset.cpus "0-1\\n", cpuset.mems "0\\n", an empty group "\\n"', () => {
  assert.deepEqual(parseCpuList('0-1\n', 2), [0, 1]);
  assert.deepEqual(parseCpuList('0\n', 1), [0]);
  assert.deepEqual(parseCpuList('\n', 2), []);
  assert.deepEqual(parseCpuList('0-3,6,8-10\n', 16), [0, 1, 2, 3, 6, 8, 9, 10]);
  assert.equal(formatCpuList([10, 9, 8, 6, 3, 2, 1, 0]), '0-3,6,8-10\n');
  assert.deepEqual(parseCpuList('0-1023:2/256', 1024), [0, 1, 256, 257, 512, 513, 768, 769]);
});

test('the cpuset tables\' cases: strides, all, N, blank, and the three errnos', () => {
  assert.deepEqual(parseCpuList('0-3,6', 8), [0, 1, 2, 3, 6]);
  assert.deepEqual(parseCpuList('0-7:2/4', 8), [0, 1, 4, 5]);
  assert.deepEqual(parseCpuList('all', 3), [0, 1, 2]);
  assert.deepEqual(parseCpuList('N', 4), [3]);
  assert.deepEqual(parseCpuList('', 4), []);
  assert.equal(outcome(() => parseCpuList('5', 4)), 'ERANGE');
  assert.equal(outcome(() => parseCpuList('3-1', 4)), 'EINVAL');
  assert.equal(outcome(() => parseCpuList('1:1/2', 4)), 'EINVAL');
  assert.equal(outcome(() => parseCpuList('4294967296', 4)), 'EOVERFLOW');
  assert.equal(formatCpuList([3, 0, 1, 2, 6, 8, 9]), '0-3,6,8-9\n');
});

test('formatting: ascending, runs of two or more as A-B, duplicates merged, empty is "\\n"', () => {
  assert.equal(formatCpuList([]), '\n');
  assert.equal(formatCpuList([0]), '0\n');
  assert.equal(formatCpuList([1, 0]), '0-1\n');
  assert.equal(formatCpuList([5, 3, 3, 1, 2]), '1-3,5\n');
  assert.equal(formatCpuList([0, 2, 4]), '0,2,4\n');
});

test('a large mask: 0-8191 in and out', () => {
  const all = parseCpuList('0-8191', 8192);
  assert.equal(all.length, 8192);
  assert.equal(formatCpuList(all), '0-8191\n');
  assert.equal(formatCpuList(parseCpuList('all', 8192)), '0-8191\n');
  assert.equal(formatCpuList(parseCpuList('0-8191:1/2', 8192)).split(',').length, 4096);
});

test('errors carry syscall and path', () => {
  assert.throws(() => parseCpuList('1-0', 2, { path: '/sys/fs/cgroup/cpuset/a/cpuset.cpus' }), (e: unknown) =>
    e instanceof CgroupError && e.code === 'EINVAL' && e.syscall === 'write' && e.path === '/sys/fs/cgroup/cpuset/a/cpuset.cpus');
});

const cpuSet = (nbits: number): fc.Arbitrary<number[]> =>
  fc.uniqueArray(fc.integer({ min: 0, max: nbits - 1 }), { maxLength: 300 }).map((a) => a.sort((x, y) => x - y));

/** Maximal runs of consecutive numbers in a sorted set. */
function runs(s: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of s) {
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

test('property: parse(format(s)) == s, for empty, sparse and dense sets up to 8192 bits', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8192 }).chain((n) => fc.tuple(fc.constant(n), cpuSet(n))), ([n, s]) => {
    assert.deepEqual(parseCpuList(formatCpuList(s), n), s);
  }));
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(8191), fc.nat(400)), { maxLength: 20 }), (spans) => {
    const s = [...new Set(spans.flatMap(([a, len]) => Array.from({ length: Math.min(len, 8191 - a) + 1 }, (_, k) => a + k)))]
      .sort((x, y) => x - y);
    assert.deepEqual(parseCpuList(formatCpuList(s), 8192), s);
  }), { numRuns: 50 });
});

test('property: any accepted spelling of a set formats back to the canonical list', () => {
  const sep = fc.constantFrom(',', ' ', ', ', ',,', '\t', ' , ');
  fc.assert(fc.property(cpuSet(512), fc.infiniteStream(fc.nat(5)), fc.array(sep, { minLength: 300, maxLength: 300 }),
    sep, (s, choice, seps, edge) => {
      // Each run is written as singles, A-B, or split in two overlapping ranges; order shuffled by reversal.
      const pieces: string[] = [];
      for (const [a, b] of runs(s)) {
        const c = choice.next().value as number;
        if (c === 0 || a === b) for (let v = a; v <= b; v++) pieces.push(`${v}`);
        else if (c === 1) pieces.push(`${a}-${b}`);
        else if (c === 2) pieces.push(`${a}-${Math.max(a, b - 1)}`, `${Math.min(a + 1, b)}-${b}`);
        else if (c === 3) pieces.push(`${a}-${b}:1/1`);
        else pieces.push(`${b}`, `${a}-${b}`);
      }
      if ((choice.next().value as number) % 2 === 0) pieces.reverse();
      const text = edge + pieces.map((p, i) => (i ? seps[i % seps.length]! : '') + p).join('') + edge + '\n';
      assert.equal(formatCpuList(parseCpuList(text, 512)), formatCpuList(s), JSON.stringify(text));
    }));
});

test('property: A-B:used/group selects the first `used` of every `group` bits of A..B', () => {
  fc.assert(fc.property(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 40 }), fc.nat(40), (x, y, group, u) => {
    const [a, b] = x <= y ? [x, y] : [y, x];
    const used = u % (group + 1);
    const want: number[] = [];
    for (let i = a; i <= b; i++) if ((i - a) % group < used) want.push(i);
    assert.deepEqual(parseCpuList(`${a}-${b}:${used}/${group}`, 256), want);
  }));
});

test('property: a bit at or past nbits is ERANGE; B < A is EINVAL even past nbits; >= 2^32 is EOVERFLOW', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), fc.nat(100000), (n, extra) => {
    assert.equal(outcome(() => parseCpuList(`${n + extra}`, n)), 'ERANGE');
    assert.equal(outcome(() => parseCpuList(`0-${n + extra}`, n)), 'ERANGE');
    assert.equal(outcome(() => parseCpuList(`${n + extra + 1}-${n + extra}`, n)), 'EINVAL');
  }));
  fc.assert(fc.property(fc.bigInt({ min: 2n ** 32n, max: 2n ** 70n }), (v) => {
    assert.equal(outcome(() => parseCpuList(`${v}`, 2)), 'EOVERFLOW');
    assert.equal(outcome(() => parseCpuList(`0-${v}`, 2)), 'EOVERFLOW');
  }));
});
