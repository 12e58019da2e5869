import { CgroupError } from '../errors.js';

/**
 * memory.numa_stat. v1 lines are `total=3932 N0=3932` and
 * `hierarchical_file=27951 N0=27951` (key=total, then one `N<node>=value`
 * per node; values in pages); v2 lines are `anon N0=1234 N1=0` (no total;
 * values in bytes). Nodes keep the file's order.
 */
export interface NumaStatLine {
  total?: bigint;
  nodes: Map<number, bigint>;
}

export type NumaStat = Map<string, NumaStatLine>;

const U64_MAX = (1n << 64n) - 1n;

function bad(why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', undefined, why);
}

function counter(v: string | undefined, line: string): bigint {
  if (v === undefined || !/^[0-9]+$/.test(v) || BigInt(v) > U64_MAX) throw bad(`not a counter in ${JSON.stringify(line)}`);
  return BigInt(v);
}

export function parseNumaStat(text: string): NumaStat {
  const out: NumaStat = new Map();
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/).filter((x) => x !== '');
    if (t.length === 0) continue;
    const head = /^([^=]+)(?:=(.*))?$/.exec(t[0]!);
    if (!head) throw bad(`not a numa_stat line: ${JSON.stringify(line)}`);
    const entry: NumaStatLine = { nodes: new Map() };
    if (head[2] !== undefined) entry.total = counter(head[2], line);
    for (const tok of t.slice(1)) {
      const m = /^N([0-9]+)=(.*)$/.exec(tok);
      if (!m) throw bad(`not a node value: ${JSON.stringify(tok)}`);
      const node = Number(m[1]);
      if (entry.nodes.has(node)) throw bad(`node ${node} twice in ${JSON.stringify(line)}`);
      entry.nodes.set(node, counter(m[2], line));
    }
    if (out.has(head[1]!)) throw bad(`key '${head[1]!}' twice`);
    out.set(head[1]!, entry);
  }
  return out;
}

export function formatNumaStat(s: NumaStat): string {
  let out = '';
  for (const [key, e] of s) {
    out += e.total === undefined ? key : `${key}=${e.total}`;
    for (const [node, v] of e.nodes) out += ` N${node}=${v}`;
    out += '\n';
  }
  return out;
}
