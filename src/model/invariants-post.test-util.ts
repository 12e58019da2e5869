import type { Dir, Snapshot } from './invariants-snapshot.test-util.js';
import type { Action } from './invariants-world.test-util.js';

/**
 * Checks of one step against the state before it: what a successful
 * operation must have done, and that a refusal had the reason its errno
 * claims. Violations are `id: detail` strings like checkInvariants'.
 */

const ids = (text: string | undefined): number[] =>
  text === undefined || text.startsWith('!') ? [] : text.split('\n').filter((l) => l !== '').map(Number);

const statOf = (d: Dir | undefined, key: string): number => {
  const line = (d?.files.get('cgroup.stat') ?? '').split('\n').find((l) => l.startsWith(`${key} `));
  return Number(line?.split(' ')[1] ?? NaN);
};

const limitOf = (d: Dir, file: string): number => {
  const v = d.files.get(file)?.trim();
  return v === 'max' || v === undefined ? Infinity : Number(v);
};

const ownList = (d: Dir | undefined) => ids(d?.files.get(d.version === 2 ? 'cgroup.threads' : 'tasks'));

const dirname = (p: string) => p.replace(/\/+$/, '').replace(/\/[^/]*$/, '');

function ancestors(s: Snapshot, d: Dir | undefined): Dir[] {
  const out: Dir[] = [];
  for (let x = d; x; x = x.parent === null ? undefined : s.dirs.get(x.parent)) out.push(x);
  return out;
}

/** Would a child of `parent` pass every ancestor's cgroup.max.descendants and cgroup.max.depth? */
function mkdirAllowed(s: Snapshot, parent: Dir): boolean {
  return ancestors(s, parent).every((a, level) => statOf(a, 'nr_descendants') < limitOf(a, 'cgroup.max.descendants') && level + 1 <= limitOf(a, 'cgroup.max.depth'));
}

export function checkStep(before: Snapshot, after: Snapshot, action: Action, code: string | undefined): string[] {
  const out: string[] = [];
  const bad = (id: string, detail: string) => out.push(`${id}: ${detail}`);
  const added = [...after.dirs.keys()].filter((p) => !before.dirs.has(p));
  const removed = [...before.dirs.keys()].filter((p) => !after.dirs.has(p));
  if (action.kind === 'mkdir') {
    const parent = before.dirs.get(dirname(action.path));
    if (code === undefined) {
      if (added.length !== 1 || removed.length !== 0) bad('mkdir', `created [${added}] and removed [${removed}]`);
      else if (parent?.version === 2 && !mkdirAllowed(before, parent)) bad('mkdir', `${added[0]} was created past an ancestor's cgroup.max.descendants or cgroup.max.depth`);
    } else if (code === 'EAGAIN' && (parent?.version !== 2 || mkdirAllowed(before, parent))) {
      bad('mkdir', `EAGAIN for ${action.path}, but no ancestor's limit was reached`);
    }
  }
  if (action.kind === 'rmdir') {
    const d = before.dirs.get(action.path);
    const busy = d !== undefined && (d.children.length > 0 || (d.version === 2 ? d.files.get('cgroup.events')?.startsWith('populated 1') === true : ownList(d).length > 0));
    if (code === undefined && (removed.length !== 1 || removed[0] !== action.path || added.length !== 0 || busy)) {
      bad('rmdir', `removing ${action.path} (busy: ${busy}) removed [${removed}] and created [${added}]`);
    }
    if (code === 'EBUSY' && d && d.parent !== null && !busy) bad('rmdir', `EBUSY for ${action.path}, which had no children and no live tasks`);
  }
  if (action.kind === 'write' && code === undefined) {
    const m = /^(.*)\/(cgroup\.procs|cgroup\.threads|tasks)$/.exec(action.path);
    const pid = /^\s*[1-9]\d*\s*$/.test(action.text) ? Number(action.text) : undefined;
    const target = m ? after.dirs.get(m[1]!) : undefined;
    const t = pid === undefined ? undefined : after.tasks.find((x) => x.tid === pid);
    if (target && t && t.state !== 'zombie') {
      const whole = m![2] === 'cgroup.procs';
      const moved = after.tasks.filter((x) => x.state !== 'zombie' && (whole ? x.tgid === t.tgid : x.tid === t.tid));
      const listed = new Set(ownList(target));
      for (const x of moved) if (!listed.has(x.tid)) bad('migrate', `wrote ${pid} to ${action.path}, but task ${x.tid} is not in ${target.path}`);
    }
  }
  if (action.kind === 'task' && code === undefined) {
    const fresh = after.tasks.filter((x) => !before.tasks.some((y) => y.tid === x.tid));
    const parent = before.tasks.find((x) => x.tid === action.parent);
    const child = fresh[0];
    if (fresh.length !== 1 || !parent || !child) bad('fork', `${action.call}(${action.parent}) made [${fresh.map((x) => x.tid)}]`);
    else {
      const want = parent.cgroups.map((c) => (action.into !== undefined && action.into.startsWith(`${c.mountPoint}/`) || action.into === c.mountPoint ? action.into : c.mountPoint + (c.path === '/' ? '' : c.path)));
      const got = child.cgroups.map((c) => c.mountPoint + (c.path === '/' ? '' : c.path));
      if (want.join() !== got.join()) bad('fork', `${action.call}(${action.parent}) placed ${child.tid} in [${got}], expected [${want}]`);
      if (action.call === 'thread' && child.tgid !== parent.tgid) bad('fork', `thread ${child.tid} has tgid ${child.tgid}, not ${parent.tgid}`);
    }
  }
  return out;
}
