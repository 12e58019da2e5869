/**
 * File modes: `ls -l` strings and `chmod` mode arguments (octal, or
 * symbolic clauses like `g+w,o-r`, `u=rwx`, `a+X`).
 */

export function modeString(mode: number, isDirectory: boolean): string {
  const bit = (m: number, c: string): string => ((mode & m) !== 0 ? c : '-');
  const exec = (x: number, special: number, set: string, unset: string): string => {
    const hasX = (mode & x) !== 0;
    if ((mode & special) === 0) return hasX ? 'x' : '-';
    return hasX ? set : unset;
  };
  return (isDirectory ? 'd' : '-')
    + bit(0o400, 'r') + bit(0o200, 'w') + exec(0o100, 0o4000, 's', 'S')
    + bit(0o040, 'r') + bit(0o020, 'w') + exec(0o010, 0o2000, 's', 'S')
    + bit(0o004, 'r') + bit(0o002, 'w') + exec(0o001, 0o1000, 't', 'T');
}

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/**
 * The new mode for `chmod MODE` applied to a file with mode `current`;
 * `undefined` when MODE is not a valid mode.
 */
export function applyMode(spec: string, current: number, isDirectory: boolean): number | undefined {
  if (/^[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXst]*)+)$/.exec(clause);
    if (!m) return undefined;
    let who = 0;
    for (const w of m[1] ?? '') who |= WHO[w] ?? 0;
    if (who === 0) who = 0o7777;
    for (const op of (m[2] ?? '').match(/[-+=][rwxXst]*/g) ?? []) {
      let bits = 0;
      for (const p of op.slice(1)) {
        if (p === 'r') bits |= 0o444;
        else if (p === 'w') bits |= 0o222;
        else if (p === 'x') bits |= 0o111;
        else if (p === 'X') { if (isDirectory || (mode & 0o111) !== 0) bits |= 0o111; }
        else if (p === 's') bits |= 0o6000;
        else if (p === 't') bits |= 0o1000;
      }
      bits &= who;
      if (op[0] === '+') mode |= bits;
      else if (op[0] === '-') mode &= ~bits;
      else mode = (mode & ~(who & 0o777)) | bits;
    }
  }
  return mode;
}

/** `chown` owner argument: `UID`, `UID:GID`, `:GID`, `UID:` (`root` names 0). */
export function parseOwner(spec: string): { uid?: number; gid?: number } | { bad: 'user' | 'group'; text: string } {
  const colon = spec.indexOf(':');
  const userText = colon < 0 ? spec : spec.slice(0, colon);
  const groupText = colon < 0 ? '' : spec.slice(colon + 1);
  const id = (t: string): number | undefined => (t === 'root' ? 0 : /^\d+$/.test(t) ? Number(t) : undefined);
  const out: { uid?: number; gid?: number } = {};
  if (userText !== '') {
    const u = id(userText);
    if (u === undefined) return { bad: 'user', text: userText };
    out.uid = u;
  }
  if (groupText !== '') {
    const g = id(groupText);
    if (g === undefined) return { bad: 'group', text: groupText };
    out.gid = g;
  }
  return out;
}

/** The name `ls -l` shows for a uid or gid (no user database: root, else the number). */
export function ownerName(id: number): string {
  return id === 0 ? 'root' : String(id);
}
