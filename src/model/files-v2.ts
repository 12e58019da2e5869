import { CgroupError } from '../core/errors.js';
import { formatFlat } from '../core/format/keyed.js';
import { formatIdList, formatWords } from '../core/format/lists.js';
import { parseInt32 } from '../core/format/int.js';
import { formatPsi } from '../core/format/psi.js';
import type { Cgroup } from './cgroup.js';
import type { CoreFile, FileCtx } from './files.js';
import { notifyFrozen } from './populated.js';
import { writeV2Procs } from './procs-write.js';
import { ctrlDef, isThreadedCtrl, sortCtrls } from './registry.js';
import { cpuStatExtra, cpuStatLocal } from './stat-hooks.js';
import { killCgroup } from './kill.js';
import { canBeThreadRoot, cgroupType, controlSet, domCgroup, isThreaded, isValidDomain, makeThreaded } from './v2-rules.js';
import { syncCss, writeSubtreeControl } from './tree.js';

const INT_MAX = 0x7fffffff;

function rangeInt(text: string, ctx: FileCtx, lo: number, hi: number): number {
  const v = parseInt32(text, { base: 0, path: ctx.path });
  if (v < lo || v > hi) throw new CgroupError('ERANGE', 'write', ctx.path, `${v} is outside ${lo}..${hi}`);
  return v;
}

function live(cg: Cgroup, ctx: FileCtx): void {
  if (cg.dead) throw new CgroupError('ENOENT', 'write', ctx.path);
}

function intOrMax(text: string, ctx: FileCtx): number {
  const t = text.trim();
  if (t === 'max') return INT_MAX;
  const v = parseInt32(t, { base: 0, path: ctx.path });
  if (v < 0) throw new CgroupError('ERANGE', 'write', ctx.path, 'must not be negative');
  return v;
}

const showMax = (v: number) => `${v === INT_MAX ? 'max' : v}\n`;

/** cgroup.max.descendants / cgroup.max.depth: `max` or an int >= 0 (ERANGE below). */
function limitFile(name: string, get: (cg: Cgroup) => number, set: (cg: Cgroup, v: number) => void): CoreFile {
  return {
    name, versions: V2, where: 'all', mode: 0o644,
    read: (cg) => showMax(get(cg)),
    write: (cg, text, ctx) => {
      const v = intOrMax(text, ctx);
      live(cg, ctx);
      set(cg, v);
    },
  };
}

/** Processes listed in a v2 cgroup.procs: leaders in this cgroup, or in its threaded subtree for a thread root. */
function v2Procs(cg: Cgroup): number[] {
  const out: number[] = [];
  const scan = (c: Cgroup) => {
    for (const t of c.tasks) if (t.isLeader) out.push(t.tgid);
  };
  scan(cg);
  for (const d of cg.descendantsPre()) if (d !== cg && d.domCgrp === cg) scan(d);
  return out;
}

/** Subsystem counts for cgroup.stat: v2-bound, non-inhibited controllers with a css here. */
function statLines(k: FileCtx['k'], cg: Cgroup): string {
  const lines: [string, number][] = [['nr_descendants', cg.nrDescendants]];
  const subs = k.known.filter((d) => k.dfl.controllers.includes(d.name));
  for (const d of subs) {
    let n = 0;
    if (cg.css.has(d.name)) for (const c of cg.descendantsPre()) if (c.css.has(d.name)) n++;
    lines.push([`nr_subsys_${d.name}`, n]);
  }
  lines.push(['nr_dying_descendants', cg.nrDyingDescendants]);
  for (const d of subs) lines.push([`nr_dying_subsys_${d.name}`, cg.nrDyingSubsys.get(d.name) ?? 0]);
  return formatFlat(lines);
}

const zeroPsi = (full: boolean) => formatPsi({ some: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0n }, ...(full ? { full: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0n } } : {}) });

const V2: CoreFile['versions'] = [2];

