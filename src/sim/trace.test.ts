import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine } from './engine.js';
import { fnv1a64Hex } from './fnv.js';
import { RandomStream } from './random.js';
import { TraceRecorder, serialiseRecord } from './trace.js';
import type { TraceRecord } from './trace.js';

test('t and kind come first, then the other keys sorted; undefined fields are left out', () => {
  const a = serialiseRecord({ pid: 7, kind: 'switch', zeta: 'z', cpu: 1, t: 1500, alpha: true, gone: undefined });
  const b = serialiseRecord({ t: 1500, alpha: true, cpu: 1, kind: 'switch', pid: 7, zeta: 'z' });
  assert.equal(a, '{"t":1500,"kind":"switch","alpha":true,"cpu":1,"pid":7,"zeta":"z"}');
  assert.equal(a, b);
});

test('values: strings escaped as JSON, bigints with every digit, null, negative zero as 0', () => {
  const line = serialiseRecord({ t: 0, kind: 'k"\n', s: 'tab\there', n: 18446744073709551615n, z: null, m: -0, f: 0.25 });
  assert.equal(line, '{"t":0,"kind":"k\\"\\n","f":0.25,"m":0,"n":18446744073709551615,"s":"tab\\there","z":null}');
  assert.deepEqual(Object.keys(JSON.parse(line) as object), ['t', 'kind', 'f', 'm', 'n', 's', 'z']);
});

test('bad records are refused', () => {
  assert.throws(() => serialiseRecord({ t: 1.5, kind: 'x' }), RangeError);
  assert.throws(() => serialiseRecord({ t: 2 ** 53, kind: 'x' }), RangeError);
  assert.throws(() => serialiseRecord({ t: 0, kind: '' }), TypeError);
  assert.throws(() => serialiseRecord({ t: 0, kind: 'x', v: Number.NaN }), RangeError);
  assert.throws(() => serialiseRecord({ t: 0, kind: 'x', v: Infinity }), RangeError);
  assert.throws(() => serialiseRecord({ t: 0, kind: 'x', v: {} as unknown as string }), TypeError);
});

test('the recorder keeps lines, streams them, and hashes the JSON lines text', () => {
  const streamed: string[] = [];
  const tr = new TraceRecorder({ onLine: (l) => streamed.push(l) });
  assert.equal(tr.toJsonl(), '');
  assert.equal(tr.hash(), fnv1a64Hex(''));
  const rec: TraceRecord = { t: 10, kind: 'wakeup', pid: 3 };
  tr.record(rec);
  rec.pid = 4; // recorded already: no effect
  tr.record({ t: 20, kind: 'switch', cpu: 0, pid: 3, prev: 'idle' });
  assert.equal(tr.length, 2);
  assert.deepEqual(streamed, tr.lines());
  assert.equal(tr.toJsonl(), '{"t":10,"kind":"wakeup","pid":3}\n{"t":20,"kind":"switch","cpu":0,"pid":3,"prev":"idle"}\n');
  assert.equal(tr.hash(), fnv1a64Hex(tr.toJsonl()));
  const bare = new TraceRecorder({ keepLines: false });
  bare.record({ t: 10, kind: 'wakeup', pid: 3 });
  bare.record({ t: 20, kind: 'switch', cpu: 0, pid: 3, prev: 'idle' });
  assert.equal(bare.hash(), tr.hash());
  assert.throws(() => bare.toJsonl(), /keepLines/);
});

test('property: the hash is FNV-1a 64 of the JSON lines text, whatever the records', () => {
  const value = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'binary' }), fc.boolean(), fc.constant(null), fc.bigInt());
  const record = fc.record({ t: fc.nat(), kind: fc.string({ minLength: 1 }), extra: fc.dictionary(fc.string(), value, { maxKeys: 4 }) });
  fc.assert(fc.property(fc.array(record, { maxLength: 20 }), (recs) => {
    const tr = new TraceRecorder();
    for (const r of recs) tr.record({ ...r.extra, t: r.t, kind: r.kind });
    assert.equal(tr.hash(), fnv1a64Hex(tr.toJsonl()));
    tr.lines().forEach((line, i) => {
      // (Not through JSON.parse's key order: it lists integer-like keys first.)
      assert.ok(line.startsWith(`{"t":${recs[i]!.t},"kind":${JSON.stringify(recs[i]!.kind)}`), line);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.equal(parsed['t'], recs[i]!.t);
    });
  }), { numRuns: 200 });
});

/** A small randomised run: tasks wake, run and sleep on two CPUs, every step traced. */
function scenario(seed: number): TraceRecorder {
  const e = new Engine();
  const root = new RandomStream(seed);
  const tr = new TraceRecorder();
  for (let pid = 1; pid <= 5; pid++) {
    const rng = root.fork(`task${pid}`);
    const wake = (): void => {
      const cpu = rng.int(0, 1);
      tr.record({ t: e.now, kind: 'wakeup', cpu, pid });
      e.after(rng.expNs(2_000_000), () => {
        tr.record({ t: e.now, kind: 'sleep', cpu, pid, ran: rng.float() < 0.5 });
        e.after(rng.expNs(5_000_000), wake);
      });
    };
    e.at(rng.int(0, 1_000_000), wake);
  }
  e.runUntil(1_000_000_000);
  return tr;
}

test('same scenario and seed, same trace byte for byte; another seed, another trace', () => {
  const a = scenario(1);
  const b = scenario(1);
  assert.ok(a.length > 500);
  assert.equal(a.toJsonl(), b.toJsonl());
  assert.equal(a.hash(), b.hash());
  assert.notEqual(scenario(2).hash(), a.hash());
});
