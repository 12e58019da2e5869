import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuset, cpusetEffectiveCpus } from './cpuset.js';
import { errnoOf, FakeKernel, Harness, task } from './testing.test-util.js';

describe('cpuset v1 (host literals and errnos, 2 CPUs, 1 node)', () => {
  it('new groups start empty; files as on the host', () => {
    const h = new Harness(cpuset, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), [
      'cpuset.cpu_exclusive', 'cpuset.cpus', 'cpuset.effective_cpus', 'cpuset.effective_mems', 'cpuset.mem_exclusive',
      'cpuset.mem_hardwall', 'cpuset.memory_migrate', 'cpuset.memory_pressure', 'cpuset.memory_spread_page',
      'cpuset.memory_spread_slab', 'cpuset.mems', 'cpuset.sched_load_balance', 'cpuset.sched_relax_domain_level',
    ]);
    assert.deepEqual(h.fileNames(h.root), [...h.fileNames(c), 'cpuset.memory_pressure_enabled'].sort());
    const expect: Record<string, string> = {
      'cpuset.cpu_exclusive': '0\n', 'cpuset.cpus': '\n', 'cpuset.effective_cpus': '\n', 'cpuset.effective_mems': '\n',
      'cpuset.mem_exclusive': '0\n', 'cpuset.mem_hardwall': '0\n', 'cpuset.memory_migrate': '0\n', 'cpuset.memory_pressure': '0\n',
      'cpuset.memory_spread_page': '0\n', 'cpuset.memory_spread_slab': '0\n', 'cpuset.mems': '\n', 'cpuset.sched_load_balance': '1\n',
      'cpuset.sched_relax_domain_level': '-1\n',
    };
    for (const [f, v] of Object.entries(expect)) assert.equal(h.read(c, f), v, f);
    assert.equal(h.read(h.root, 'cpuset.cpus'), '0-1\n');
    assert.equal(h.read(h.root, 'cpuset.cpu_exclusive'), '1\n');
    assert.equal(h.read(h.root, 'cpuset.memory_pressure_enabled'), '0\n');
  });

  it('parses lists like bitmap_parselist', () => {
    const h = new Harness(cpuset, 1);
    const c = h.mkdir(h.root, 'c');
    const cases: [string, string, string?][] = [
      ['2', 'ERANGE'], ['0-2', 'ERANGE'], ['abc', 'EINVAL'], ['1-0', 'EINVAL'], ['99999', 'ERANGE'],
      ['99999999999', 'EOVERFLOW'], ['4294967295', 'EINVAL'], ['4294967296', 'EOVERFLOW'], ['0 - 1', 'EINVAL'],
      ['0-1:2/1', 'EINVAL'], ['0-1:1/0', 'EINVAL'], ['0-1:1/2x', 'EINVAL'], ['0x1', 'EINVAL'],
      ['all', 'OK', '0-1\n'], ['0-N', 'OK', '0-1\n'], ['N', 'OK', '1\n'], ['0,,1', 'OK', '0-1\n'], ['ALL', 'OK', '0-1\n'],
      ['all:1/2', 'OK', '0\n'], ['1,0', 'OK', '0-1\n'], ['00', 'OK', '0\n'], [' 0-1', 'OK', '0-1\n'], ['0\t1', 'OK', '0-1\n'],
      ['0-1:0/1', 'OK', '\n'],
      // measured on 6.18: a newline ends the list only right after a plain region; the stride walk wraps at 2^32
      ['0,\n1', 'OK', '0-1\n'], ['1', 'OK', '1\n'], ['0\n1', 'OK', '0\n'], ['0\u00a0', 'EINVAL'],
      ['1-1:1/4294967295', 'OK', '0-1\n'], ['\n', 'OK', '\n'], [' 0 , 1 \n', 'OK', '0-1\n'],
    ];
    for (const [w, e, r] of cases) {
      assert.equal(h.tryWrite(c, 'cpuset.cpus', w), e, w);
      if (r) assert.equal(h.read(c, 'cpuset.cpus'), r, w);
    }
    for (const [w, e] of [['1023', 'EINVAL'], ['1024', 'ERANGE'], ['0-1', 'EINVAL'], ['all', 'EINVAL'], ['N', 'EINVAL'], ['0', 'OK']]) {
      assert.equal(h.tryWrite(c, 'cpuset.mems', w!), e, `mems ${w}`);
    }
  });

  it('nesting rules: EACCES, EBUSY, ENOSPC; attach needs cpus and mems', () => {
    const h = new Harness(cpuset, 1);
    const t = h.mkdir(h.root, 't');
    const p = h.fork(h.root, task());
    assert.equal(errnoOf(() => h.move(t, [p])), 'ENOSPC');
    h.write(t, 'cpuset.cpus', '0-1');
    assert.equal(errnoOf(() => h.move(t, [p])), 'ENOSPC');
    h.write(t, 'cpuset.mems', '0');
    h.move(t, [p]);
    assert.equal(h.tryWrite(t, 'cpuset.cpus', '\n'), 'ENOSPC');
    assert.equal(h.tryWrite(t, 'cpuset.mems', ''), 'ENOSPC');
    h.move(h.root, [p]);
    const c1 = h.mkdir(t, 'c1');
    assert.equal(h.read(c1, 'cpuset.effective_cpus'), '\n');
    h.write(c1, 'cpuset.cpus', '0-1');
    assert.equal(h.tryWrite(t, 'cpuset.cpus', '0'), 'EBUSY');
    h.write(c1, 'cpuset.cpus', '0');
    h.write(t, 'cpuset.cpus', '0');
    assert.equal(h.tryWrite(c1, 'cpuset.cpus', '1'), 'EACCES');
    assert.equal(h.tryWrite(c1, 'cpuset.cpus', '0-1'), 'EACCES');
    assert.equal(h.tryWrite(t, 'cpuset.cpus', ','), 'EBUSY');
    assert.equal(h.tryWrite(h.root, 'cpuset.cpus', '0'), 'EACCES');
    assert.equal(h.read(c1, 'cpuset.effective_cpus'), '0\n');
  });

  it('exclusive flags: EACCES under a non-exclusive parent, EINVAL on overlap, EBUSY to clear under an exclusive child', () => {
    const h = new Harness(cpuset, 1);
    const t = h.mkdir(h.root, 't');
    h.write(t, 'cpuset.cpus', '0-1');
    h.write(t, 'cpuset.mems', '0');
    const c1 = h.mkdir(t, 'c1');
    const c2 = h.mkdir(t, 'c2');
    const seq: [typeof t, string, string, string][] = [
      [c1, 'cpuset.cpus', '0', 'OK'], [c2, 'cpuset.cpus', '0-1', 'OK'], [c1, 'cpuset.cpu_exclusive', '1', 'EACCES'],
      [t, 'cpuset.cpu_exclusive', '1', 'OK'], [c1, 'cpuset.cpu_exclusive', '1', 'EINVAL'], [c2, 'cpuset.cpus', '1', 'OK'],
      [c1, 'cpuset.cpu_exclusive', '1', 'OK'], [c2, 'cpuset.cpus', '0-1', 'EINVAL'], [c2, 'cpuset.cpu_exclusive', '1', 'OK'],
      [t, 'cpuset.cpu_exclusive', '0', 'EBUSY'], [c1, 'cpuset.cpu_exclusive', '0', 'OK'], [t, 'cpuset.cpu_exclusive', '0', 'EBUSY'],
      [c1, 'cpuset.mem_exclusive', '1', 'EACCES'], [t, 'cpuset.mem_exclusive', '1', 'OK'], [c1, 'cpuset.mem_exclusive', '1', 'OK'],
      [c2, 'cpuset.mems', '0', 'OK'], [c2, 'cpuset.mem_exclusive', '1', 'OK'], [c1, 'cpuset.mem_exclusive', '0', 'OK'],
      [t, 'cpuset.mem_exclusive', '0', 'EBUSY'], [t, 'cpuset.cpu_exclusive', '0x1', 'OK'],
    ];
    for (const [css, f, v, e] of seq) assert.equal(h.tryWrite(css, f, v), e, `${css.cgroup.path} ${f} <- ${v}`);
  });

  it('flag files take any u64 (non-zero = 1); relax level -1..2 on this machine', () => {
    const h = new Harness(cpuset, 1);
    const c = h.mkdir(h.root, 'c');
    const seq: [string, string, string, string?][] = [
      ['cpuset.memory_migrate', '2', 'OK', '1\n'], ['cpuset.memory_migrate', '-1', 'EINVAL'], ['cpuset.memory_migrate', 'abc', 'EINVAL'],
      ['cpuset.memory_spread_page', '5', 'OK', '1\n'], ['cpuset.mem_hardwall', '3', 'OK', '1\n'], ['cpuset.sched_load_balance', '0', 'OK', '0\n'],
      ['cpuset.memory_pressure', '1', 'EINVAL'], ['cpuset.effective_cpus', '0', 'EINVAL'],
      ['cpuset.sched_relax_domain_level', '-2', 'EINVAL'], ['cpuset.sched_relax_domain_level', '2', 'OK', '2\n'],
      ['cpuset.sched_relax_domain_level', '3', 'EINVAL'], ['cpuset.sched_relax_domain_level', ' 1', 'EINVAL'],
      ['cpuset.sched_relax_domain_level', '0x1', 'OK', '1\n'],
    ];
    for (const [f, w, e, r] of seq) {
      assert.equal(h.tryWrite(c, f, w), e, `${f} <- ${w}`);
      if (r) assert.equal(h.read(c, f), r, f);
    }
    const g = h.mkdir(c, 'g');
    assert.equal(h.read(g, 'cpuset.memory_spread_page'), '1\n', 'spread flags are inherited');
  });

  it('clone_children copies the parent masks unless a sibling is exclusive', () => {
    const h = new Harness(cpuset, 1);
    const t = h.mkdir(h.root, 't');
    h.write(t, 'cpuset.cpus', '0-1');
    h.write(t, 'cpuset.mems', '0');
    const c = h.mkdir(t, 'c', { cloneChildren: true });
    assert.equal(h.read(c, 'cpuset.cpus'), '0-1\n');
    assert.equal(h.read(c, 'cpuset.effective_cpus'), '0-1\n');
    assert.equal(h.read(c, 'cpuset.mems'), '0\n');
  });
});

