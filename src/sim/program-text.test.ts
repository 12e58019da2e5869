import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HOG_CHUNK_NS, ProgramError, hog, isCleanName, validateProgram } from './program.js';
import type { Program, Step } from './program.js';
import { formatProgram, parseProgram } from './program-text.js';

const MS = 1_000_000;

test('the examples parse to the expected programs', () => {
  assert.deepEqual(parseProgram('run 5ms; sleep 10ms'),
    { steps: [{ op: 'run', ns: 5 * MS }, { op: 'sleep', ns: 10 * MS }] });
  assert.deepEqual(parseProgram('loop 10 { run 1ms; sleep 4ms }'),
    { steps: [{ op: 'loop', count: 10, body: [{ op: 'run', ns: MS }, { op: 'sleep', ns: 4 * MS }] }] });
  assert.deepEqual(parseProgram('loop { timer 10ms; run 2ms }'),
    { steps: [{ op: 'loop', count: 'forever', body: [{ op: 'timer', periodNs: 10 * MS, ref: 'timer' }, { op: 'run', ns: 2 * MS }] }] });
  assert.deepEqual(parseProgram('alloc 64M; run 1s; free 64M; exit 3'), {
    steps: [{ op: 'alloc', bytes: 64n << 20n }, { op: 'run', ns: 1e9 }, { op: 'free', bytes: 64n << 20n }, { op: 'exit', code: 3 }],
  });
  assert.deepEqual(parseProgram('hog'), hog());
  assert.deepEqual(parseProgram(''), { steps: [] });
  assert.deepEqual(parseProgram('name "my app"; nice -5; cpus 2,0-1\nfork { nice 3; run 7us }\nthread {}\nexit'), {
    name: 'my app', nice: -5, cpus: [0, 1, 2],
    steps: [{ op: 'fork', program: { nice: 3, steps: [{ op: 'run', ns: 7000 }] } },
      { op: 'thread', program: { steps: [] } }, { op: 'exit', code: 0 }],
  });
  assert.deepEqual(parseProgram('timer 1s frame # comment\n;; sleep 0ns;'),
    { steps: [{ op: 'timer', periodNs: 1e9, ref: 'frame' }, { op: 'sleep', ns: 0 }] });
});

test('format gives the canonical text', () => {
  const cases: [string, string][] = [
    ['run 5000us ;sleep 10000000ns', 'run 5ms; sleep 10ms'],
    ['loop 10 {run 1ms\n sleep 4ms;}', 'loop 10 { run 1ms; sleep 4ms }'],
    ['loop { timer 10ms timer; run 2ms }', 'loop { timer 10ms; run 2ms }'],
    ['alloc 67108864; run 1000ms; free 65536K; exit 3', 'alloc 64M; run 1s; free 64M; exit 3'],
    ['loop { run 1s }', 'hog'],
    ['cpus 3,0-2; nice +0; name "x"', 'name x; nice 0; cpus 0-3'],
    ['loop 0 { }; sleep 0s; alloc 1536; fork { }', 'loop 0 {}; sleep 0ns; alloc 1536; fork {}'],
    ['timer 1500us "a b"', 'timer 1500us "a b"'],
  ];
  for (const [src, canon] of cases) assert.equal(formatProgram(parseProgram(src)), canon, src);
});

function failsAt(src: string, line: number, column: number, reason: RegExp): void {
  assert.throws(() => parseProgram(src), (e: unknown) => {
    assert.ok(e instanceof ProgramError, String(e));
    assert.equal(e.code, 'EINVAL');
    assert.deepEqual([e.line, e.column], [line, column], `${src}: ${e.reason}`);
    assert.match(e.reason, reason);
    return true;
  }, src);
}

test('errors carry the line and column of the token at fault', () => {
  failsAt('run 5', 1, 5, /bad duration '5'/);
  failsAt('run 5ms; sleep 3 h', 1, 16, /bad duration/);
  failsAt('run 5ms; jump 3ms', 1, 10, /unknown step 'jump'/);
  failsAt('run 5ms sleep 3ms', 1, 9, /expected ';' or the end, found 'sleep'/);
  failsAt('loop 3 { run 1ms', 1, 17, /expected ';' or '}', found the end/);
  failsAt('loop x { }', 1, 6, /bad loop count/);
  failsAt('run 1ms }', 1, 9, /found '}'/);
  failsAt('run 1ms\nloop { sleep 0ns }', 2, 6, /forever loop needs/);
  failsAt('nice 20', 1, 6, /-20 to 19/);
  failsAt('name a; name b', 1, 9, /duplicate name/);
  failsAt('run 1ms; nice 3', 1, 10, /unknown step 'nice'/);
  failsAt('cpus 3-1', 1, 6, /bad cpu list/);
  failsAt('exit 300', 1, 6, /0 to 255/);
  failsAt('exit -1', 1, 6, /bad exit code/);
  failsAt('alloc 17179869184G', 1, 7, /2\^64/);
  failsAt('alloc 4T', 1, 7, /bad byte count/);
  failsAt('sleep 9007199254741s', 1, 7, /too large/);
  failsAt('fork run 1ms', 1, 6, /expected '\{'/);
  failsAt('thread { run 1ms', 1, 17, /expected ';' or '}'/);
  failsAt('timer 0ms', 1, 7, /positive/);
  failsAt('name "abc', 1, 6, /unterminated string/);
  failsAt('run', 1, 4, /expected a duration, found the end/);
  failsAt('  \n  ; "x"', 2, 5, /expected a step, found "x"/);
});

