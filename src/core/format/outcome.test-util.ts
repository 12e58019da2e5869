import assert from 'node:assert/strict';
import { CgroupError } from '../errors.js';
import type { ErrnoCode } from '../errno.js';

/** What a parse gives: its value, or the errno code of the CgroupError it throws (anything else fails the test). */
export function outcome<T>(f: () => T): T | ErrnoCode {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof CgroupError, `not a CgroupError: ${String(e)}`);
    return e.code;
  }
}
