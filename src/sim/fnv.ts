/**
 * FNV-1a, 64-bit, over the UTF-8 bytes of text: the trace hash and the
 * name-to-seed mixing of random streams. Computed on two 32-bit halves (no
 * BigInt in the loop) and incrementally, so a trace can be hashed line by
 * line as it is recorded.
 */

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// The prime is 2^40 + 0x1b3: multiplying by it is `h * 0x1b3 + (h << 40)`.
const PRIME_LO = 0x1b3;

/**
 * The high word of `lo * 0x1b3` (lo an unsigned 32-bit word), from 16-bit
 * halves so it stays in integer arithmetic. The new high word of the hash is
 * `hi * 0x1b3 + carry(lo) + (lo << 8)` mod 2^32, the last term being `h << 40`.
 */
function carry(lo: number): number {
  return ((lo >>> 16) * PRIME_LO + (((lo & 0xffff) * PRIME_LO) >>> 16)) >>> 16;
}

export class Fnv1a64 {
  private hi = OFFSET_HI;
  private lo = OFFSET_LO;

  /** Feeds one byte (0–255). */
  private byte(b: number): void {
    const lo = (this.lo ^ b) >>> 0;
    this.hi = (Math.imul(this.hi, PRIME_LO) + carry(lo) + (lo << 8)) >>> 0;
    this.lo = Math.imul(lo, PRIME_LO) >>> 0;
  }

  /** Feeds the UTF-8 encoding of `text` (a lone surrogate counts as U+FFFD, as TextEncoder does). */
  update(text: string): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        // The one-byte case, inline: the bulk of every trace.
        lo = (lo ^ c) >>> 0;
        hi = (Math.imul(hi, PRIME_LO) + carry(lo) + (lo << 8)) >>> 0;
        lo = Math.imul(lo, PRIME_LO) >>> 0;
        continue;
      }
      this.hi = hi;
      this.lo = lo;
      i = this.multiByte(text, i, c);
      hi = this.hi;
      lo = this.lo;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** Feeds the UTF-8 bytes of the non-ASCII character starting at `i`; returns the index of its last unit. */
  private multiByte(text: string, i: number, unit: number): number {
    let c = unit;
    if (c < 0x800) {
      this.byte(0xc0 | (c >> 6));
      this.byte(0x80 | (c & 0x3f));
      return i;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        this.byte(0xf0 | (c >> 18));
        this.byte(0x80 | ((c >> 12) & 0x3f));
        this.byte(0x80 | ((c >> 6) & 0x3f));
        this.byte(0x80 | (c & 0x3f));
        return i + 1;
      }
      c = 0xfffd;
    }
    this.byte(0xe0 | (c >> 12));
    this.byte(0x80 | ((c >> 6) & 0x3f));
    this.byte(0x80 | (c & 0x3f));
    return i;
  }

  /** The hash so far as 16 lowercase hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  /** The hash so far as an unsigned 64-bit integer. */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** FNV-1a 64 of the UTF-8 bytes of `text`, as 16 hex digits. */
export function fnv1a64Hex(text: string): string {
  return new Fnv1a64().update(text).hex();
}

/** FNV-1a 64 of the UTF-8 bytes of `text`, as a bigint. */
export function fnv1a64(text: string): bigint {
  return new Fnv1a64().update(text).value();
}
