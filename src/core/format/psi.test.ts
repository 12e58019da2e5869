import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { formatPsi, parsePsi, type PsiLine } from './psi.js';

const isEinval = (e: unknown): boolean => e instanceof CgroupError && e.code === 'EINVAL';

// Read once from the test host's v2 root (Linux 6.18) and a fresh child group.
const ROOT_CPU = 'some avg10=0.99 avg60=0.43 avg300=0.54 total=3953682\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
const ROOT_IO = 'some avg10=0.00 avg60=0.01 avg300=0.03 total=516309\nfull avg10=0.00 avg60=0.01 avg300=0.02 total=451894\n';
const CHILD_MEMORY = 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
// irq.pressure (CONFIG_IRQ_TIME_ACCOUNTING) prints only a full line; the host has none, so this is the documented shape.
const IRQ = 'full avg10=1.09 avg60=1.08 avg300=1.46 total=80506377366\n';

test('cpu.pressure and io.pressure from the host: floats and exact totals', () => {
  const cpu = parsePsi(ROOT_CPU);
  assert.deepEqual(cpu.some, { avg10: 0.99, avg60: 0.43, avg300: 0.54, totalUsec: 3953682n });
  assert.deepEqual(cpu.full, { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0n });
  const io = parsePsi(ROOT_IO);
  assert.equal(io.some?.avg300, 0.03);
  assert.equal(io.full?.totalUsec, 451894n);
  for (const t of [ROOT_CPU, ROOT_IO, CHILD_MEMORY]) assert.equal(formatPsi(parsePsi(t)), t);
});

test('irq.pressure has only a full line', () => {
  const p = parsePsi(IRQ);
  assert.equal(p.some, undefined);
  assert.equal(p.full?.totalUsec, 80506377366n);
  assert.equal(formatPsi(p), IRQ);
});

test('lines are found by name, not position', () => {
  const swapped = ROOT_CPU.split('\n').reverse().join('\n');
  assert.equal(parsePsi(swapped).some?.avg10, 0.99);
  assert.equal(formatPsi(parsePsi(swapped)), ROOT_CPU);
});

test('malformed pressure text is EINVAL, never zeros', () => {
  for (const t of [
    '', 'some avg10=0.00 avg60=0.00 total=0\n', 'some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n',
    'some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1.5\n',
    'some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n',
    'partial avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0 x=1\n',
  ]) assert.throws(() => parsePsi(t), isEinval, JSON.stringify(t));
});

const psiLine: fc.Arbitrary<PsiLine> = fc.record({
  // The kernel prints %lu.%02lu: any number of hundredths.
  avg10: fc.nat(1_000_000).map((c) => c / 100),
  avg60: fc.nat(10_099).map((c) => c / 100),
  avg300: fc.nat(10_099).map((c) => c / 100),
  totalUsec: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
}).map((l) => ({ ...l }));

test('property: parse(format(p)) == p and format(parse(text)) == text', () => {
  fc.assert(fc.property(fc.option(psiLine, { nil: undefined }), fc.option(psiLine, { nil: undefined }), (some, full) => {
    fc.pre(some !== undefined || full !== undefined);
    const p = { ...(some ? { some } : {}), ...(full ? { full } : {}) };
    const text = formatPsi(p);
    assert.deepEqual(parsePsi(text), p);
    assert.equal(formatPsi(parsePsi(text)), text);
  }));
});
