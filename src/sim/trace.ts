/**
 * The simulator's trace: one record per thing that happened, serialised to
 * JSON lines with a fixed key order so that the same run gives the same
 * bytes. A record is flat: `t` (simulated ns) and `kind` come first, then
 * every other key in sorted order (UTF-16 code unit order, as
 * `Array.prototype.sort` has it); keys whose value is `undefined` are left
 * out. Values are numbers (finite), strings, booleans, null or bigints
 * (written as bare JSON integers, all digits kept).
 *
 * The recorder hashes the text as it goes (FNV-1a 64 over the UTF-8 bytes of
 * the JSON lines file, each line ending in `\n`), so a long run can be
 * checked for determinism without keeping its lines.
 */
import { Fnv1a64 } from './fnv.js';

export type TraceValue = number | string | boolean | bigint | null;

export interface TraceRecord {
  /** Simulated time in ns. */
  t: number;
  /** What happened: `'switch'`, `'wakeup'`, `'throttle'`, ... */
  kind: string;
  cpu?: number;
  pid?: number;
  [key: string]: TraceValue | undefined;
}

function value(key: string, v: TraceValue): string {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new RangeError(`trace field ${key} is not a finite number: ${v}`);
      return String(v); // as JSON.stringify writes a finite number (-0 too is "0")
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      throw new TypeError(`trace field ${key} has unsupported type ${typeof v}`);
  }
}

/** `,"key":` for the keys seen so far (traces use a handful of keys; the cache stops growing at 1024). */
const keyPrefix = new Map<string, string>();

function prefix(k: string): string {
  let p = keyPrefix.get(k);
  if (p === undefined) {
    p = `,${JSON.stringify(k)}:`;
    if (keyPrefix.size < 1024) keyPrefix.set(k, p);
  }
  return p;
}

/** True when the keys are already in sorted order (records written in that order skip the sort). */
function sorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** One record as its JSON line (without the newline). */
export function serialiseRecord(r: TraceRecord): string {
  if (!Number.isSafeInteger(r.t)) throw new RangeError(`trace time must be an integer number of ns, got ${String(r.t)}`);
  if (typeof r.kind !== 'string' || r.kind === '') throw new TypeError('a trace record needs a non-empty kind');
  let line = `{"t":${r.t},"kind":${JSON.stringify(r.kind)}`;
  const keys = Object.keys(r).filter((k) => k !== 't' && k !== 'kind');
  if (!sorted(keys)) keys.sort();
  for (const k of keys) {
    const v = r[k];
    if (v !== undefined) line += prefix(k) + value(k, v);
  }
  return line + '}';
}

export interface TraceOptions {
  /** Keep the lines in memory for `lines`/`toJsonl` (default true); the hash is kept either way. */
  keepLines?: boolean;
  /** Called with each line as it is recorded (to stream it to a file, say). */
  onLine?: (line: string) => void;
}

export class TraceRecorder {
  private readonly kept: string[] | undefined;
  private readonly onLine: ((line: string) => void) | undefined;
  private readonly hasher = new Fnv1a64();
  private count = 0;

  constructor(options: TraceOptions = {}) {
    this.kept = options.keepLines === false ? undefined : [];
    this.onLine = options.onLine;
  }

  /** Appends a record; it is serialised at once, so later changes to `r` do not alter the trace. */
  record(r: TraceRecord): void {
    const line = serialiseRecord(r);
    this.hasher.update(line).update('\n');
    this.count++;
    this.kept?.push(line);
    this.onLine?.(line);
  }

  /** Number of records so far. */
  get length(): number {
    return this.count;
  }

  /** The lines recorded so far (throws when the recorder keeps no lines). */
  lines(): readonly string[] {
    if (this.kept === undefined) throw new Error('this trace recorder was created with keepLines: false');
    return this.kept;
  }

  /** The trace as a JSON lines file: each record on its own line, each line ending in `\n`. */
  toJsonl(): string {
    const lines = this.lines();
    return lines.length === 0 ? '' : lines.join('\n') + '\n';
  }

  /** FNV-1a 64 of `toJsonl()`'s UTF-8 bytes, as 16 hex digits (available with or without kept lines). */
  hash(): string {
    return this.hasher.hex();
  }
}
