import type { Cgroup, CssImpl } from './cgroup.js';
import { isThreadedCtrl } from './registry.js';
import type { Dir, Snapshot } from './invariants-snapshot.test-util.js';
import type { World } from './invariants-world.test-util.js';

/**
 * The invariants checked after every step. Each returns violations as
 * `id: detail` strings; the ids name the rule so that a known model bug
 * can be listed by id in the test (and nothing else is excused).
 */

const ids = (text: string | undefined): number[] =>
  text === undefined || text.startsWith('!') ? [] : text.split('\n').filter((l) => l !== '').map(Number);

const words = (text: string | undefined): string[] => (text ?? '').trim().split(/\s+/).filter((w) => w !== '');

function keyed(text: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.split(' ');
    if (k) m.set(k, v ?? '');
  }
  return m;
}

function chainHas(css: CssImpl<unknown> | undefined, target: CssImpl<unknown>): boolean {
  for (let c = css ?? null; c; c = c.parent) if (c === target) return true;
  return false;
}

export function checkInvariants(w: World, s: Snapshot): string[] {
  const out: string[] = [];
  const bad = (id: string, detail: string) => out.push(`${id}: ${detail}`);
  const internal = new Map<string, Cgroup>();
  for (const h of w.k.mounted()) {
    const paths = [...h.root.descendantsPre()].map((cg) => {
      internal.set(cg.fsPath, cg);
      return cg.fsPath;
    });
    const seen = (s.byMount.get(h.mountPoint) ?? []).map((d) => d.path);
    if (paths.sort().join('\n') !== seen.sort().join('\n')) bad('tree', `${h.mountPoint}: kernel has [${paths}], readdir shows [${seen}]`);
  }
  const live = s.tasks.filter((t) => t.state !== 'zombie');
  const liveTids = new Set(live.map((t) => t.tid));
  const byTid = new Map(s.tasks.map((t) => [t.tid, t]));
  const dir = (p: string | null) => (p === null ? undefined : s.dirs.get(p));
  const ancestorsAndSelf = (d: Dir): Dir[] => {
    const a: Dir[] = [];
    for (let x: Dir | undefined = d; x; x = dir(x.parent)) a.push(x);
    return a;
  };
  const subtree = (d: Dir): Dir[] => [d, ...d.children.flatMap((c) => subtree(dir(c)!))];

  // Placement: every live task in exactly one group per hierarchy, the one it reports.
  const ownTids = new Map<string, number[]>();
  for (const [mp, list] of s.byMount) {
    const v2 = list[0]?.version === 2;
    const where = new Map<number, string[]>();
    for (const d of list) {
      const f = d.files.get(v2 ? 'cgroup.threads' : 'tasks');
      if (f === undefined || f.startsWith('!')) bad('placement', `${d.path}: cannot read its task list (${f})`);
      const tids = ids(f);
      ownTids.set(d.path, tids);
      for (const tid of tids) {
        where.set(tid, [...(where.get(tid) ?? []), d.path]);
        if (!liveTids.has(tid)) bad('placement', `${d.path} lists ${tid}, which is not a live task (${byTid.get(tid)?.state ?? 'gone'})`);
      }
    }
    const h = w.k.mounted().find((x) => x.mountPoint === mp);
    for (const t of live) {
      const at = where.get(t.tid) ?? [];
      const info = t.cgroups.find((c) => c.mountPoint === mp);
      const want = info ? (info.path === '/' ? mp : mp + info.path) : undefined;
      if (at.length !== 1 || at[0] !== want) bad('placement', `task ${t.tid} is listed in [${at}] of ${mp}; it reports ${want}`);
      // /proc/<tid>/cgroup: the line of this hierarchy (`id:controllers:path`) names the same group.
      const line = (s.procCgroup.get(t.tid) ?? '').split('\n').find((l) => h && l.startsWith(`${h.id}:`));
      const path = line?.split(':').slice(2).join(':');
      if (at.length === 1 && (path === undefined || (path === '/' ? mp : mp + path) !== at[0])) bad('proc-cgroup', `task ${t.tid}: /proc says ${JSON.stringify(line)}, ${mp} lists it in ${at[0]}`);
    }
    // cgroup.procs: v2, each live process in exactly its domain's file; v1, every group holding one of its threads.
    const procsAt = new Map<number, string[]>();
    for (const d of list) {
      const f = d.files.get('cgroup.procs');
      const threaded = d.files.get('cgroup.type') === 'threaded\n';
      if (v2 && threaded !== (f === '!ENOTSUP')) bad('procs', `${d.path}: cgroup.procs reads ${JSON.stringify(f)} in a ${threaded ? '' : 'non-'}threaded group`);
      for (const tgid of ids(f)) {
        procsAt.set(tgid, [...(procsAt.get(tgid) ?? []), d.path]);
        const leader = byTid.get(tgid);
        if (!leader || leader.state === 'zombie' || leader.tgid !== tgid) bad('procs', `${d.path}/cgroup.procs lists ${tgid} (${leader?.state ?? 'gone'})`);
      }
      if (!v2) {
        const want = [...new Set(ids(d.files.get('tasks')).map((tid) => byTid.get(tid)?.tgid))].sort();
        const got = [...new Set(ids(f))].sort();
        if (want.join() !== got.join()) bad('procs', `${d.path}: cgroup.procs [${got}] but tasks belong to [${want}]`);
      }
    }
    if (v2) {
      for (const t of live) {
        if (t.tid !== t.tgid) continue;
        // Its domain (the kernel's dom_cgrp): up past threaded groups and, for a thread below a group made
        // 'domain invalid' after it became threaded, past that group too.
        let d = dir((where.get(t.tid) ?? [])[0] ?? null);
        while (d && (d.files.get('cgroup.type') === 'threaded\n' || d.files.get('cgroup.type') === 'domain invalid\n')) d = dir(d.parent);
        const at = procsAt.get(t.tgid) ?? [];
        if (at.length !== 1 || at[0] !== d?.path) bad('procs', `process ${t.tgid} is listed in cgroup.procs of [${at}], its domain is ${d?.path}`);
      }
    }
  }

  const populated = (d: Dir) => subtree(d).some((x) => (ownTids.get(x.path) ?? []).length > 0);
  const v2Frozen = (d: Dir) => ancestorsAndSelf(d).some((x) => x.files.get('cgroup.freeze') === '1\n');

  // A removed group stays dying while a zombie still pins it.
  const dyingAt = new Map<Cgroup, number>();
  const pinned = new Set<Cgroup>();
  for (const t of w.k.tasks.values()) if (t.exited) for (const cg of t.cgroups.values()) if (cg.dead) pinned.add(cg);
  for (const cg of pinned) for (let a = cg.parent; a; a = a.parent) dyingAt.set(a, (dyingAt.get(a) ?? 0) + 1);

  for (const d of s.dirs.values()) {
    const cg = internal.get(d.path);
    const counts = { descendants: subtree(d).length - 1, dying: cg ? dyingAt.get(cg) ?? 0 : 0 };
    if (d.version === 2) checkV2(d, dir(d.parent), populated(d), v2Frozen(d), counts, ownTids.get(d.path) ?? [], bad);
    else checkFreezerV1(d, ancestorsAndSelf(d), bad);
    checkCounters(w, d, cg, bad);
  }

  // Tasks: frozen state, zombies awaiting a live parent, threads sharing their process's parent.
  for (const t of s.tasks) {
    if (t.state === 'zombie') {
      const p = byTid.get(t.ppid);
      if (t.tid !== t.tgid) bad('zombie', `thread ${t.tid} is a zombie`);
      if (!p || p.state === 'zombie' || p.tid === 1) bad('zombie', `zombie ${t.tid} has parent ${t.ppid} (${p?.state ?? 'gone'}); init and exited parents reap at once`);
      continue;
    }
    if (t.tid !== t.tgid) {
      const leader = byTid.get(t.tgid);
      if (!leader || leader.state === 'zombie') bad('thread', `thread ${t.tid} lives on without its leader ${t.tgid}`);
      else if (leader.ppid !== t.ppid) bad('thread-ppid', `thread ${t.tid} has ppid ${t.ppid}, its process ${t.tgid} has ${leader.ppid}`);
    }
    let frozen = false;
    for (const c of t.cgroups) {
      const d = s.dirs.get(c.path === '/' ? c.mountPoint : c.mountPoint + c.path);
      if (!d) continue;
      if (d.version === 2 && v2Frozen(d)) frozen = true;
      if (d.files.get('freezer.self_freezing') === '1\n' || d.files.get('freezer.parent_freezing') === '1\n') frozen = true;
    }
    if (frozen && t.state !== 'frozen' && t.state !== 'stopped') bad('frozen-task', `task ${t.tid} in a frozen group reports '${t.state}'`);
    if (!frozen && t.state === 'frozen') bad('frozen-task', `task ${t.tid} outside frozen groups reports 'frozen'`);
  }
  return out;
}

