/**
 * A scenario's YAML text, parsed once, with the line of every node: the
 * loader asks for the line of a JSON-pointer-like path (`['tasks', 2,
 * 'count']`), and schema errors from ajv are mapped to lines the same way.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ScenarioError } from './errors.js';
import { GROUP_PATH_PATTERN, SCENARIO_SCHEMA } from './schema.js';

export type PathSeg = string | number;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile(SCENARIO_SCHEMA);

export class YamlSource {
  readonly data: unknown;
  private readonly doc: Document.Parsed;
  private readonly lc = new LineCounter();

  constructor(text: string, readonly file: string) {
    this.doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false, uniqueKeys: true, merge: false });
    const err = this.doc.errors[0];
    if (err) {
      const line = err.linePos?.[0].line ?? this.lc.linePos(err.pos[0]).line;
      throw new ScenarioError(file, line, `YAML: ${err.message.split('\n')[0]!}`);
    }
    const data = this.doc.toJS({ maxAliasCount: 1000 }) as unknown;
    this.data = data;
    if (data === null || data === undefined) throw new ScenarioError(file, 1, 'the scenario is empty');
    if (!validate(data)) throw this.schemaError(validate.errors ?? []);
  }

  /** The node at `path`, or the deepest existing node on the way (with `key`, the key of the last pair). */
  node(path: readonly PathSeg[], key = false): Node | undefined {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const last = i === path.length - 1;
        const v = pair.value;
        node = (last && key) || v === null || !isNodeWithRange(v) ? pair.key : v;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
      } else break;
    }
    return isNodeWithRange(node) ? node : undefined;
  }

  /** 1-based line of `path` (see node()); 1 when nothing better is known. */
  line(path: readonly PathSeg[], key = false): number {
    const n = this.node(path, key);
    return n?.range ? this.lc.linePos(n.range[0]).line : 1;
  }

  /** Line of the first character of a string value's content (after `|`/`>` for block scalars). */
  contentLine(path: readonly PathSeg[]): number {
    const n = this.node(path);
    const l = this.line(path);
    return isScalar(n) && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') ? l + 1 : l;
  }

  /** Pairs of a mapping at `path` with their key lines, in file order. */
  entries(path: readonly PathSeg[]): { key: string; value: unknown; line: number }[] {
    const obj = this.at(path);
    if (typeof obj !== 'object' || obj === null) return [];
    return Object.entries(obj as Record<string, unknown>).map(([key, value]) => ({ key, value, line: this.line([...path, key], true) }));
  }

  at(path: readonly PathSeg[]): unknown {
    let v: unknown = this.data;
    for (const seg of path) v = (v as Record<string, unknown> | undefined)?.[seg as string];
    return v;
  }

  fail(path: readonly PathSeg[], reason: string, key = false): ScenarioError {
    return new ScenarioError(this.file, this.line(path, key), reason);
  }

  private schemaError(errors: ErrorObject[]): ScenarioError {
    // The most specific error: the deepest path; branch errors of anyOf lose to their parent's summary.
    const pick = [...errors].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0]!;
    const path = pointer(pick.instancePath);
    const p = pick.params as Record<string, unknown>;
    const where = path.length ? `${path.join('.')}: ` : '';
    switch (pick.keyword) {
      case 'additionalProperties':
        return this.fail([...path, String(p['additionalProperty'])], `${where}unknown key '${String(p['additionalProperty'])}'`, true);
      case 'propertyNames':
        return this.fail([...path, String(p['propertyName'])], `${where}bad name '${String(p['propertyName'])}'`, true);
      case 'required':
        return this.fail(path, `${where}missing '${String(p['missingProperty'])}'`);
      case 'enum':
        return this.fail(path, `${where}must be one of ${(p['allowedValues'] as unknown[]).join(', ')}`);
      case 'not':
        return this.fail(path, `${where}give either 'program' or 'rtapp', not both`);
      case 'minProperties':
      case 'maxProperties':
        if (path[0] === 'timeline') return this.fail(path, `${where}a timeline entry has 'at' and one action (write, move, spawn, kill, freeze, thaw, policy)`);
        break;
      case 'pattern':
        if (p['pattern'] === GROUP_PATH_PATTERN) return this.fail(path, `${where}'${String(this.at(path))}' is not a group path (like / or /guest/web)`);
        return this.fail(path, `${where}'${String(this.at(path))}' is not a valid name (letters, digits, _ . @ : + -)`);
      case 'anyOf':
        return this.fail(path, `${where}${anyOfMessage(path)}`);
      default:
        break;
    }
    return this.fail(path, `${where}${pick.message ?? 'is not valid'}`);
  }
}

function anyOfMessage(path: PathSeg[]): string {
  if (path[0] === 'expect') return "an expectation is a line like 'share of /guest: 50% ± 1'";
  if (path[0] === 'groups') return 'a group is a mapping of file names to values (or empty)';
  if (path.at(-1) === 'cpus') return 'cpus is a list of CPU numbers or a cpu list like 0-3';
  return 'has the wrong type';
}

function isNodeWithRange(n: unknown): n is Node {
  return typeof n === 'object' && n !== null && 'range' in n && Array.isArray((n as { range?: unknown }).range);
}

function pointer(p: string): PathSeg[] {
  if (p === '') return [];
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function depth(e: ErrorObject): number {
  return pointer(e.instancePath).length + (e.keyword === 'additionalProperties' || e.keyword === 'propertyNames' ? 1 : 0);
}

/** Among errors at the same depth: the anyOf summary before its branches, then the first reported. */
function rank(e: ErrorObject): number {
  return e.keyword === 'anyOf' ? 0 : e.keyword === 'type' ? 2 : 1;
}
