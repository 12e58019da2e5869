import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Cgroup } from '../../api/cgroup.js';
import { main } from '../program.js';
import { Collect } from '../shell/harness.test.util.js';
import { cgkit, ndjson, simKernel } from './group-cli.test-util.js';

const SIM = ['--backend', 'sim'];
const dir = mkdtempSync(join(tmpdir(), 'cgkit-groupcmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Two CPUs: /web (weight 300) and /batch (weight 100, capped at half a CPU), two hogs each.
const SCENARIO = join(dir, 'two.yaml');
writeFileSync(SCENARIO, `name: two
machine: { cpus: 2 }
duration: 2s
groups:
  /web: { cpu.weight: 300 }
  /batch: { cpu.weight: 100, cpu.max: 50000 100000 }
  /batch/nightly: {}
tasks:
  - { name: web, group: /web, program: hog, count: 2 }
  - { name: job, group: /batch/nightly, program: hog, count: 2 }
`);

describe('cgkit tree on --backend sim', () => {
  it('draws groups with their processes, like systemd-cgls', async () => {
    const r = await cgkit(['tree', ...SIM, '--scenario', SCENARIO]);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, [
      '/',
      '├─1 init',
      '├─batch',
      '│ └─nightly',
      '│   ├─4 job-1',
      '│   └─5 job-2',
      '└─web',
      '  ├─2 web-1',
      '  └─3 web-2',
      '',
    ].join('\n'));
  });

  it('starts at GROUP; --depth and --no-procs trim it; --json is the same tree', async () => {
    const r = await cgkit(['tree', ...SIM, '--scenario', SCENARIO, '/batch', '--depth', '0']);
    assert.equal(r.out, '/batch\n');
    const n = await cgkit(['tree', ...SIM, '--scenario', SCENARIO, '--no-procs']);
    assert.equal(n.out, '/\n├─batch\n│ └─nightly\n└─web\n');
    const j = await cgkit(['tree', ...SIM, '--scenario', SCENARIO, '--json', '/batch']);
    assert.deepEqual(JSON.parse(j.out), {
      path: '/batch',
      processes: [],
      children: [{ path: '/batch/nightly', processes: [{ pid: 4, command: 'job-1' }, { pid: 5, command: 'job-2' }], children: [] }],
    });
  });

  it('a missing group: exit 1 with ENOENT', async () => {
    const r = await cgkit(['tree', ...SIM, '/nope']);
    assert.equal(r.status, 1);
    assert.match(r.err, /^cgkit: ENOENT: /);
  });

  it('a bad scenario file: exit 2 with the message', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nmachine: { cpus: 1 }\nduration: 1s\ngroups:\n  /g: { cpu.weight: 0 }\n');
    const r = await cgkit(['tree', ...SIM, '--scenario', bad]);
    assert.equal(r.status, 2);
    assert.match(r.err, /bad\.yaml:5: .*ERANGE/);
  });
});

