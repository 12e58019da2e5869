import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseProgram } from '../../sim/program-text.js';
import { parseReport, toWire, startsThreads, workerCommand, workerFlags } from './protocol.js';

describe('worker protocol', () => {
  it('carries byte counts as decimal strings, nested programs included', () => {
    const w = toWire(parseProgram('alloc 64M; fork { free 18446744073709551615; run 1ms }; loop 2 { thread { alloc 1K } }'));
    const text = JSON.stringify(w);
    assert.deepEqual(JSON.parse(text), {
      steps: [
        { op: 'alloc', bytes: String(64 * 1024 * 1024) },
        { op: 'fork', program: { steps: [{ op: 'free', bytes: '18446744073709551615' }, { op: 'run', ns: 1_000_000 }] } },
        { op: 'loop', count: 2, body: [{ op: 'thread', program: { steps: [{ op: 'alloc', bytes: '1024' }] } }] },
      ],
    });
  });

  it('parses the report lines', () => {
    assert.deepEqual(parseReport('ready 41'), { kind: 'ready', pid: 41 });
    assert.deepEqual(parseReport('task 43 41 100 20 3 1 2 "web server"'), {
      kind: 'task', tid: 43, tgid: 41, name: 'web server', runtimeNs: 100, waitNs: 20, timeslices: 3, nvcsw: 1, nivcsw: 2,
    });
    assert.deepEqual(parseReport('exit 43 41 9007199254740000 5 6 7 8'), {
      kind: 'exit', tid: 43, tgid: 41, runtimeNs: 9007199254740000, waitNs: 5, timeslices: 6, nvcsw: 7, nivcsw: 8,
    });
    assert.deepEqual(parseReport('error 43 "fork: refused"'), { kind: 'error', tid: 43, message: 'fork: refused' });
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'ready', 'ready x', 'task 1 2 3 "n"', 'task 1 2 1 2 3 4 5 name', 'exit 1 2 3 4 5 6', 'exit 1 2 3 4 5 6 -7', 'error 1 oops', 'hello 1 2']) {
      assert.equal(parseReport(bad), undefined, bad);
    }
  });

  it('finds the worker script beside itself', () => {
    const { script, execArgv } = workerCommand({ steps: [{ op: 'run', ns: 1 }] });
    assert.ok(existsSync(script), script);
    assert.ok(execArgv.includes('--expose-gc'));
    if (script.endsWith('.ts')) assert.ok(execArgv.includes('--import'));
  });

  it('runs V8 single-threaded only in a process that starts no threads of its own', () => {
    const hog = { steps: [{ op: 'loop' as const, count: 'forever' as const, body: [{ op: 'run' as const, ns: 1e9 }] }] };
    const threads = { steps: [{ op: 'loop' as const, count: 2, body: [{ op: 'thread' as const, program: hog }] }, ...hog.steps] };
    const forks = { steps: [{ op: 'fork' as const, program: threads }, ...hog.steps] };
    assert.equal(startsThreads(hog), false);
    assert.equal(startsThreads(threads), true);
    assert.equal(startsThreads(forks), false, 'a fork is another process, with its own flags');
    assert.ok(workerFlags(hog).includes('--single-threaded'));
    assert.ok(!workerFlags(threads).includes('--single-threaded'));
  });
});
