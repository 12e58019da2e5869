/**
 * The shell's lexer and parser: a small subset of POSIX sh.
 *
 * - words separated by blanks; `'...'` quotes literally, `"..."` quotes with
 *   `$` expansion and `\` escaping `$ " \` and newline; `\` outside quotes
 *   escapes any character, and a trailing `\` continues the line;
 * - `#` at the start of a word begins a comment;
 * - `;` and newlines separate commands;
 * - `> FILE`, `>> FILE`, `1> FILE`, `2> FILE` redirections;
 * - `$?`, `$!`, `$NAME`, `${NAME}` expansions and a leading `~` (home).
 *
 * Expansion happens when a command runs (so `false; echo $?` sees the
 * status of `false`); parsing only records where the parts came from.
 */

export type Part =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean }
  | { kind: 'home' };

export interface Word {
  parts: Part[];
}

export interface Redirect {
  fd: 1 | 2;
  append: boolean;
  target: Word;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
}

export type ParseResult =
  | { kind: 'ok'; commands: SimpleCommand[] }
  /** An open quote or a trailing backslash: more input is needed. */
  | { kind: 'incomplete' }
  | { kind: 'error'; message: string };

const BLANK = new Set([' ', '\t']);
const UNSUPPORTED = new Set(['|', '&', '<', '(', ')', '`']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Incomplete extends Error {}
class SyntaxErr extends Error {}

export function parse(src: string): ParseResult {
  try {
    return { kind: 'ok', commands: new Parser(src).run() };
  } catch (e) {
    if (e instanceof Incomplete) return { kind: 'incomplete' };
    if (e instanceof SyntaxErr) return { kind: 'error', message: e.message };
    throw e;
  }
}

/** The literal text of a word when it has no expansions (for tests and messages). */
export function wordText(w: Word): string {
  return w.parts.map((p) => (p.kind === 'lit' ? p.text : p.kind === 'home' ? '~' : `$${p.name}`)).join('');
}

class Parser {
  private i = 0;
  private commands: SimpleCommand[] = [];
  private cur: SimpleCommand = { words: [], redirects: [] };

  constructor(private readonly s: string) {}

  run(): SimpleCommand[] {
    for (;;) {
      this.skipBlanks();
      const c = this.s[this.i];
      if (c === undefined) break;
      if (c === ';' || c === '\n') {
        if (c === ';' && this.cur.words.length === 0 && this.cur.redirects.length === 0) {
          throw new SyntaxErr("syntax error near unexpected token `;'");
        }
        this.i++;
        this.endCommand();
      } else if (c === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else if (c === '>') {
        this.redirect(1);
      } else if (UNSUPPORTED.has(c)) {
        throw new SyntaxErr(`syntax error near unexpected token \`${c}'`);
      } else {
        const w = this.word();
        const ioNumber = w.parts.length === 1 && w.parts[0]?.kind === 'lit' && !w.parts[0].quoted
          && (w.parts[0].text === '1' || w.parts[0].text === '2');
        if (ioNumber && this.s[this.i] === '>') this.redirect(w.parts[0]?.kind === 'lit' && w.parts[0].text === '2' ? 2 : 1);
        else this.cur.words.push(w);
      }
    }
    this.endCommand();
    return this.commands;
  }

  private endCommand(): void {
    if (this.cur.words.length > 0 || this.cur.redirects.length > 0) this.commands.push(this.cur);
    this.cur = { words: [], redirects: [] };
  }

  private skipBlanks(): void {
    while (BLANK.has(this.s[this.i] ?? '')) this.i++;
    // A backslash-newline outside a word is a line continuation.
    if (this.s[this.i] === '\\' && this.s[this.i + 1] === '\n') {
      this.i += 2;
      this.skipBlanks();
    } else if (this.s[this.i] === '\\' && this.i + 1 === this.s.length) {
      throw new Incomplete();
    }
  }

  private redirect(fd: 1 | 2): void {
    this.i++; // '>'
    let append = false;
    if (this.s[this.i] === '>') {
      append = true;
      this.i++;
    }
    this.skipBlanks();
    const c = this.s[this.i];
    if (c === undefined || c === '\n' || c === ';' || c === '>' || UNSUPPORTED.has(c)) {
      const tok = c === undefined || c === '\n' ? 'newline' : c;
      throw new SyntaxErr(`syntax error near unexpected token \`${tok}'`);
    }
    this.cur.redirects.push({ fd, append, target: this.word() });
  }

  /** One word, starting at a non-blank, non-operator character. */
  private word(): Word {
    const parts: Part[] = [];
    let lit = '';
    let litQuoted = false;
    const flush = (): void => {
      if (lit !== '') parts.push({ kind: 'lit', text: lit, quoted: litQuoted });
      lit = '';
    };
    const addLit = (text: string, quoted: boolean): void => {
      if (quoted !== litQuoted) flush();
      litQuoted = quoted;
      lit += text;
    };
    const next = this.s[this.i + 1];
    if (this.s[this.i] === '~' && (next === undefined || next === '/' || BLANK.has(next) || next === ';' || next === '\n')) {
      parts.push({ kind: 'home' });
      this.i++;
    }
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || BLANK.has(c) || c === '\n' || c === ';' || c === '>' || UNSUPPORTED.has(c)) break;
      if (c === "'") {
        const end = this.s.indexOf("'", this.i + 1);
        if (end < 0) throw new Incomplete();
        addLit(this.s.slice(this.i + 1, end), true);
        // An empty '' still makes a (quoted, empty) word.
        if (end === this.i + 1) { flush(); parts.push({ kind: 'lit', text: '', quoted: true }); }
        this.i = end + 1;
      } else if (c === '"') {
        this.i++;
        let any = false;
        for (;;) {
          const d = this.s[this.i];
          if (d === undefined) throw new Incomplete();
          if (d === '"') { this.i++; break; }
          any = true;
          if (d === '\\') {
            const e = this.s[this.i + 1];
            if (e === undefined) throw new Incomplete();
            if (e === '\n') { this.i += 2; continue; }
            if (e === '$' || e === '"' || e === '\\' || e === '`') { addLit(e, true); this.i += 2; continue; }
            addLit('\\', true);
            this.i++;
          } else if (d === '$') {
            const v = this.variable();
            if (v === undefined) { addLit('$', true); this.i++; }
            else { flush(); parts.push({ kind: 'var', name: v, quoted: true }); }
          } else if (d === '`') {
            throw new SyntaxErr('command substitution is not supported');
          } else {
            addLit(d, true);
            this.i++;
          }
        }
        if (!any) { flush(); parts.push({ kind: 'lit', text: '', quoted: true }); }
      } else if (c === '\\') {
        const e = this.s[this.i + 1];
        if (e === undefined) throw new Incomplete();
        this.i += 2;
        if (e !== '\n') addLit(e, true);
      } else if (c === '$') {
        const v = this.variable();
        if (v === undefined) { addLit('$', false); this.i++; }
        else { flush(); parts.push({ kind: 'var', name: v, quoted: false }); }
      } else {
        addLit(c, false);
        this.i++;
      }
    }
    flush();
    return { parts };
  }

  /** At a `$`: the variable name it starts (consuming it), or undefined for a literal `$`. */
  private variable(): string | undefined {
    const c = this.s[this.i + 1];
    if (c === '?' || c === '!' || c === '$') {
      this.i += 2;
      return c;
    }
    if (c === '(') throw new SyntaxErr('command substitution is not supported');
    if (c === '{') {
      const end = this.s.indexOf('}', this.i + 2);
      if (end < 0) throw new SyntaxErr('bad substitution: missing `}\'');
      const name = this.s.slice(this.i + 2, end);
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[?!$])$/.test(name)) throw new SyntaxErr(`\${${name}}: bad substitution`);
      this.i = end + 1;
      return name;
    }
    if (c === undefined || !NAME_START.test(c)) return undefined;
    let j = this.i + 1;
    while (j < this.s.length && NAME_CHAR.test(this.s[j] ?? '')) j++;
    const name = this.s.slice(this.i + 1, j);
    this.i = j;
    return name;
  }
}
