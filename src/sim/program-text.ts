/**
 * The compact text form of task programs, for the API and the shell:
 *
 *   run 5ms; sleep 10ms
 *   loop 10 { run 1ms; sleep 4ms }        loop { timer 10ms; run 2ms }  (forever)
 *   alloc 64M; run 1s; free 64M; exit 3   hog
 *   name web; nice 5; cpus 0-3; fork { nice -2; run 1ms }; thread { run 2ms }
 *
 * Statements are separated by `;` or newlines; `#` starts a comment. Times
 * need a unit (ns, us, ms, s); byte counts take an optional binary suffix
 * (K, M, G). Attributes (`name`, `nice`, `cpus` as a kernel cpu list) come
 * before the steps of a program or of a `fork`/`thread` block. `timer D [ref]`
 * names its timer `ref` (a word or a JSON string; `timer` when omitted);
 * `exit` alone is `exit 0`; `hog` is `hog()`'s forever loop.
 *
 * Errors are ProgramError with the 1-based line and column of the token at
 * fault; range errors found by validateProgram are mapped back to the token
 * that produced the value.
 */
import { parseCpuList } from '../core/format/cpulist.js';
import { DEFAULT_TIMER_REF, HOG_CHUNK_NS, ProgramError, validateProgram } from './program.js';
import type { Program, Step } from './program.js';

export { formatProgram } from './program-format.js';

type Kind = 'word' | 'str' | '{' | '}' | 'sep' | 'eof';
interface Tok { kind: Kind; text: string; off: number }

/** Nanoseconds per time unit of the text forms (programs here, scenario files above). */
export const TIME_UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const BYTE_UNITS: Record<string, bigint> = { '': 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };

function lex(src: string, fail: (off: number, msg: string) => never): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === ';' || c === '\n') { out.push({ kind: 'sep', text: c, off: i++ }); continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '{' || c === '}') { out.push({ kind: c, text: c, off: i++ }); continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) fail(i, 'unterminated string');
      let text: unknown;
      try { text = JSON.parse(src.slice(i, j + 1)); } catch { fail(i, 'bad string escape'); }
      out.push({ kind: 'str', text: text as string, off: i });
      i = j + 1;
      continue;
    }
    const start = i;
    while (i < src.length && !/[\s;{}"#]/.test(src[i]!)) i++;
    out.push({ kind: 'word', text: src.slice(start, i), off: start });
  }
  out.push({ kind: 'eof', text: '', off: src.length });
  return out;
}

class Parser {
  private i = 0;
  private readonly toks: Tok[];
  /** Where each JSON-pointer path of the result came from (source offset). */
  readonly where = new Map<string, number>();

  constructor(private readonly src: string) {
    this.toks = lex(src, (off, msg) => this.fail(off, msg));
  }

  fail(off: number, msg: string, pointer = ''): never {
    const before = this.src.slice(0, off).split('\n');
    throw new ProgramError(pointer, msg, { line: before.length, column: before[before.length - 1]!.length + 1 });
  }

  private peek(): Tok { return this.toks[this.i]!; }
  private next(): Tok { return this.toks[this.i++]!; }
  private skipSeps(): void { while (this.peek().kind === 'sep') this.i++; }

  private expect(kind: Kind, what: string): Tok {
    const t = this.next();
    if (t.kind !== kind) this.fail(t.off, `expected ${what}, found ${describe(t)}`);
    return t;
  }