type Bad = (id: string, detail: string) => void;

function checkV2(d: Dir, parent: Dir | undefined, populated: boolean, frozen: boolean, n: { descendants: number; dying: number }, own: number[], bad: Bad): void {
  const ctl = words(d.files.get('cgroup.controllers'));
  const sub = words(d.files.get('cgroup.subtree_control'));
  const type = d.files.get('cgroup.type')?.trim();
  for (const c of sub) if (!ctl.includes(c)) bad('subtree_control', `${d.path}: '${c}' enabled but not in cgroup.controllers [${ctl}]`);
  if (parent) {
    const psub = words(parent.files.get('cgroup.subtree_control'));
    for (const c of ctl) if (!psub.includes(c)) bad('controllers', `${d.path}: '${c}' available but not in the parent's subtree_control [${psub}]`);
    if (type === 'threaded') {
      for (const c of ctl) if (!isThreadedCtrl(c)) bad('controllers', `${d.path}: domain controller '${c}' in a threaded group`);
      // A parent with a threaded child is a thread root, threaded itself, or (once an ancestor became threaded) 'domain invalid'.
      const ptype = parent.files.get('cgroup.type')?.trim();
      if (parent.parent !== null && ptype === 'domain') bad('type', `${d.path}: threaded below a 'domain' group`);
    }
    if (sub.some((c) => !isThreadedCtrl(c)) && own.length > 0) bad('internal-procs', `${d.path}: domain controllers [${sub}] enabled and tasks [${own}] of its own`);
    // Populated only through threaded descendants that kept their domain (the kernel allows that).
    if (type === 'domain invalid' && own.length > 0) bad('domain-invalid', `${d.path}: 'domain invalid' with tasks [${own}] of its own`);
    const ev = keyed(d.files.get('cgroup.events'));
    if (ev.get('populated') !== (populated ? '1' : '0')) bad('populated', `${d.path}: cgroup.events populated ${ev.get('populated')}, live tasks below: ${populated}`);
    if (ev.get('frozen') !== (frozen ? '1' : '0')) bad('frozen', `${d.path}: cgroup.events frozen ${ev.get('frozen')}, freeze requested on it or above: ${frozen}`);
  }
  const st = keyed(d.files.get('cgroup.stat'));
  if (st.get('nr_descendants') !== String(n.descendants)) bad('nr_descendants', `${d.path}: cgroup.stat nr_descendants ${st.get('nr_descendants')}, really ${n.descendants}`);
  if (st.get('nr_dying_descendants') !== String(n.dying)) bad('nr_descendants', `${d.path}: nr_dying_descendants ${st.get('nr_dying_descendants')}, removed groups below still holding zombies: ${n.dying}`);
}

