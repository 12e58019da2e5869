import { defineController, defineFile, type Css } from '../controller.js';
import { CgroupError } from '../errors.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * devices (v1 only, security/device_cgroup.c): a default behaviour (allow
 * or deny all) plus a list of exceptions. Bookkeeping only: the simulated
 * kernel has no device nodes to guard, but the rules, the parent checks
 * (EPERM) and the propagation to descendants are the kernel's.
 */

const BLOCK = 1;
const CHAR = 2;
const ALL = BLOCK | CHAR;
const ANY = -1;

export interface DevException {
  type: number;
  /** -1 is `*`. */
  major: number;
  minor: number;
  /** Bits r=1 w=2 m=4. */
  access: number;
}

export interface DevicesState {
  behavior: 'allow' | 'deny';
  exceptions: DevException[];
}

type C = Css<DevicesState>;

type Write = { all: true } | { all: false; ex: DevException };

function parseNum(s: string, i: number): [number, number] {
  if (s[i] === '*') return [ANY, i + 1];
  const m = /^[0-9]{1,11}/.exec(s.slice(i));
  if (!m) throw einval('expected a device number or *');
  const v = Number(m[0]);
  if (v > 0xffffffff) throw einval('device number too large');
  return [v, i + m[0].length];
}

/** devcgroup_update_access() parsing: `a`, or `b|c MAJ|*:MIN|* [rwm]{1,3}`. */
export function parseDevRule(text: string): Write {
  const s = strstrip(text);
  if (s[0] === 'a') return { all: true };
  const type = s[0] === 'b' ? BLOCK : s[0] === 'c' ? CHAR : 0;
  if (!type || !/\s/.test(s[1] ?? '')) throw einval('rule is "a" or "b|c MAJ:MIN ACCESS"');
  const [major, i1] = parseNum(s, 2);
  if (s[i1] !== ':') throw einval('expected MAJ:MIN');
  const [minor, i2] = parseNum(s, i1 + 1);
  if (!/\s/.test(s[i2] ?? '')) throw einval('expected access after MAJ:MIN');
  let access = 0;
  for (let i = i2 + 1, n = 0; n < 3 && i < s.length; i++, n++) {
    const bit = { r: 1, w: 2, m: 4 }[s[i]!];
    if (bit === undefined) throw einval(`bad access '${s[i]}'`);
    access |= bit;
  }
  return { all: false, ex: { type, major, minor, access } };
}

const covers = (exField: number, field: number): boolean => exField === ANY || exField === field;

/** match_exception(): an exception of the list fully contains the rule. */
function matchFull(list: readonly DevException[], r: DevException): boolean {
  return list.some((e) => (r.type & BLOCK ? (e.type & BLOCK) !== 0 : true) && (r.type & CHAR ? (e.type & CHAR) !== 0 : true) &&
    covers(e.major, r.major) && covers(e.minor, r.minor) && (r.access & ~e.access) === 0);
}

/** match_exception_partial(): an exception of the list overlaps the rule. */
function matchPartial(list: readonly DevException[], r: DevException): boolean {
  return list.some((e) => (r.type & BLOCK ? (e.type & BLOCK) !== 0 : true) && (r.type & CHAR ? (e.type & CHAR) !== 0 : true) &&
    (e.major === ANY || r.major === ANY || e.major === r.major) && (e.minor === ANY || r.minor === ANY || e.minor === r.minor) &&
    (r.access & e.access) !== 0);
}

/** verify_new_ex() against the parent. */
function parentHasPerm(css: C, ex: DevException): boolean {
  const p = css.parent;
  if (!p) return true;
  if (p.state.behavior === 'allow') return css.state.behavior === 'allow' || !matchPartial(p.state.exceptions, ex);
  return matchFull(p.state.exceptions, ex);
}

