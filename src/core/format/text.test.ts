import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cString, isSpace, strstrip } from './text.js';

test('isspace is the six ASCII blanks only', () => {
  for (const c of [' ', '\t', '\n', '\v', '\f', '\r']) assert.ok(isSpace(c), JSON.stringify(c));
  for (const c of ['\u00a0', '\u2028', '\ufeff', '\0', 'a', undefined]) assert.ok(!isSpace(c), JSON.stringify(c));
});

test('strstrip keeps inner blanks and Unicode spaces (the kernel refuses "5\\u00a0" with EINVAL)', () => {
  assert.equal(strstrip(' \t5 \n'), '5');
  assert.equal(strstrip('5\n5'), '5\n5');
  assert.equal(strstrip('5\u00a0'), '5\u00a0');
  assert.equal(strstrip(' \n '), '');
  assert.equal(strstrip(' \tx y\n'), 'x y');
});

test('cString: a handler sees the text up to the first NUL ("5\\0x" wrote 5)', () => {
  assert.equal(cString('5\0x'), '5');
  assert.equal(cString('\0'), '');
  assert.equal(cString('abc'), 'abc');
});

test('property: strstrip removes exactly the blank ends', () => {
  const blank = fc.stringMatching(/^[ \t\n\v\f\r]*$/);
  const core = fc.stringMatching(/^([^ \t\n\v\f\r](.*[^ \t\n\v\f\r])?)?$/s);
  fc.assert(fc.property(blank, core, blank, (a, c, b) => strstrip(a + c + b) === c));
});