/** v1 freezer: instant freezing, so FROZEN exactly when the group or a parent asked. */
function checkFreezerV1(d: Dir, chain: Dir[], bad: Bad): void {
  const state = d.files.get('freezer.state');
  if (state === undefined) return;
  const self = d.files.get('freezer.self_freezing') === '1\n';
  const parent = d.files.get('freezer.parent_freezing') === '1\n';
  const above = chain.slice(1).some((a) => a.files.get('freezer.self_freezing') === '1\n');
  if (parent !== above) bad('freezer', `${d.path}: parent_freezing ${parent}, an ancestor freezing: ${above}`);
  const want = self || parent ? 'FROZEN\n' : 'THAWED\n';
  if (state !== want) bad('freezer', `${d.path}: freezer.state ${JSON.stringify(state)}, expected ${JSON.stringify(want)}`);
}

/**
 * pids.current: every task (threads, and zombies until reaped) charged to
 * this css or below; a zombie stays charged to the css it had at exit.
 * memory.current / usage_in_bytes: the pages each live process charged to
 * this css or below (charges stay where they were made).
 */
function checkCounters(w: World, d: Dir, cg: Cgroup | undefined, bad: Bad): void {
  const pidsText = d.files.get('pids.current');
  if (pidsText !== undefined && cg) {
    const css = cg.css.get('pids');
    let want = 0;
    for (const t of w.k.tasks.values()) {
      const h = css?.cgroup.hier;
      const at = t.exited ? w.zombiePids.get(t) : h ? t.cgroups.get(h)?.effectiveCss('pids') : undefined;
      if (css && chainHas(at, css)) want++;
    }
    if (pidsText !== `${want}\n`) bad('pids.current', `${d.path}: pids.current ${pidsText.trim()}, tasks charged here and below: ${want}`);
  }
  const memText = d.files.get(d.version === 2 ? 'memory.current' : 'memory.usage_in_bytes');
  if (memText !== undefined && cg) {
    const css = cg.css.get('memory');
    const want = css ? w.memory.usage(css) : 0n;
    if (memText !== `${want}\n`) bad('memory.current', `${d.path}: ${memText.trim()} bytes charged, the processes' charges here and below: ${want}`);
    const sw = d.files.get('memory.memsw.usage_in_bytes');
    if (sw !== undefined && sw !== memText) bad('memory.current', `${d.path}: memsw.usage ${sw.trim()} differs from usage ${memText.trim()} without swap`);
  }
}
