import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ScenarioError } from './errors.js';
import { loadScenario, loadScenarioFile } from './load.js';

/** The error a scenario text gives: `line: reason`. */
function fails(text: string): string {
  try {
    loadScenario(text, { file: 's.yaml' });
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    return `${e.line}: ${e.reason}`;
  }
  assert.fail('the scenario loaded');
}

const HEAD = 'name: t\nduration: 1s\n';

describe('loading scenarios', () => {
  it('reads the example of the format', () => {
    const s = loadScenario(`${HEAD}machine: { cpus: 2, smt: 2 }
layout: hybrid
seed: 7
groups:
  /guest: { cpu.shares: 512, policy: rr }
  /web/front:
tasks:
  - { name: host, program: hog }
  - { name: guest, group: /guest, program: hog, count: 2 }
  - name: web
    group: /web/front
    nice: 5
    cpus: 0-1
    program: |
      loop { run 2ms; sleep 8ms }
timeline:
  - { at: 500ms, kill: { task: guest-2 } }
  - { at: 200ms, write: { /guest/cpu.shares: 1024, /cpu.x: true } }
  - { at: 300ms, spawn: { name: late, group: /late } }
expect:
  - share of /guest: 50% ± 1
  - nr_throttled of /guest > 0
  - share of task late: 0
`, { file: 's.yaml' });
    assert.equal(s.cpus, 2);
    assert.equal(s.smt, 2);
    assert.equal(s.layout, 'hybrid');
    assert.equal(s.seed, 7);
    assert.equal(s.durationNs, 1e9);
    assert.deepEqual(s.groups.map((g) => [g.path, g.line]), [['/', 1], ['/guest', 7], ['/web', 8], ['/web/front', 8], ['/late', 21]]);
    assert.deepEqual(s.groups[1]!.files, [{ group: '/guest', file: 'cpu.shares', value: '512', line: 7 }]);
    assert.deepEqual(s.groups[1]!.policy, { value: 'rr', line: 7 });
    assert.deepEqual(s.tasks.map((t) => [t.name, t.group, t.line]), [['host', '/', 10], ['guest-1', '/guest', 11], ['guest-2', '/guest', 11], ['web', '/web/front', 12]]);
    assert.equal(s.tasks[3]!.nice, 5);
    assert.deepEqual(s.tasks[3]!.cpus, [0, 1]);
    assert.equal(s.tasks[3]!.program!.steps[0]!.op, 'loop');
    assert.deepEqual(s.timeline.map((a) => [a.kind, a.atNs, a.line]), [['write', 2e8, 20], ['spawn', 3e8, 21], ['kill', 5e8, 19]]);
    const w = s.timeline[0]!;
    assert.ok(w.kind === 'write');
    assert.deepEqual(w.writes.map((x) => [x.group, x.file, x.value]), [['/guest', 'cpu.shares', '1024'], ['/', 'cpu.x', '1']]);
    assert.deepEqual(s.expect.map((e) => [e.text, e.line]), [['share of /guest: 50% ± 1', 23], ['nr_throttled of /guest > 0', 24], ['share of task late: 0', 25]]);
  });

  it('YAML and schema errors carry the line at fault', () => {
    assert.equal(fails(`${HEAD}tasks:\n  - name: a\n   program: hog\n`), '5: YAML: Sequence item without - indicator');
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a program: hog }\n`), '4: YAML: Block collections are not allowed within flow collections');
    assert.match(fails(`${HEAD}tasks: []\ntasks: []\n`), /^4: YAML: Map keys must be unique/);
    assert.equal(fails(`${HEAD}tasks:\n  - name: a\n    progam: hog\n`), "5: tasks.0: unknown key 'progam'");
    assert.equal(fails(`${HEAD}machine:\n  cpus: two\n`), '4: machine.cpus: must be integer');
    assert.equal(fails(`${HEAD}machine: { cpus: 3, smt: 2 }\n`), '3: smt 2 must divide cpus (3): cpus counts hardware threads');
    assert.equal(fails(`${HEAD}layout: cgroup3\n`), '3: layout: must be one of unified, hybrid, legacy');
    assert.equal(fails(`${HEAD}groups:\n  /a: {}\n  guest: {}\n`), "5: groups: bad name 'guest'");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a, group: /x/../y }\n`), "4: '/x/../y' is not a group path (like / or /guest/web)");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a, program: hog, rtapp: x.json }\n`), "4: tasks.0: give either 'program' or 'rtapp', not both");
    assert.equal(fails(`${HEAD}timeline:\n  - { at: 1s }\n`), '4: timeline.0: a timeline entry has \'at\' and one action (write, move, spawn, kill, freeze, thaw, policy)');
    assert.equal(fails(`${HEAD}timeline:\n  - { at: 1s, freeze: /a, thaw: /a }\n`), '4: timeline.0: a timeline entry has \'at\' and one action (write, move, spawn, kill, freeze, thaw, policy)');
    assert.equal(fails(`${HEAD}timeline:\n\n  - at: 10\n    freeze: /a\n`), '5: duration 10 needs a unit (ns, us, ms or s)');
    assert.equal(fails('name: t\nduration: 1 sec\n'), "2: bad duration '1 sec' (a number with ns, us, ms or s, e.g. 10s or 2.5ms)");
    assert.equal(fails('name: t\n'), "1: missing 'duration' (e.g. duration: 10s)");
    assert.equal(fails(''), '1: the scenario is empty');
    assert.equal(fails(`${HEAD}expect:\n  - [1, 2]\n`), "4: expect.0: an expectation is a line like 'share of /guest: 50% ± 1'");
  });

  it('program errors point at the line inside the YAML file', () => {
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a, program: "run 5" }\n`), "4: program: bad duration '5' (a whole number with ns, us, ms or s) (column 5 of the program)");
    assert.equal(fails(`${HEAD}tasks:\n  - name: a\n    program: |\n      run 5ms\n      loop { sleep 1ms\n      nice 3\n`), "8: program: unknown step 'nice' (column 1 of the program)");
  });

  it('names, references and expectations are checked with their lines', () => {
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\n  - { name: b, count: 2 }\n  - { name: b-2 }\n`), "6: task name 'b-2' is used twice (also on line 5)");
    assert.equal(fails(`${HEAD}tasks:\n  - { program: hog }\n`), "4: a task needs a 'name'");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\ntimeline:\n  - { at: 1ms, kill: { task: b } }\n`), "6: no task named 'b'");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\ntimeline:\n  - { at: 1ms, move: { task: l, to: / } }\n  - { at: 2ms, spawn: { name: l } }\n`), "6: task 'l' is spawned only later");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\nexpect:\n  - share of /nope > 1\n`), '6: no group /nope in the scenario');
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\nexpect:\n  - share of task b > 1\n`), "6: no task named 'b'");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\nexpect:\n\n  - speed of task a > 1\n`), "7: unknown metric 'speed' (one of share, runtime, wait, throttled, forced_idle, nr_throttled, nr_periods, switches, timeslices, nvcsw, nivcsw)");
    assert.equal(fails(`${HEAD}tasks:\n  - { name: a }\nexpect:\n  - share of task a during 0s..2s > 1\n`), '6: the window ends after the run');
  });

  it('overrides of duration and seed win; a late action is a warning', () => {
    const s = loadScenario(`${HEAD}seed: 3\ntasks: [{ name: a }]\ntimeline:\n  - { at: 2s, kill: { task: a } }\n`, { durationNs: 5e8, seed: 9, file: 'x.yaml' });
    assert.equal(s.durationNs, 5e8);
    assert.equal(s.seed, 9);
    assert.deepEqual(s.warnings, ['x.yaml:6: the kill at 2s never happens: the run ends at 500ms']);
  });

  describe('rt-app tasks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgkit-scn-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'w.json'), JSON.stringify({
      global: { duration: 3 },
      tasks: {
        web: { instance: 2, taskgroup: '/front', run: 1000, sleep: 4000 },
        rt: { policy: 'SCHED_FIFO', run: 100, sleep: 900 },
      },
    }));
    writeFileSync(join(dir, 'bad.json'), '{"tasks": {"a": {"instance": -1}}}');

    it('import one task per thread, in the taskgroup below the entry group, with warnings', () => {
      writeFileSync(join(dir, 's.yaml'), 'name: r\ntasks:\n  - { name: app, group: /apps, rtapp: w.json }\n');
      const s = loadScenarioFile(join(dir, 's.yaml'));
      assert.equal(s.durationNs, 3e9, 'the rt-app duration when the scenario has none');
      assert.deepEqual(s.tasks.map((t) => [t.name, t.group, t.line]), [['app.web-1', '/apps/front', 3], ['app.web-2', '/apps/front', 3], ['app.rt', '/apps', 3]]);
      assert.ok(s.warnings.some((w) => w.startsWith(`${join(dir, 's.yaml')}:3: rt-app w.json: tasks/rt: per-task SCHED_FIFO is not simulated`)), s.warnings.join('\n'));
    });

    it('report a bad rt-app file or a missing one on the entry line', () => {
      writeFileSync(join(dir, 'b.yaml'), 'name: r\nduration: 1s\ntasks:\n  - { rtapp: bad.json }\n  - { rtapp: none.json }\n');
      assert.throws(() => loadScenarioFile(join(dir, 'b.yaml')), (e: ScenarioError) => e.line === 4 && /rt-app file bad.json: tasks\/a\/instance: must be an integer/.test(e.reason));
      writeFileSync(join(dir, 'c.yaml'), 'name: r\nduration: 1s\ntasks:\n  - { rtapp: none.json }\n');
      assert.throws(() => loadScenarioFile(join(dir, 'c.yaml')), (e: ScenarioError) => e.line === 4 && e.reason === 'rt-app file none.json: ENOENT');
    });
  });
});
