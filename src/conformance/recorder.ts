import { isErrnoLike } from '../core/errors.js';
import type { Outcome } from './case.js';

const PID_LIST_FILES = new Set(['cgroup.procs', 'cgroup.threads', 'tasks']);

/** Is this a file whose lines are pids (`cgroup.procs`, `cgroup.threads`, v1 `tasks`)? */
export function isPidListFile(path: string): boolean {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf(':')) + 1);
  return PID_LIST_FILES.has(base);
}

/** An error as an outcome: its errno code, with 95 spelled as Node spells it on Linux. */
export function errnoOutcome(e: unknown): Outcome {
  if (!isErrnoLike(e)) throw e;
  return e.code === 'EOPNOTSUPP' ? 'ENOTSUP' : e.code;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; code: Outcome };

/**
 * The transcript and the checks of one case run: each step is one line
 * (`write a/cgroup.type "threaded" -> ok`); a step whose outcome differs from
 * the expected one adds a failure but does not stop the case, so the whole
 * transcript is always there to compare.
 */
export class Recorder {
  readonly transcript: string[] = [];
  readonly failures: string[] = [];
  /** pid/tid -> name (`p1`, `t1`). */
  protected readonly names = new Map<number, string>();

  constructor(
    protected readonly bases: Map<string, string>,
    protected readonly baseName: string,
  ) {}

  /** Record a step that has no outcome to check. */
  log(line: string): void {
    this.transcript.push(line);
  }

  /** Record a step and check it against the expectation. */
  step(line: string, outcome: Outcome, expect: Outcome | undefined): void {
    this.transcript.push(`${line} -> ${outcome}`);
    if (expect !== undefined && outcome !== expect) {
      this.failures.push(`step ${this.transcript.length} \`${line}\`: got ${outcome}, expected ${expect}`);
    }
  }

  protected async attempt<T>(fn: () => Promise<T>): Promise<Attempt<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      return { ok: false, code: errnoOutcome(e) };
    }
  }

  /** A mutating step: outcome `ok` or the errno code. */
  protected async op(line: string, expect: Outcome | undefined, fn: () => Promise<void>): Promise<Outcome> {
    const out = await this.attempt(fn);
    const outcome = out.ok ? 'ok' : out.code;
    this.step(line, outcome, expect);
    return outcome;
  }

  /** A reading step: the content (shown quoted) or the errno code. */
  protected async readOp(line: string, expect: Outcome | undefined, fn: () => Promise<string>): Promise<Outcome> {
    const out = await this.attempt(fn);
    if (!out.ok) {
      this.step(line, out.code, expect);
      return out.code;
    }
    this.step(line, JSON.stringify(out.value), expect === undefined ? undefined : JSON.stringify(expect));
    return out.value;
  }

  /** A case path to an absolute one (see `Ops`). */
  resolve(path: string): string {
    if (path.startsWith('/proc/')) return path;
    const colon = path.indexOf(':');
    const prefixed = colon >= 0 && !path.slice(0, colon).includes('/');
    const key = prefixed ? path.slice(0, colon) : '';
    const rest = prefixed ? path.slice(colon + 1) : path;
    const base = this.bases.get(key);
    if (base === undefined) throw new Error(`case path ${path}: the case did not declare hierarchy '${key || 'v2'}' in needs`);
    if (rest.split('/').some((s) => s === '..')) throw new Error(`case path ${path} leaves the base group`);
    return rest === '' ? base : `${base}/${rest}`;
  }

  /** Normalize a file's content: pid lists become names. */
  protected normalize(abs: string, path: string, content: string): string {
    if (!isPidListFile(abs)) return content;
    const v1 = path.includes(':');
    const pids = content.split('\n').filter((l) => l !== '');
    const names = pids.map((l) => this.names.get(Number(l)) ?? '?');
    if (!v1) {
      names.sort(byName);
      return names.map((n) => `${n}\n`).join('');
    }
    const sorted = pids.every((l, i) => i === 0 || Number(pids[i - 1]) < Number(l));
    return names.map((n) => `${n}\n`).join('') + (sorted ? '' : '(not sorted)\n');
  }

  /** `/proc/<pid>/cgroup` lines that name the case's groups, the base shown as `<base>`. */
  protected cgroupLines(content: string): string {
    return content
      .split('\n')
      .filter((l) => l.includes(this.baseName))
      .map((l) => `${l.split(this.baseName).join('<base>')}\n`)
      .join('');
  }
}

/** `p2` before `p10`, processes before threads. */
function byName(a: string, b: string): number {
  const ka = a[0] ?? '';
  const kb = b[0] ?? '';
  if (ka !== kb) return ka < kb ? -1 : 1;
  return Number(a.slice(1)) - Number(b.slice(1));
}
