import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fnv1a64, fnv1a64, fnv1a64Hex } from './fnv.js';

/** FNV-1a 64 straight from its definition, with BigInt, over Node's own UTF-8 encoding. */
function reference(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

test('FNV-1a 64 published test vectors', () => {
  assert.equal(fnv1a64Hex(''), 'cbf29ce484222325');
  assert.equal(fnv1a64Hex('a'), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64Hex('foobar'), '85944171f73967e8');
  assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n);
});

test('multi-byte text hashes its UTF-8 bytes; a lone surrogate counts as U+FFFD', () => {
  for (const s of ['é', '€uro', '😀 cgroup', '\ud800', 'x\udc00y', '\ud83d']) assert.equal(fnv1a64(s), reference(s), JSON.stringify(s));
  assert.equal(fnv1a64('\ud800'), fnv1a64('\ufffd'));
});

test('property: matches the BigInt definition for any text, and hashing in pieces equals hashing at once', () => {
  const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit }), fc.string());
  fc.assert(fc.property(text, text, (a, b) => {
    assert.equal(fnv1a64(a), reference(a));
    const split = new Fnv1a64().update(a).update(b);
    // Splitting inside a surrogate pair changes the bytes, so compare with the pieces' own encoding.
    const joined = Buffer.concat([Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')]);
    let h = 0xcbf29ce484222325n;
    for (const x of joined) h = ((h ^ BigInt(x)) * 0x100000001b3n) & 0xffffffffffffffffn;
    assert.equal(split.value(), h);
    assert.equal(split.hex(), h.toString(16).padStart(16, '0'));
  }), { numRuns: 500 });
});