function exAdd(s: DevicesState, ex: DevException): void {
  const same = s.exceptions.find((e) => e.type === ex.type && e.major === ex.major && e.minor === ex.minor);
  if (same) same.access |= ex.access;
  else s.exceptions.push({ ...ex });
}

function exRm(s: DevicesState, ex: DevException): void {
  for (const e of s.exceptions) if (e.type === ex.type && e.major === ex.major && e.minor === ex.minor) e.access &= ~ex.access;
  s.exceptions = s.exceptions.filter((e) => e.access !== 0);
}

function descendants(css: C): C[] {
  return css.children().flatMap((c) => [c, ...descendants(c)]);
}

/** propagate_exception(): push a new restriction down, then drop what parents no longer allow. */
function propagate(root: C, ex: DevException): void {
  for (const d of descendants(root)) {
    if (root.state.behavior === 'allow' && d.state.behavior === 'allow') exAdd(d.state, ex);
    else exRm(d.state, ex);
    for (const e of [...d.state.exceptions]) if (!parentHasPerm(d, e)) exRm(d.state, e);
  }
}

function access(a: number): string {
  return `${a & 1 ? 'r' : ''}${a & 2 ? 'w' : ''}${a & 4 ? 'm' : ''}`;
}

const num = (n: number): string => (n === ANY ? '*' : `${n}`);

function checkAll(css: C, allow: boolean): void {
  if (css.children().length > 0) throw einval('"a" needs a group without children');
  if (allow && css.parent && css.parent.state.behavior !== 'allow') throw new CgroupError('EPERM', 'write', undefined, 'the parent denies by default');
}

const ruleFile = (name: 'devices.allow' | 'devices.deny') =>
  defineFile<DevicesState, Write>({
    name,
    versions: [1],
    parse: (t) => parseDevRule(t),
    validate: (css, w, k) => {
      if (!k.callerIsAdmin) throw new CgroupError('EPERM', 'write', undefined, 'needs CAP_SYS_ADMIN');
      const allow = name === 'devices.allow';
      if (w.all) return checkAll(css, allow);
      if (!allow) return;
      if (!parentHasPerm(css, w.ex)) throw new CgroupError('EPERM', 'write', undefined, 'the parent does not allow it');
      if (css.state.behavior === 'allow' && css.parent?.state.behavior === 'allow' && matchPartial(css.parent.state.exceptions, w.ex)) {
        throw new CgroupError('EPERM', 'write', undefined, 'the parent denies part of it');
      }
    },
    apply: (css, w) => {
      const s = css.state;
      if (w.all) {
        s.behavior = name === 'devices.allow' ? 'allow' : 'deny';
        s.exceptions = name === 'devices.allow' && css.parent ? css.parent.state.exceptions.map((e) => ({ ...e })) : [];
        return;
      }
      if (name === 'devices.allow') {
        if (s.behavior === 'allow') exRm(s, w.ex);
        else exAdd(s, w.ex);
        return;
      }
      if (s.behavior === 'deny') exRm(s, w.ex);
      else exAdd(s, w.ex);
      propagate(css, w.ex);
    },
  });

export const devices = defineController<DevicesState>({
  name: 'devices',
  versions: [1],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'Device access rules (v1; v2 uses BPF programs instead)',
  create: (parent) => ({
    behavior: parent?.state.behavior ?? 'allow',
    exceptions: parent ? parent.state.exceptions.map((e) => ({ ...e })) : [],
  }),
  files: [
    ruleFile('devices.allow'),
    ruleFile('devices.deny'),
    defineFile<DevicesState, never>({
      name: 'devices.list',
      versions: [1],
      read: (css) => css.state.behavior === 'allow'
        ? 'a *:* rwm\n'
        : css.state.exceptions.map((e) => `${e.type === BLOCK ? 'b' : e.type === CHAR ? 'c' : 'a'} ${num(e.major)}:${num(e.minor)} ${access(e.access)}\n`).join(''),
    }),
  ],
});

export { ALL as DEV_ALL };
