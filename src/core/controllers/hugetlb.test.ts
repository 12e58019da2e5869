import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hugetlb } from './hugetlb.js';
import { Harness } from './testing.test-util.js';

const PC_MAX_BYTES = '9223372036854771712\n';

describe('hugetlb', () => {
  it('v2 files and literals as on the host (a child of the unified root)', () => {
    const h = new Harness(hugetlb, 2);
    assert.deepEqual(h.fileNames(h.root), []);
    const c = h.mkdir(h.root, 'c');
    const expect: Record<string, string> = {};
    for (const s of ['1GB', '2MB']) {
      Object.assign(expect, {
        [`hugetlb.${s}.current`]: '0\n', [`hugetlb.${s}.events`]: 'max 0\n', [`hugetlb.${s}.events.local`]: 'max 0\n',
        [`hugetlb.${s}.max`]: PC_MAX_BYTES, [`hugetlb.${s}.numa_stat`]: 'total=0 N0=0\n', [`hugetlb.${s}.rsvd.current`]: '0\n',
        [`hugetlb.${s}.rsvd.max`]: PC_MAX_BYTES,
      });
    }
    assert.deepEqual(h.fileNames(c), Object.keys(expect).sort());
    for (const [f, v] of Object.entries(expect)) assert.equal(h.read(c, f), v, f);
  });

  it('v2 limit writes round down to huge pages (host sequence)', () => {
    const h = new Harness(hugetlb, 2);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string, string?][] = [
      ['hugetlb.2MB.max', 'max', 'OK', 'max\n'], ['hugetlb.2MB.max', '1000', 'OK', '0\n'], ['hugetlb.2MB.max', '3M', 'OK', '2097152\n'],
      ['hugetlb.2MB.max', '-1', 'EINVAL'], ['hugetlb.2MB.max', 'abc', 'EINVAL'], ['hugetlb.2MB.max', 'max ', 'OK', 'max\n'],
      ['hugetlb.2MB.max', '9223372036854775807', 'OK', 'max\n'], ['hugetlb.2MB.max', '9223372036854775808', 'OK', 'max\n'],
      ['hugetlb.2MB.max', '1G', 'OK', '1073741824\n'], ['hugetlb.2MB.rsvd.max', '4M', 'OK', '4194304\n'],
      ['hugetlb.1GB.max', '3G', 'OK', '3221225472\n'], ['hugetlb.2MB.current', '0', 'EINVAL'], ['hugetlb.2MB.events', '0', 'EINVAL'],
      // measured on 6.18: blank or a bare suffix is 0 bytes; U+00A0 is not blank
      ['hugetlb.2MB.max', '4M', 'OK', '4194304\n'], ['hugetlb.2MB.max', '\n', 'OK', '0\n'], ['hugetlb.2MB.max', '4M', 'OK'],
      ['hugetlb.2MB.max', 'K', 'OK', '0\n'], ['hugetlb.2MB.max', 'max', 'OK', 'max\n'], ['hugetlb.2MB.max', 'G\n', 'OK', '0\n'],
      ['hugetlb.2MB.max', '4M\u00a0', 'EINVAL'],
    ];
    for (const [f, w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, `${f} <- ${w}`);
      if (r) assert.equal(h.read(c, f), r, `${f} <- ${w}`);
    }
  });

  it('v1 legacy files (root included); -1 is unlimited', () => {
    const h = new Harness(hugetlb, 1);
    const c = h.mkdir(h.root, 'c');
    assert.ok(h.fileNames(h.root).includes('hugetlb.2MB.limit_in_bytes'));
    assert.equal(h.read(c, 'hugetlb.2MB.numa_stat'), 'total=0 N0=0\nhierarchical_total=0 N0=0\n');
    h.write(c, 'hugetlb.2MB.limit_in_bytes', '5M');
    assert.equal(h.read(c, 'hugetlb.2MB.limit_in_bytes'), '4194304\n');
    h.write(c, 'hugetlb.2MB.limit_in_bytes', '-1');
    assert.equal(h.read(c, 'hugetlb.2MB.limit_in_bytes'), '9223372036852678656\n');
    assert.equal(h.tryWrite(c, 'hugetlb.2MB.limit_in_bytes', 'max'), 'EINVAL');
    assert.equal(h.tryWrite(h.root, 'hugetlb.2MB.limit_in_bytes', '1G'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'hugetlb.2MB.failcnt', 'x'), 'OK');
  });
});