  /** A word (not `{`, `}`, `;`, end) as the argument of a statement. */
  private arg(what: string): Tok {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t.off, `expected ${what}, found ${describe(t)}`);
    return t;
  }

  /** Statements up to `}` (nested) or the end (top level). */
  program(at: string, close: Kind): Program {
    const p: Program = { steps: [] };
    this.skipSeps();
    while (this.peek().kind !== close) {
      const t = this.peek();
      if (t.kind !== 'word' || !['name', 'nice', 'cpus'].includes(t.text)) break;
      this.i++;
      if ((p as unknown as Record<string, unknown>)[t.text] !== undefined) this.fail(t.off, `duplicate ${t.text}`);
      const path = at === '' ? t.text : `${at}/${t.text}`;
      if (t.text === 'name') {
        const v = this.next();
        if (v.kind !== 'word' && v.kind !== 'str') this.fail(v.off, `expected a name, found ${describe(v)}`);
        p.name = v.text;
        this.where.set(path, v.off);
      } else if (t.text === 'nice') {
        const v = this.arg('a nice value');
        if (!/^[-+]?\d+$/.test(v.text)) this.fail(v.off, `bad nice value '${v.text}'`);
        p.nice = Number(v.text);
        this.where.set(path, v.off);
      } else {
        const v = this.arg('a cpu list');
        try { p.cpus = parseCpuList(v.text); } catch { this.fail(v.off, `bad cpu list '${v.text}'`); }
        this.where.set(path, v.off);
      }
      this.endStatement(close);
    }
    p.steps = this.steps(at === '' ? 'steps' : `${at}/steps`, close);
    return p;
  }

  steps(at: string, close: Kind): Step[] {
    const out: Step[] = [];
    this.skipSeps();
    while (this.peek().kind !== close) {
      out.push(this.step(`${at}/${out.length}`));
      this.endStatement(close);
    }
    return out;
  }

  private endStatement(close: Kind): void {
    const t = this.peek();
    if (t.kind === 'sep') { this.skipSeps(); return; }
    if (t.kind !== close) this.fail(t.off, `expected ';' or ${close === 'eof' ? 'the end' : "'}'"}, found ${describe(t)}`);
  }

  private step(at: string): Step {
    const t = this.next();
    if (t.kind === 'eof' || t.kind === '}') this.fail(t.off, `expected a step, found ${describe(t)}`);
    this.where.set(at, t.off);
    if (t.kind !== 'word') this.fail(t.off, `expected a step, found ${describe(t)}`);
    switch (t.text) {
      case 'run':
      case 'sleep':
        return { op: t.text, ns: this.time(`${at}/ns`) };
      case 'timer': {
        const periodNs = this.time(`${at}/periodNs`);
        const r = this.peek();
        if (r.kind === 'word' || r.kind === 'str') {
          this.i++;
          this.where.set(`${at}/ref`, r.off);
          return { op: 'timer', periodNs, ref: r.text };
        }
        return { op: 'timer', periodNs, ref: DEFAULT_TIMER_REF };
      }
      case 'fork':
      case 'thread': {
        this.expect('{', "'{'");
        const program = this.program(`${at}/program`, '}');
        this.expect('}', "'}'");
        return { op: t.text, program };
      }
      case 'alloc':
      case 'free':
        return { op: t.text, bytes: this.bytes(`${at}/bytes`) };
      case 'exit': {
        const c = this.peek();
        if (c.kind !== 'word') return { op: 'exit', code: 0 };
        this.i++;
        if (!/^\d+$/.test(c.text)) this.fail(c.off, `bad exit code '${c.text}'`);
        this.where.set(`${at}/code`, c.off);
        return { op: 'exit', code: Number(c.text) };
      }
      case 'loop': {
        let count: number | 'forever' = 'forever';
        const c = this.peek();
        if (c.kind === 'word') {
          this.i++;
          if (!/^\d+$/.test(c.text)) this.fail(c.off, `bad loop count '${c.text}'`);
          count = Number(c.text);
          this.where.set(`${at}/count`, c.off);
        }
        this.where.set(`${at}/body`, this.expect('{', "'{'").off);
        const body = this.steps(`${at}/body`, '}');
        this.expect('}', "'}'");
        return { op: 'loop', count, body };
      }
      case 'hog':
        return { op: 'loop', count: 'forever', body: [{ op: 'run', ns: HOG_CHUNK_NS }] };
      default:
        return this.fail(t.off, `unknown step '${t.text}'`);
    }
  }

  private time(at: string): number {
    const v = this.arg('a duration');
    const m = /^(\d+)(ns|us|ms|s)$/.exec(v.text);
    if (!m) this.fail(v.off, `bad duration '${v.text}' (a whole number with ns, us, ms or s)`);
    this.where.set(at, v.off);
    const ns = Number(m[1]) * TIME_UNITS[m[2]!]!;
    if (!Number.isSafeInteger(ns)) this.fail(v.off, `duration '${v.text}' is too large`, at);
    return ns;
  }

  private bytes(at: string): bigint {
    const v = this.arg('a byte count');
    const m = /^(\d+)([KMG]?)$/.exec(v.text);
    if (!m) this.fail(v.off, `bad byte count '${v.text}' (a whole number, optional K, M or G)`);
    this.where.set(at, v.off);
    return BigInt(m[1]!) * BYTE_UNITS[m[2]!]!;
  }
}

function describe(t: Tok): string {
  if (t.kind === 'eof') return 'the end';
  if (t.kind === 'sep') return t.text === ';' ? "';'" : 'a new line';
  return t.kind === 'str' ? JSON.stringify(t.text) : `'${t.text}'`;
}

/** Parse the text form into a validated, frozen Program. */
export function parseProgram(src: string): Program {
  const ps = new Parser(src);
  const raw = ps.program('', 'eof');
  try {
    return validateProgram(raw);
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    let path = e.pointer;
    for (;;) {
      const off = ps.where.get(path);
      if (off !== undefined) return ps.fail(off, e.reason, e.pointer);
      if (path === '') return ps.fail(0, e.reason, e.pointer);
      path = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    }
  }
}
