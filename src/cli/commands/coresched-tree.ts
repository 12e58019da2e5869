/**
 * `cgkit coresched tree`: the trust groups (the coreschedfs seed) of a
 * trust-group manager, each with its cookie id, its kernel cookie, its fork
 * property, owner and mode, its bound cgroup and its member threads.
 *
 * Trust groups live in a running manager (coresched/TrustGroups). With
 * `--scenario FILE` that is the manager of a simulated run of the file, up
 * to `--at` (default: the scenario's end). Without it, on the host, there
 * is no manager to ask: the command says so, and why core scheduling itself
 * is missing where it is (exit 1).
 */
import { Command } from 'commander';
import type { GroupInfo, TrustGroups } from '../../coresched/trust-groups.js';
import { ROOT } from '../../coresched/types.js';
import { formatDuration } from '../../scenario/units.js';
import { coreSchedSupport } from '../../host/coresched.js';
import type { CliContext } from './context.js';
import type { CoreschedDeps } from './coresched.js';
import { CliFailure, runAction } from './group-backend.js';
import { printJson } from './group-output.js';
import { durationOption, simDeps, type SimDeps } from './sim.js';

interface TreeOpts { scenario?: string; at?: number; json?: boolean }

interface Member { tid: number; tgid: number; name: string; forks?: string }

interface TreeGroup {
  name: string;
  root: boolean;
  cookieId: number;
  /** Hex, as `coresched get` prints it. */
  cookie: string;
  properties: string;
  uid: number;
  gid: number;
  /** Octal, four digits. */
  mode: string;
  cgroup: string | null;
  /** Made by the manager for a NEW_COOKIE_FOR_CHILD fork. */
  auto: boolean;
  members: Member[];
}

interface TreeReport {
  scenario: string;
  atNs: number;
  cpus: number;
  smt: number;
  groups: TreeGroup[];
  /** Failures of the manager while it followed the kernel's task events. */
  errors: string[];
}

const hex = (c: bigint): string => `0x${c.toString(16)}`;

export function treeSubcommand(cli: CliContext, deps: CoreschedDeps, sim: SimDeps = simDeps): Command {
  return new Command('tree')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .description('the trust groups of a simulated run (--scenario): cookie id, kernel cookie, properties, owner, mode, bound cgroup, members')
    .option('--scenario <file>', 'run this scenario file on the simulated kernel and show its trust groups (its trust: section)')
    .option('--at <duration>', 'how long to run it first, e.g. 500ms (default: the whole scenario)', durationOption)
    .option('--json', 'print the groups as JSON (cookies as hex strings)')
    .addHelpText('after', `
Trust groups live in a running trust-group manager. Without --scenario there
is none to ask on this host: the command exits 1 and says why (and whether
this kernel can do core scheduling at all). To work with trust groups
interactively: cgkit shell --cpus 4 --smt 2, at /sys/kernel/coresched.`)
    .action((o: TreeOpts) => runAction(cli, async () => {
      if (o.scenario === undefined) return hostTree(deps);
      const report = await scenarioTree(cli, o.scenario, o.at, sim);
      if (o.json) printJson(cli.stdout, report);
      else cli.stdout.write(formatTree(report));
      for (const e of report.errors) cli.stderr.write(`cgkit: warning: trust-group manager: ${e}\n`);
      return 0;
    }));
}

/** No manager runs on the host for cgkit to ask: exit 1 with the reason. */
function hostTree(deps: CoreschedDeps): never {
  const s = coreSchedSupport(deps.load());
  const where = 'trust groups live in a running trust-group manager, and none runs here for cgkit to ask';
  const instead = 'give --scenario FILE to show those of a simulated run, or try them in cgkit shell --smt 2 (at /sys/kernel/coresched)';
  if (!s.supported) {
    throw new CliFailure(`coresched tree: no trust groups on this host: core scheduling is not available here: ${s.why ?? 'unknown reason'}; ${where}; ${instead}`);
  }
  throw new CliFailure(`coresched tree: ${where} (the cookie of one task: cgkit coresched get -s PID); ${instead}`);
}