const nsArb = fc.oneof(
  fc.tuple(fc.nat(5000), fc.constantFrom(1, 1e3, 1e6, 1e9)).map(([a, u]) => a * u),
  fc.maxSafeNat(),
);
const bytesArb = fc.oneof(
  fc.tuple(fc.bigInt(0n, 5000n), fc.constantFrom(1n, 1n << 10n, 1n << 20n, 1n << 30n)).map(([a, u]) => a * u),
  fc.bigInt(0n, (1n << 64n) - 1n),
);
const nameArb = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
  fc.constantFrom('timer', 'run', 'a.b-c', '{', '#x', 'x y')).filter(isCleanName);

const { program: programArb } = fc.letrec<{ program: Program; steps: Step[]; step: Step }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ op: fc.constantFrom('run' as const, 'sleep' as const), ns: nsArb }),
    fc.record({ op: fc.constant('timer' as const), periodNs: nsArb.filter((n) => n > 0), ref: nameArb }),
    fc.record({ op: fc.constantFrom('alloc' as const, 'free' as const), bytes: bytesArb }),
    fc.record({ op: fc.constant('exit' as const), code: fc.nat(255) }),
    fc.record({ op: fc.constantFrom('fork' as const, 'thread' as const), program: tie('program') }),
    fc.record({ op: fc.constant('loop' as const), count: fc.oneof(fc.nat(20), fc.constant('forever' as const)), body: tie('steps') }),
  ),
  steps: fc.array(tie('step'), { maxLength: 4 }),
  program: fc.record({
    name: nameArb, nice: fc.integer({ min: -20, max: 19 }),
    cpus: fc.array(fc.nat(70), { minLength: 1, maxLength: 6 }), steps: tie('steps'),
  }, { requiredKeys: ['steps'] }),
}));

/** Valid programs only (forever loops that take no time are dropped). */
const validArb = programArb.chain((p) => {
  try { return fc.constant(validateProgram(p)); } catch { return fc.constant(validateProgram({ steps: [] })); }
});

/** A deliberately non-canonical rendering: ns and plain bytes everywhere, odd separators. */
function sloppy(p: Program, sep: string): string {
  const step = (s: Step): string => {
    switch (s.op) {
      case 'run': case 'sleep': return `${s.op}  ${s.ns}ns`;
      case 'timer': return `timer ${s.periodNs}ns ${JSON.stringify(s.ref)}`;
      case 'alloc': case 'free': return `${s.op} ${s.bytes}`;
      case 'exit': return s.code === 0 ? 'exit' : `exit ${s.code}`;
      case 'fork': case 'thread': return `${s.op}{${sep}${sloppy(s.program, sep)}${sep}}`;
      case 'loop': return `loop${s.count === 'forever' ? '' : ` ${s.count}`}{${s.body.map(step).join(sep)}}`;
    }
  };
  const items: string[] = [];
  if (p.cpus !== undefined) items.push(`cpus ${[...p.cpus].reverse().join(',')}`);
  if (p.nice !== undefined) items.push(`nice ${p.nice >= 0 ? '+' : ''}${p.nice}`);
  if (p.name !== undefined) items.push(`name ${JSON.stringify(p.name)}`);
  return items.concat(p.steps.map(step)).join(sep);
}

test('property: parse(format(p)) deep-equals p', () => {
  fc.assert(fc.property(validArb, (p) => {
    assert.deepEqual(parseProgram(formatProgram(p)), p);
  }), { numRuns: 400 });
});

test('property: format(parse(x)) is canonical for any spelling of a program', () => {
  fc.assert(fc.property(validArb, fc.constantFrom('; ', '\n', ' ;; ', ';\n\n', '  \n ; '), (p, sep) => {
    const canon = formatProgram(p);
    assert.equal(formatProgram(parseProgram(sloppy(p, sep))), canon);
    assert.equal(formatProgram(parseProgram(canon)), canon);
  }), { numRuns: 400 });
});

test('format recognizes only the exact hog loop', () => {
  assert.equal(formatProgram(hog()), 'hog');
  assert.equal(formatProgram(validateProgram({ steps: [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: HOG_CHUNK_NS + 1 }] }] })),
    'loop { run 1000000001ns }');
});
