import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { HOG_CHUNK_NS, ProgramError, hog, validateProgram } from './program.js';

function rejects(p: unknown, pointer: string, reason: RegExp): void {
  assert.throws(() => validateProgram(p), (e: unknown) => {
    assert.ok(e instanceof ProgramError);
    assert.ok(e instanceof CgroupError);
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

test('a valid program comes back normalized and deeply frozen', () => {
  const p = validateProgram({
    name: 'web', nice: -5, cpus: [3, 1, 3, 0],
    steps: [
      { op: 'alloc', bytes: 64n << 20n },
      { op: 'loop', count: 3, body: [{ op: 'run', ns: 1_000_000 }, { op: 'sleep', ns: 4_000_000 }] },
      { op: 'fork', program: { steps: [{ op: 'timer', periodNs: 10, ref: 't' }] } },
      { op: 'thread', program: { steps: [] } },
      { op: 'free', bytes: 0n },
      { op: 'exit', code: 255 },
    ],
  });
  assert.deepEqual(p.cpus, [0, 1, 3]);
  assert.equal(p.nice, -5);
  assert.equal(p.steps.length, 6);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.steps) && Object.isFrozen(p.cpus));
  const loop = p.steps[1];
  assert.ok(loop?.op === 'loop' && Object.isFrozen(loop.body) && Object.isFrozen(loop.body[0]));
  const fork = p.steps[2];
  assert.ok(fork?.op === 'fork' && Object.isFrozen(fork.program.steps[0]));
});

test('the input is copied, not frozen in place', () => {
  const input = { steps: [{ op: 'run', ns: 5 }] };
  const p = validateProgram(input);
  assert.equal(Object.isFrozen(input), false);
  assert.notEqual(p.steps, input.steps);
});

test('hog() is a forever loop of one-second runs', () => {
  assert.equal(HOG_CHUNK_NS, 1_000_000_000);
  assert.deepEqual(hog(), { steps: [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: HOG_CHUNK_NS }] }] });
});

test('errors name the place with a pointer', () => {
  rejects(null, '', /must be an object/);
  rejects({}, 'steps', /array of steps/);
  rejects({ steps: [{ op: 'jump' }] }, 'steps/0/op', /unknown op "jump"/);
  rejects({ steps: [{ op: 'run', ns: 1, extra: 2 }] }, 'steps/0/extra', /unknown property/);
  rejects({ steps: [], colour: 'red' }, 'colour', /unknown property/);
  rejects({ steps: [{ op: 'run', ns: -1 }] }, 'steps/0/ns', /non-negative safe integer/);
  rejects({ steps: [{ op: 'sleep', ns: 1.5 }] }, 'steps/0/ns', /non-negative safe integer/);
  rejects({ steps: [{ op: 'sleep', ns: 2 ** 53 }] }, 'steps/0/ns', /safe integer/);
  rejects({ steps: [{ op: 'run', ns: 5n }] }, 'steps/0/ns', /safe integer/);
  rejects({ steps: [{ op: 'timer', periodNs: 0, ref: 'a' }] }, 'steps/0/periodNs', /positive/);
  rejects({ steps: [{ op: 'timer', periodNs: 5, ref: '' }] }, 'steps/0/ref', /non-empty/);
  rejects({ steps: [{ op: 'timer', periodNs: 5, ref: 'a\nb' }] }, 'steps/0/ref', /control/);
  rejects({ steps: [{ op: 'alloc', bytes: 5 }] }, 'steps/0/bytes', /bigint/);
  rejects({ steps: [{ op: 'free', bytes: -1n }] }, 'steps/0/bytes', /bigint/);
  rejects({ steps: [{ op: 'alloc', bytes: 1n << 64n }] }, 'steps/0/bytes', /2\^64/);
  rejects({ steps: [{ op: 'exit', code: 256 }] }, 'steps/0/code', /0 to 255/);
  rejects({ steps: [], nice: 20 }, 'nice', /-20 to 19/);
  rejects({ steps: [], nice: -21 }, 'nice', /-20 to 19/);
  rejects({ steps: [], cpus: [] }, 'cpus', /not be empty/);
  rejects({ steps: [], cpus: [0, -1] }, 'cpus/1', /0 to 8191/);
  rejects({ steps: [], name: '' }, 'name', /non-empty/);
  rejects({ steps: [{ op: 'loop', count: -1, body: [] }] }, 'steps/0/count', /non-negative/);
  rejects({ steps: [{ op: 'loop', count: 'always', body: [] }] }, 'steps/0/count', /non-negative/);
  rejects({ steps: [{ op: 'loop', count: 1, body: [{ op: 'fork', program: { steps: [{ op: 'run', ns: 'x' }] } }] }] },
    'steps/0/body/0/program/steps/0/ns', /safe integer/);
});

test('a forever loop must take time or exit', () => {
  const forever = (body: unknown[]): unknown => ({ steps: [{ op: 'loop', count: 'forever', body }] });
  rejects(forever([]), 'steps/0/body', /forever loop needs/);
  rejects(forever([{ op: 'run', ns: 0 }, { op: 'sleep', ns: 0 }]), 'steps/0/body', /forever loop/);
  rejects(forever([{ op: 'alloc', bytes: 1n }, { op: 'free', bytes: 1n }]), 'steps/0/body', /forever loop/);
  rejects(forever([{ op: 'loop', count: 0, body: [{ op: 'run', ns: 5 }] }]), 'steps/0/body', /forever loop/);
  rejects(forever([{ op: 'fork', program: { steps: [{ op: 'run', ns: 5 }] } }]), 'steps/0/body', /forever loop/);
  rejects({ steps: [{ op: 'loop', count: 2, body: [{ op: 'loop', count: 'forever', body: [] }] }] },
    'steps/0/body/0/body', /forever loop/);
  for (const ok of [
    [{ op: 'run', ns: 1 }], [{ op: 'sleep', ns: 1 }], [{ op: 'timer', periodNs: 1, ref: 'x' }],
    [{ op: 'exit', code: 0 }], [{ op: 'loop', count: 2, body: [{ op: 'sleep', ns: 3 }] }],
  ]) {
    assert.doesNotThrow(() => validateProgram(forever(ok)), JSON.stringify(ok, (_k, v: unknown) => v));
  }
  // A finite loop may be empty or take no time.
  assert.doesNotThrow(() => validateProgram({ steps: [{ op: 'loop', count: 5, body: [] }] }));
});

test('the message reads as an EINVAL CgroupError with the pointer', () => {
  try {
    validateProgram({ steps: [{ op: 'run', ns: -3 }] });
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ProgramError);
    assert.equal(e.message, "EINVAL: Invalid argument, spawn 'steps/0/ns' (must be a non-negative safe integer of nanoseconds)");
    assert.equal(e.line, undefined);
    assert.equal(e.column, undefined);
  }
});