/** Run the scenario to `atNs` (default its end) and read its trust groups. A bad file or --at: status 2. */
async function scenarioTree(cli: CliContext, file: string, atNs: number | undefined, sim: SimDeps): Promise<TreeReport> {
  const { loadScenarioFile, runScenario, ScenarioError } = await import('../../scenario/index.js');
  try {
    const s = loadScenarioFile(file);
    for (const w of s.warnings) cli.stderr.write(`cgkit: warning: ${w}\n`);
    if (s.trust.length === 0) throw new CliFailure(`coresched tree: ${file} has no trust: section, so its run has no trust-group manager`);
    const at = atNs ?? s.durationNs;
    if (at > s.durationNs) throw new CliFailure(`coresched tree: --at ${formatDuration(at)} is after the end of ${file} (${formatDuration(s.durationNs)})`, 2);
    // Up to --at only: no share samples, no expectations (their windows may lie beyond it).
    const sc = { ...s, durationNs: at, expect: [] };
    let report: TreeReport | undefined;
    // Read at the end of the run, before the manager is closed (closing unbinds the cgroups).
    await runScenario(sc, await sim.makeBackend(sc, {}), {
      samples: 0,
      onTrust: (tg) => {
        report = {
          scenario: s.name, atNs: at, cpus: s.cpus, smt: s.smt ?? 1,
          groups: tg.groups().map((g) => treeGroup(tg, g)),
          errors: tg.errors.map((e) => (e instanceof Error ? e.message : String(e))),
        };
      },
    });
    if (report === undefined) throw new Error('the run set up no trust groups');
    return report;
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliFailure(e.message, 2);
    throw e;
  }
}

function treeGroup(tg: TrustGroups, g: GroupInfo): TreeGroup {
  const members = tg.members(g.name).map((tid): Member => {
    const t = tg.kernel.task(tid);
    const override = tg.taskProperty(tid).override;
    return { tid, tgid: t?.tgid ?? tid, name: t?.name ?? '?', ...(override !== undefined ? { forks: override } : {}) };
  });
  return {
    name: g.name, root: g.name === ROOT, cookieId: g.cookieId, cookie: hex(g.cookie), properties: g.properties,
    uid: g.uid, gid: g.gid, mode: g.mode.toString(8).padStart(4, '0'), cgroup: g.cgroup ?? null, auto: g.auto, members,
  };
}

/** The groups as a tree: a heading line per group, its members below it. */
export function formatTree(r: TreeReport): string {
  const others = r.groups.filter((g) => !g.root).length;
  const cores = r.smt > 1 ? ` (${r.cpus / r.smt} cores × ${r.smt} threads)` : '';
  const out = [`${r.scenario} · simulated kernel · ${r.cpus} CPUs${cores} · at ${formatDuration(r.atNs)} · ${others} trust group${others === 1 ? '' : 's'} and the root group`];
  for (const g of r.groups) {
    const head = [
      g.root ? '/ (root group: untagged tasks)' : g.name,
      `cookie_id ${g.cookieId}`, `cookie ${g.cookie}`, g.properties, `owner ${g.uid}:${g.gid}`, `mode ${g.mode}`,
      ...(g.cgroup !== null ? [`cgroup ${g.cgroup}`] : []),
      ...(g.auto ? ['automatic (a NEW_COOKIE_FOR_CHILD fork)'] : []),
    ];
    out.push('', head.join('  '));
    if (g.members.length === 0) out.push('└── (no tasks)');
    g.members.forEach((m, i) => {
      const notes = [...(m.tgid !== m.tid ? [`thread of ${m.tgid}`] : []), ...(m.forks !== undefined ? [`forks: ${m.forks}`] : [])];
      out.push(`${i === g.members.length - 1 ? '└── ' : '├── '}${m.tid} ${m.name}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
    });
  }
  return `${out.join('\n')}\n`;
}