describe('cpuset v2', () => {
  const k4 = (): FakeKernel => {
    const k = new FakeKernel();
    k.cpus = [0, 1, 2, 3];
    return k;
  };

  it('empty or disjoint requests inherit; effective follows the parent', () => {
    const h = new Harness(cpuset, 2, k4());
    assert.deepEqual(h.fileNames(h.root), ['cpuset.cpus.effective', 'cpuset.cpus.isolated', 'cpuset.mems.effective']);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(a, 'b');
    assert.equal(h.read(b, 'cpuset.cpus'), '\n');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '0-3\n');
    h.write(a, 'cpuset.cpus', '1-2');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '1-2\n');
    h.write(b, 'cpuset.cpus', '3');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '1-2\n', 'disjoint request behaves as empty');
    h.write(b, 'cpuset.cpus', '2-3');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '2\n');
    h.write(a, 'cpuset.cpus', '0');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '0\n', 'a parent change is propagated down');
    assert.deepEqual(cpusetEffectiveCpus(b), [0]);
    assert.equal(h.read(b, 'cpuset.mems.effective'), '0\n');
    assert.equal(h.tryWrite(b, 'cpuset.cpus', '4'), 'ERANGE');
  });

  it('partitions: valid root takes its CPUs from the parent; invalid states carry the reason', () => {
    const h = new Harness(cpuset, 2, k4());
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(h.root, 'b');
    h.fork(h.root, task());
    assert.equal(h.read(a, 'cpuset.cpus.partition'), 'member\n');
    h.write(a, 'cpuset.cpus.partition', 'root');
    assert.equal(h.read(a, 'cpuset.cpus.partition'), 'root invalid (cpuset.cpus and cpuset.cpus.exclusive are empty)\n');
    h.write(a, 'cpuset.cpus', '2-3');
    h.write(a, 'cpuset.cpus.partition', 'root');
    assert.equal(h.read(a, 'cpuset.cpus.partition'), 'root\n');
    assert.equal(h.read(a, 'cpuset.cpus.effective'), '2-3\n');
    assert.equal(h.read(a, 'cpuset.cpus.exclusive.effective'), '2-3\n');
    assert.equal(h.read(h.root, 'cpuset.cpus.effective'), '0-1\n');
    assert.equal(h.read(b, 'cpuset.cpus.effective'), '0-1\n');
    const g = h.mkdir(a, 'g');
    h.write(g, 'cpuset.cpus', '3');
    h.write(g, 'cpuset.cpus.partition', 'isolated');
    assert.equal(h.read(g, 'cpuset.cpus.partition'), 'isolated\n');
    assert.equal(h.read(h.root, 'cpuset.cpus.isolated'), '3\n');
    assert.equal(h.read(a, 'cpuset.cpus.effective'), '2\n');
    h.write(b, 'cpuset.cpus', '0-1');
    h.write(b, 'cpuset.cpus.partition', 'root');
    assert.equal(h.read(b, 'cpuset.cpus.partition'), 'root invalid (Parent unable to distribute cpu downstream)\n');
    const m = h.mkdir(b, 'm');
    h.write(m, 'cpuset.cpus', '1');
    h.write(m, 'cpuset.cpus.partition', 'root');
    assert.equal(h.read(m, 'cpuset.cpus.partition'), 'root invalid (Parent is an invalid partition root)\n');
    h.write(b, 'cpuset.cpus.partition', 'member');
    assert.equal(h.read(m, 'cpuset.cpus.partition'), 'root invalid (Parent is not a partition root)\n');
    assert.equal(h.tryWrite(b, 'cpuset.cpus.partition', 'foo'), 'EINVAL');
    h.write(a, 'cpuset.cpus.partition', 'member');
    assert.equal(h.read(h.root, 'cpuset.cpus.effective'), '0-3\n');
    assert.equal(h.read(h.root, 'cpuset.cpus.isolated'), '\n');
  });

  it('exclusive CPUs must nest and not overlap siblings; attach needs effective CPUs', () => {
    const h = new Harness(cpuset, 2, k4());
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(h.root, 'b');
    h.write(a, 'cpuset.cpus.exclusive', '0-1');
    assert.equal(h.tryWrite(b, 'cpuset.cpus.exclusive', '1-2'), 'EINVAL');
    assert.equal(h.tryWrite(b, 'cpuset.cpus', '0'), 'EINVAL', 'cpus inside a sibling\'s exclusive set');
    h.write(b, 'cpuset.cpus.exclusive', '2-3');
    const g = h.mkdir(a, 'g');
    assert.equal(h.tryWrite(g, 'cpuset.cpus.exclusive', '2'), 'EINVAL');
    h.write(a, 'cpuset.cpus.partition', 'root');
    h.write(b, 'cpuset.cpus.partition', 'root');
    assert.equal(h.read(b, 'cpuset.cpus.partition'), 'root\n');
    assert.equal(h.read(h.root, 'cpuset.cpus.effective'), '\n');
    assert.equal(errnoOf(() => h.move(h.root, [])), 'ENOSPC');
    const p = h.fork(a, task());
    h.move(b, [p]);
    assert.equal(h.tryWrite(b, 'cpuset.cpus', '2'), 'OK');
  });
});
