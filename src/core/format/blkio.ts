import { CgroupError } from '../errors.js';

/**
 * v1 blkio statistics by operation (blkio.throttle.io_service_bytes,
 * blkio.throttle.io_serviced and their `_recursive` twins): per device the
 * lines `MAJ:MIN Read N`, `Write`, `Sync`, `Async`, `Discard`, `Total`, and
 * at the very end one `Total N` summed over devices. A root with no I/O
 * reads just `Total 0`. Device and operation keep the file's order.
 */
export interface BlkioOps {
  devices: Map<string, Map<string, bigint>>;
  total?: bigint;
}

const DEV = /^[0-9]+:[0-9]+$/;
const U64_MAX = (1n << 64n) - 1n;

function bad(why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', undefined, why);
}

function counter(v: string, line: string): bigint {
  if (!/^[0-9]+$/.test(v) || BigInt(v) > U64_MAX) throw bad(`not a counter: ${JSON.stringify(line)}`);
  return BigInt(v);
}

export function parseBlkioOps(text: string): BlkioOps {
  const out: BlkioOps = { devices: new Map() };
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/).filter((x) => x !== '');
    if (t.length === 0) continue;
    if (t.length === 2 && t[0] === 'Total' && out.total === undefined) {
      out.total = counter(t[1]!, line);
    } else if (t.length === 3 && DEV.test(t[0]!) && out.total === undefined) {
      let ops = out.devices.get(t[0]!);
      if (!ops) out.devices.set(t[0]!, (ops = new Map()));
      if (ops.has(t[1]!)) throw bad(`${t[0]!} ${t[1]!} twice`);
      ops.set(t[1]!, counter(t[2]!, line));
    } else {
      throw bad(`not a blkio line: ${JSON.stringify(line)}`);
    }
  }
  return out;
}

export function formatBlkioOps(s: BlkioOps): string {
  let out = '';
  for (const [dev, ops] of s.devices) for (const [op, v] of ops) out += `${dev} ${op} ${v}\n`;
  if (s.total !== undefined) out += `Total ${s.total}\n`;
  return out;
}