/** The cgroup v2 core interface files (cgroup_base_files and the PSI files). */
export const V2_CORE_FILES: CoreFile[] = [
  {
    name: 'cgroup.type', versions: V2, where: 'nonRoot', mode: 0o644,
    read: (cg) => cgroupType(cg, isThreadedCtrl) + '\n',
    write: (cg, text, ctx) => writeType(cg, text, ctx),
  },
  {
    name: 'cgroup.procs', versions: V2, where: 'all', mode: 0o644,
    read: (cg, ctx) => {
      if (isThreaded(cg)) throw new CgroupError('ENOTSUP', 'read', ctx.path, 'cgroup.procs is not readable in a threaded cgroup');
      return formatIdList(v2Procs(cg));
    },
    write: (cg, text, ctx) => writeV2Procs(cg, text, ctx, true),
  },
  {
    name: 'cgroup.threads', versions: V2, where: 'all', mode: 0o644,
    read: (cg) => formatIdList([...cg.tasks].map((t) => t.tid)),
    write: (cg, text, ctx) => writeV2Procs(cg, text, ctx, false),
  },
  {
    name: 'cgroup.controllers', versions: V2, where: 'all', mode: 0o444,
    read: (cg, ctx) => formatWords(sortCtrls(controlSet(cg, isThreadedCtrl, ctx.k.dfl.controllers.filter((c) => !ctrlDef(c)?.implicitOnV2)))),
  },
  {
    name: 'cgroup.subtree_control', versions: V2, where: 'all', mode: 0o644,
    read: (cg) => formatWords(sortCtrls(cg.subtreeControl)),
    write: (cg, text, ctx) => writeSubtreeControl(ctx.k, cg, text),
  },
  {
    name: 'cgroup.events', versions: V2, where: 'nonRoot', mode: 0o444,
    read: (cg) => formatFlat([['populated', cg.populated ? 1 : 0], ['frozen', cg.frozenV2 ? 1 : 0]]),
  },
  limitFile('cgroup.max.descendants', (cg) => cg.maxDescendants, (cg, v) => { cg.maxDescendants = v; }),
  limitFile('cgroup.max.depth', (cg) => cg.maxDepth, (cg, v) => { cg.maxDepth = v; }),
  { name: 'cgroup.stat', versions: V2, where: 'all', mode: 0o444, read: (cg, ctx) => statLines(ctx.k, cg) },
  { name: 'cgroup.stat.local', versions: V2, where: 'nonRoot', mode: 0o444, read: () => formatFlat([['frozen_usec', 0]]) },
  {
    name: 'cgroup.freeze', versions: V2, where: 'nonRoot', mode: 0o644,
    read: (cg) => `${cg.freezeSelf ? 1 : 0}\n`,
    write: (cg, text, ctx) => {
      const v = rangeInt(text, ctx, 0, 1);
      live(cg, ctx);
      if (cg.freezeSelf === (v === 1)) return;
      cg.freezeSelf = v === 1;
      notifyFrozen(ctx.k, cg);
      ctx.k.afterFreezeChange?.();
    },
  },
  {
    name: 'cgroup.kill', versions: V2, where: 'nonRoot', mode: 0o200,
    write: (cg, text, ctx) => {
      rangeInt(text, ctx, 1, 1);
      live(cg, ctx);
      if (isThreaded(cg)) throw new CgroupError('ENOTSUP', 'write', ctx.path, 'cgroup.kill is not supported in a threaded cgroup');
      killCgroup(ctx.k, cg);
    },
  },
  {
    name: 'cgroup.pressure', versions: V2, where: 'all', mode: 0o644,
    read: (cg) => `${cg.pressureOn ? 1 : 0}\n`,
    write: (cg, text, ctx) => {
      const v = rangeInt(text, ctx, 0, 1);
      live(cg, ctx);
      cg.pressureOn = v === 1;
    },
  },
  {
    name: 'cpu.stat', versions: V2, where: 'all', mode: 0o444,
    read: (cg, ctx) => formatFlat([
      ['usage_usec', Math.floor(cg.cpuUsageNs / 1000)], ['user_usec', Math.floor(cg.cpuUsageNs / 1000)], ['system_usec', 0],
      ['nice_usec', Math.floor(cg.cpuNiceNs / 1000)],
      // A kernel with core scheduling (here: one with SMT) reports forced idle; schedstats count it here.
      ...(ctx.k.smt > 1 ? [['core_sched.force_idle_usec', Math.floor(cg.cpuForceIdleNs / 1000)] as [string, number]] : []),
      ...cpuStatExtra(cg),
    ]),
  },
  {
    name: 'cpu.stat.local', versions: V2, where: 'all', mode: 0o444,
    read: (cg) => formatFlat(cpuStatLocal(cg)),
  },
  ...['cpu', 'io', 'memory'].map((r): CoreFile => ({
    name: `${r}.pressure`, versions: V2, where: 'all', mode: 0o644,
    visible: (cg) => cg.pressureOn,
    read: () => zeroPsi(true),
    write: (_cg, _text, ctx) => {
      if (ctx.cred.uid !== 0) throw new CgroupError('EPERM', 'write', ctx.path, 'PSI triggers need CAP_SYS_RESOURCE');
      throw new CgroupError('EINVAL', 'write', ctx.path, 'PSI triggers are not simulated');
    },
  })),
];


/** cgroup_type_write(): only "threaded"; the kernel's topology checks give EOPNOTSUPP. */
function writeType(cg: Cgroup, text: string, ctx: FileCtx): void {
  if (text.trim() !== 'threaded') throw new CgroupError('EINVAL', 'write', ctx.path, "only 'threaded' can be written");
  live(cg, ctx);
  if (isThreaded(cg)) return;
  const domainCtl = [...cg.subtreeControl].some((c) => !isThreadedCtrl(c));
  if (cg.populated || domainCtl) throw new CgroupError('ENOTSUP', 'write', ctx.path, 'a populated cgroup or one with domain controllers enabled cannot become threaded');
  const dom = domCgroup(cg.parent!);
  if (!isValidDomain(dom, isThreadedCtrl) || !canBeThreadRoot(dom, isThreadedCtrl)) {
    throw new CgroupError('ENOTSUP', 'write', ctx.path, 'the parent cannot be a thread root');
  }
  const undo = makeThreaded(cg);
  syncCss(ctx.k, [cg], undo);
}