describe('cgkit top on --backend sim', () => {
  it('CPU % from usage over the simulated interval: the quota holds /batch at 50 %', async () => {
    const r = await cgkit(['top', ...SIM, '--scenario', SCENARIO, '--json', '-n', '2', '-d', '1']);
    assert.equal(r.status, 0, r.err);
    const snaps = ndjson(r.out) as { intervalMs: number; groups: { path: string; tasks: number; cpuPercent: number }[] }[];
    assert.equal(snaps.length, 2);
    for (const s of snaps) {
      assert.equal(s.intervalMs, 1000);
      const by = new Map(s.groups.map((g) => [g.path, g]));
      assert.deepEqual(s.groups.map((g) => g.path), ['/', '/web', '/batch', '/batch/nightly'], 'ordered by CPU');
      assert.ok(Math.abs(by.get('/')!.cpuPercent - 200) < 0.5, `${by.get('/')!.cpuPercent}`);
      assert.ok(Math.abs(by.get('/batch')!.cpuPercent - 50) < 1, `${by.get('/batch')!.cpuPercent}`);
      assert.ok(Math.abs(by.get('/web')!.cpuPercent - 150) < 1, `${by.get('/web')!.cpuPercent}`);
      assert.equal(by.get('/batch')!.tasks, 2);
      assert.equal(by.get('/')!.tasks, 5);
    }
  });

  it('--batch prints plain tables; --order path and --depth choose rows', async () => {
    const r = await cgkit(['top', ...SIM, '--scenario', SCENARIO, '-b', '-n', '2', '--order', 'path', '--depth', '1']);
    assert.equal(r.status, 0, r.err);
    const tables = r.out.split('\n\n');
    assert.equal(tables.length, 2);
    for (const t of tables) {
      const rows = t.split('\n').filter((l) => /^│ \//.test(l)).map((l) => l.split('│').map((c) => c.trim()));
      assert.deepEqual(rows.map((c) => c[1]), ['/', '/batch', '/web']);
      const cpu = rows.map((c) => Number(c[3]));
      [200, 50, 150].forEach((want, i) => assert.ok(Math.abs(cpu[i]! - want) < 1, `${rows[i]![1]}: ${cpu[i]} % of a CPU`));
    }
    assert.ok(!r.out.includes('\u001b['), 'no screen control without a terminal');
  });

  it('on a terminal without --batch each table redraws the screen', async () => {
    const stdout = Object.assign(new Collect(), { isTTY: true });
    const stdin = new PassThrough();
    stdin.end('');
    const status = await main(['top', ...SIM, '--scenario', SCENARIO, '-n', '2'], { stdin, stdout, stderr: new Collect() });
    assert.equal(status, 0);
    const screens = stdout.text.split('\u001b[H\u001b[2J');
    assert.equal(screens.length, 3, 'two redraws');
    assert.equal(screens[0], '');
    for (const sc of screens.slice(1)) assert.match(sc, /│ \/batch\/nightly │/);
  });

  it('memory and task counts come from the group\'s own counters', async () => {
    const k = simKernel();
    const g = await Cgroup.create(k, '/mem', { enableInParents: true });
    const pid = k.spawn({ cgroup: '/sys/fs/cgroup/mem', program: 'alloc 64M; hog' });
    const r = await cgkit(['top', ...SIM, '--json', '--order', 'memory', '-d', '0.2'], k);
    const [snap] = ndjson(r.out) as { groups: { path: string; memoryBytes: number; tasks: number }[] }[];
    const mem = snap!.groups.find((x) => x.path === '/mem')!;
    assert.equal(mem.memoryBytes, 64 * 2 ** 20);
    assert.equal(mem.tasks, 1);
    assert.match(r.out, /"memoryBytes":67108864/);
    k.kill(pid, 'SIGKILL');
    await g.delete();
  });
});

describe('cgkit stat on --backend sim', () => {
  it('prints every counter exactly, text and JSON', async () => {
    const r = await cgkit(['stat', ...SIM, '--scenario', SCENARIO, '/batch']);
    assert.equal(r.status, 0, r.err);
    const line = (key: string): string => new RegExp(`^${key.replace(/\./g, '\\.')} +(\\S+)$`, 'm').exec(r.out)?.[1] ?? 'missing';
    assert.equal(line('path'), '/batch');
    // 2 s at half a CPU, in µs; throttled in (nearly) every period
    assert.ok(Math.abs(Number(line('cpu.usageUsec')) - 1_000_000) <= 10_000, line('cpu.usageUsec'));
    assert.ok(Number(line('cpu.nrThrottled')) > 0, line('cpu.nrThrottled'));
    assert.ok(Number(line('cpu.nrPeriods')) >= 19, line('cpu.nrPeriods'));
    const j = await cgkit(['stat', ...SIM, '--scenario', SCENARIO, '--json', '/batch']);
    const s = JSON.parse(j.out) as { path: string; cpu: { usageUsec: number; nrPeriods: number } };
    assert.equal(s.path, '/batch');
    assert.equal(String(s.cpu.usageUsec), line('cpu.usageUsec'));
    assert.equal(String(s.cpu.nrPeriods), line('cpu.nrPeriods'));
  });

  it('on a hybrid layout the same figures come from the v1 files', async () => {
    const k = simKernel('hybrid');
    const x = await cgkit(['exec', ...SIM, '-g', '/b', '--keep', '--cpu-max', '50000/100000', '--', 'run 200ms'], k);
    assert.equal(x.status, 0, x.err);
    const r = await cgkit(['stat', ...SIM, '--json', '/b'], k);
    assert.equal(r.status, 0, r.err);
    const s = JSON.parse(r.out) as { cpu: { usageUsec: number; nrThrottled: number }; memory: { max: string } };
    assert.equal(s.cpu.usageUsec, 200_000);
    assert.ok(s.cpu.nrThrottled >= 3, `${s.cpu.nrThrottled}`);
    assert.equal(s.memory.max, 'max');
  });
});
