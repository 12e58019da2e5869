import type { ErrnoCode } from '../errno.js';
import { CgroupError, type Syscall } from '../errors.js';
import { cString, isSpace, strstrip } from './text.js';

/**
 * Range lists as in cpuset.cpus and cpuset.mems (`0-3,6,8-10`), parsed the
 * way the kernel's list parser (cpulist_parse/nodelist_parse) does it and
 * checked against Linux 6.18 (cpulist.test.ts):
 *
 * - regions are separated by commas and/or white space, in any number, also
 *   leading and trailing (`0, 1`, `1 0`, `,0`, `0,,1`, `,` are all valid);
 * - a region is `A`, `A-B`, `A-B:used/group` (from each `group` CPUs of A..B
 *   take the first `used`) or `all` (any case, the whole mask, may take a
 *   `:used/group`); `N` anywhere a number goes means the last bit;
 * - numbers are plain decimal (leading zeros are fine, `0x1` and `+1` are
 *   EINVAL); no space around `-`, `:` or `/`;
 * - a newline directly after a plain region ends the list (`0\n1` is `0`);
 *   after a separator or a stride it is only white space (`0,\n1` is `0-1`);
 * - errors: a malformed region, `B < A`, `group = 0` or `used > group` is
 *   EINVAL; a number that does not fit 32 bits is EOVERFLOW; a bit at or
 *   past `nbits` is ERANGE. `used = 0` is accepted and selects nothing.
 *
 * The result is the sorted set. `nbits` is the mask width: the number of
 * possible CPUs (nr_cpu_ids) for cpus, but the compile-time MAX_NUMNODES
 * (1024 on the test host) for mems. The cpuset controller then requires a
 * subset of the parent (EINVAL): that is its check, not this parser's.
 */
export interface ListOptions {
  syscall?: Syscall;
  path?: string;
}

const U32 = 2 ** 32;

class Scanner {
  i = 0;
  constructor(readonly s: string, readonly lastBit: number, readonly opts: ListOptions, readonly text: string) {}

  err(code: ErrnoCode): CgroupError {
    const why = code === 'ERANGE' ? 'past the last bit' : code === 'EOVERFLOW' ? 'number too large' : 'not a list';
    return new CgroupError(code, this.opts.syscall ?? 'write', this.opts.path, `${why}: ${JSON.stringify(this.text)}`);
  }

  /** One number: `N` (the last bit) or decimal digits that fit 32 bits. */
  num(): number {
    const s = this.s;
    if (s[this.i] === 'N') { this.i++; return this.lastBit; }
    const from = this.i;
    let v = 0;
    while (this.i < s.length && s[this.i]! >= '0' && s[this.i]! <= '9') {
      v = Math.min(v * 10 + (s.charCodeAt(this.i) - 48), U32);
      this.i++;
    }
    if (this.i === from) throw this.err('EINVAL');
    if (v >= U32) throw this.err('EOVERFLOW');
    return v;
  }

  /** The end of a region: white space, comma, or the end of the text. */
  atRegionEnd(): boolean {
    const c = this.s[this.i];
    return c === undefined || c === ',' || isSpace(c);
  }
}

export function parseCpuList(text: string, nbits = 8192, opts: ListOptions = {}): number[] {
  const s = strstrip(cString(text));
  const sc = new Scanner(s, nbits - 1, opts, text);
  const bits = new Set<number>();
  for (;;) {
    while (sc.i < s.length && (s[sc.i] === ',' || isSpace(s[sc.i]))) sc.i++;
    if (sc.i >= s.length) break;
    let start: number;
    let end: number;
    let ranged = true;
    if (s.slice(sc.i, sc.i + 3).toLowerCase() === 'all') {
      start = 0;
      end = nbits - 1;
      sc.i += 3;
    } else {
      start = sc.num();
      if (sc.atRegionEnd()) { end = start; ranged = false; }
      else if (s[sc.i] !== '-') throw sc.err('EINVAL');
      else { sc.i++; end = sc.num(); }
    }
    // Without a stride a region is one group of end+1 bits, all used (u32).
    let used = (end + 1) % U32;
    let group = used;
    let stride = false;
    if (ranged && !sc.atRegionEnd()) {
      if (s[sc.i] !== ':') throw sc.err('EINVAL');
      sc.i++;
      used = sc.num();
      if (s[sc.i] !== '/') throw sc.err('EINVAL');
      sc.i++;
      group = sc.num();
      stride = true;
    }
    const last = !stride && (sc.i >= s.length || s[sc.i] === '\n');
    if (start > end || group === 0 || used > group) throw sc.err('EINVAL');
    if (end >= nbits) throw sc.err('ERANGE');
    // The kernel steps with 32-bit wrap-around: `1-1:1/4294967295` is `0-1`.
    for (let at = start; at <= end; at = (at + group) % U32) {
      const n = Math.min(end - at + 1, used);
      for (let k = 0; k < n; k++) bits.add(at + k);
    }
    if (last) break;
  }
  return [...bits].sort((x, y) => x - y);
}

/**
 * The kernel's list output (`%*pbl`): ascending, runs of two or more as
 * `A-B`, comma separated, then a newline; the empty set is just `\n`.
 */
export function formatCpuList(cpus: Iterable<number>): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',') + '\n';
}
