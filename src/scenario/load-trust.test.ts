import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError } from './errors.js';
import { loadScenario } from './load.js';

/**
 * A scenario with tasks x (in /a), y (in /b) and z (spawned at 100ms); the
 * `trust:` section starts on line 14, its first group on line 15.
 */
function scenario(trust: string, machine = 'machine: { cpus: 4, smt: 2 }'): string {
  return `name: t
${machine}
duration: 1s
groups:
  /a: { cpu.weight: 100 }
  /b:
tasks:
  - { name: x, group: /a, program: hog }
  - { name: y, group: /b, program: hog }
timeline:
  - { at: 100ms, spawn: { name: z, group: /b, program: hog } }
expect:
  - share of /a: 50% ± 50
trust:
${trust}`;
}

/** The error a scenario gives: `line: reason`. */
function fails(text: string): string {
  try {
    loadScenario(text, { file: 's.yaml' });
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    assert.equal(e.message, `s.yaml:${e.line}: ${e.reason}`);
    return `${e.line}: ${e.reason}`;
  }
  assert.fail('the scenario loaded');
}

describe('the trust: section of a scenario', () => {
  it('reads trust groups: named tasks, a bound cgroup, properties, the root group, an empty group', () => {
    const s = loadScenario(scenario(`  customer-a: { cgroup: /jobs/a/ }
  browser:
    tasks: [x, z]
    properties: NEW_COOKIE_FOR_CHILD
  /: { tasks: [y], properties: SAME_COOKIE_FOR_CHILD }
  spare:
`), { file: 's.yaml' });
    assert.deepEqual(s.trust, [
      { name: 'customer-a', tasks: [], line: 15, cgroup: '/jobs/a' },
      { name: 'browser', tasks: ['x', 'z'], line: 16, properties: 'NEW_COOKIE_FOR_CHILD' },
      { name: '/', tasks: ['y'], line: 19, properties: 'SAME_COOKIE_FOR_CHILD' },
      { name: 'spare', tasks: [], line: 20 },
    ]);
    assert.equal(s.smt, 2);
    // The bound cgroup is mentioned nowhere else: it joins the tree, with its parent, at the trust line.
    assert.deepEqual(s.groups.map((g) => [g.path, g.line]), [['/', 1], ['/a', 5], ['/b', 6], ['/jobs', 15], ['/jobs/a', 15]]);
  });

  it('a task named in one group but running in a cgroup bound to another is refused', () => {
    assert.equal(fails(scenario(`  customer-a: { cgroup: /a }
  other: { tasks: [x] }`)), "16: task 'x' runs in /a, which is bound to trust group customer-a: a bound cgroup's tasks are that group's");
    assert.match(fails(scenario(`  all: { cgroup: / }
  /: { tasks: [y] }`)), /task 'y' runs in \/b, which is bound to trust group all/);
    assert.equal(loadScenario(scenario(`  customer-a: { cgroup: /a, tasks: [x] }`)).trust.length, 1, 'the same group may name it');
  });

  it('a scenario without a trust: section has none', () => {
    const s = loadScenario('name: t\nduration: 1s\ntasks:\n  - { name: x, program: hog }\n');
    assert.deepEqual(s.trust, []);
  });

  it('a bound cgroup that is declared is not added twice', () => {
    const s = loadScenario(scenario('  g: { cgroup: /a }\n'));
    assert.deepEqual(s.groups.map((g) => g.path), ['/', '/a', '/b']);
    assert.equal(s.trust[0]!.cgroup, '/a');
  });

  it('refuses trust groups on a machine without SMT, naming machine.smt', () => {
    for (const machine of ['machine: { cpus: 4 }', 'machine: { cpus: 4, smt: 1 }', '']) {
      const m = fails(scenario('  g: { tasks: [x] }\n', machine));
      assert.match(m, /^15: .*machine\.smt/, machine);
      assert.match(m, /SMT/);
    }
  });

  it('refuses an unknown task, at its line', () => {
    assert.equal(fails(scenario('  g:\n    tasks:\n      - x\n      - nope\n')), "18: no task named 'nope'");
    // A task with `count` is named x-1, x-2, ...: the base name is no task.
    assert.equal(fails(scenario('  g: { tasks: [w] }\n').replace('program: hog }', 'program: hog, count: 2 }').replace("name: x,", 'name: w,')), "15: no task named 'w'");
  });

  it('refuses a task in two trust groups (the root group included)', () => {
    assert.equal(fails(scenario('  g1: { tasks: [x] }\n  g2:\n    tasks: [y, x]\n')), "17: task 'x' is already in trust group g1");
    assert.equal(fails(scenario('  g1:\n    tasks: [z]\n  /:\n    tasks:\n      - z\n')), "19: task 'z' is already in trust group g1");
    assert.equal(fails(scenario('  /: { tasks: [y] }\n  g: { tasks: [y] }\n')), "16: task 'y' is already in trust group /");
  });

  it('refuses a cgroup bound to two groups, however its path is written', () => {
    assert.equal(fails(scenario('  g1: { cgroup: /a }\n  g2:\n    cgroup: /a/\n')), '17: cgroup /a is already bound to trust group g1');
    assert.equal(fails(scenario('  g1: { cgroup: /jobs//x }\n  g2: { cgroup: /jobs/x }\n')), '16: cgroup /jobs/x is already bound to trust group g1');
  });

  it('refuses binding the root group to a cgroup', () => {
    const m = fails(scenario('  /:\n    tasks: [x]\n    cgroup: /a\n'));
    assert.match(m, /^17: /);
    assert.match(m, /root group/);
  });

  it('refuses a bad group name: all digits, a space, a dot', () => {
    assert.match(fails(scenario('  "1234": { tasks: [x] }\n')), /^15: .*all digits/);
    assert.match(fails(scenario('  ok: { tasks: [x] }\n  "my group": { tasks: [y] }\n')), /^16: .*space/);
    assert.match(fails(scenario('  "..": { tasks: [x] }\n')), /^15: '\.\.' is not a group name/);
  });

  it('refuses what the schema does not know: a property value, a key, a wrong type, a bad cgroup path', () => {
    assert.equal(fails(scenario('  g:\n    tasks: [x]\n    properties: NEW_COOKIE\n')),
      '17: trust.g.properties: must be one of NEW_COOKIE_FOR_CHILD, SAME_COOKIE_FOR_CHILD, ROOT_COOKIE_FOR_CHILD');
    assert.equal(fails(scenario('  g:\n    tasks: [x]\n    cookie: 5\n')), "17: trust.g: unknown key 'cookie'");
    assert.match(fails(scenario('  g:\n    tasks: x\n')), /^16: trust\.g\.tasks: /);
    assert.equal(fails(scenario('  g:\n    cgroup: jobs/a\n')), "16: 'jobs/a' is not a group path (like / or /guest/web)");
  });
});
