/** `cgkit host`: what this machine's cgroups are (layout, hierarchies, controllers, features) and what cgkit may do there. */
import { Command } from 'commander';
import type { HostReport } from '../../host/kernel.js';
import type { CliContext } from './context.js';
import { CliFailure, openBackend, runAction } from './group-backend.js';
import { printJson, table } from './group-output.js';

const FEATURE_NAMES: Record<string, string> = {
  cgroupKill: 'cgroup.kill',
  cgroupFreeze: 'cgroup.freeze',
  cgroupEvents: 'cgroup.events',
  psi: 'pressure (PSI)',
  cpuBandwidth: 'CPU bandwidth',
};

export function formatHostReport(r: HostReport): string {
  const lines: string[] = [];
  lines.push(`${r.kind} cgroup layout · kernel ${r.kernelRelease ?? 'unknown'} · euid ${r.euid}`);
  lines.push('');
  lines.push(table(
    ['hierarchy', 'version', 'controllers', 'id', 'changes'],
    r.hierarchies.map((h) => [
      h.mountPoint + (h.aliases.length > 0 ? ` (${h.aliases.join(', ')})` : ''),
      `v${h.version}`,
      [...(h.name !== null ? [`name=${h.name}`] : []), ...h.controllers].join(' ') || '-',
      h.hierarchyId === null ? '-' : String(h.hierarchyId),
      h.access.mode === 'none' ? `no: ${h.access.why ?? 'not allowed'}` : h.access.mode === 'root' ? 'yes (root)' : `below ${h.access.dir ?? '?'}`,
    ]),
  ));
  lines.push('');
  lines.push(table(
    ['feature', 'present', 'how it was told'],
    Object.entries(r.features).map(([k, f]) => [FEATURE_NAMES[k] ?? k, f.present ? 'yes' : 'no', f.how]),
  ));
  lines.push('');
  const known = r.known.map((c) => `${c.name}${c.enabled ? '' : ' (disabled)'}${c.hierarchy !== undefined ? `:${c.hierarchy === 0 ? 'v2' : `v1#${c.hierarchy}`}` : ''}`);
  lines.push(`controllers: ${known.join(' ') || '-'}`);
  lines.push(`v2 features: ${r.cgroupInfo.features.join(' ') || '-'}`);
  lines.push(`delegatable files: ${r.cgroupInfo.delegate.join(' ') || '-'}`);
  return `${lines.join('\n')}\n`;
}

export function hostCommand(cli: CliContext): Command {
  return new Command('host')
    .description("describe the host's cgroups: layout, hierarchies, controllers, kernel features, and whether cgkit may change them")
    .option('--json', 'print the description as JSON')
    .action((opts: { json?: boolean }) => runAction(cli, async () => {
      const b = await openBackend(cli, { backend: 'host' }, false);
      if (b.kind !== 'host') throw new CliFailure('cgkit host describes the host only');
      const r = await b.describe();
      if (opts.json) printJson(cli.stdout, r);
      else cli.stdout.write(formatHostReport(r));
    }));
}
