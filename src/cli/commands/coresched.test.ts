import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { coreSchedSupport, type PrctlLoad, type PrctlSys } from '../../host/coresched.js';
import { Collect } from '../shell/harness.test.util.js';
import type { CliContext } from './context.js';
import { coreschedCommand } from './coresched.js';
import { processGone } from '../../host/proc-stat.js';

const dir = mkdtempSync(join(tmpdir(), 'cgkit-coresched-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Call = [cmd: number, pid: number, scope: number];

/** A prctl that records calls; `errnoOf(cmd)` answers (0: success). */
function fakeLoad(errnoOf: (cmd: number) => number = () => 0, cookie = 0x1234n): { load: PrctlLoad; calls: Call[] } {
  const calls: Call[] = [];
  const sys: PrctlSys = {
    schedCore(cmd, pid, scope, out) {
      calls.push([cmd, pid, scope]);
      const errno = errnoOf(cmd);
      if (errno === 0 && out) out[0] = cookie;
      return errno;
    },
  };
  return { load: { sys }, calls };
}

/** `cgkit coresched ARGS...` in this process on `load`, with the exit statuses of program.ts. */
async function coresched(args: string[], load: PrctlLoad): Promise<{ out: string; err: string; status: number }> {
  const stdin = new PassThrough();
  stdin.end('');
  const stdout = new Collect();
  const stderr = new Collect();
  const cli: CliContext = { stdin, stdout, stderr, exitCode: 0, makeKernel: () => Promise.reject(new Error('no kernel')) };
  const program = new Command('cgkit').exitOverride().configureOutput({
    writeOut: (s) => { stdout.write(s); },
    writeErr: (s) => { stderr.write(s); },
    outputError: (s, write) => { write(`cgkit: ${s.replace(/^error: /, '').trim()}\n`); },
  });
  program.addCommand(coreschedCommand(cli, { load: () => load }).exitOverride().configureOutput(program.configureOutput()));
  let status: number;
  try {
    await program.parseAsync(['coresched', ...args], { from: 'user' });
    status = cli.exitCode;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    status = e.exitCode === 0 ? 0 : 2;
  }
  return { out: stdout.text, err: stderr.text, status };
}


describe('cgkit coresched: usage errors exit 2 without any system call', () => {
  const cases: [string[], RegExp][] = [
    [['get', '-s', '0'], /'-s, --source <pid>' argument '0' is invalid\. expected a process id/],
    [['get', '-s', '12x'], /argument '12x' is invalid/],
    [['-s', '-3'], /argument '-3' is invalid|unknown option '-3'/],
    [['new', '-t', 'session', '-d', '5'], /argument 'session' is invalid\. Allowed choices are pid, tgid, pgid/],
    [['new'], /new: needs -d PID or a program after --/],
    [['copy', '-s', '5'], /copy: needs -d PID or a program after --/],
    [['new', '-d', '5', '--', 'true'], /new: give either -d PID or a program after --, not both/],
    [['copy', '-d', '5', '--', 'true'], /copy: give either -d PID or a program after --, not both/],
    [['new', '-t', 'pgid', '--', 'true'], /-t pgid with a program would also change cgkit's own process group/],
    [['get', '-d', '5'], /unknown option '-d'/],
    [['new', '-d', '99999999999'], /argument '99999999999' is invalid/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const f = fakeLoad();
      const r = await coresched(args, f.load);
      assert.equal(r.status, 2, r.err);
      assert.match(r.err, message);
      assert.deepEqual(f.calls, [], 'no prctl');
    });
  }
});

describe('cgkit coresched on a kernel with core scheduling (recorded prctl)', () => {
  it('get (the default function) reads cgkit\'s own thread, or -s PID; --json', async () => {
    let f = fakeLoad();
    let r = await coresched([], f.load);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, `cookie of pid ${process.pid} is 0x1234\n`);
    f = fakeLoad();
    r = await coresched(['get', '-s', '77', '--json'], f.load);
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { pid: 77, cookie: '0x1234', hasCookie: true });
    assert.deepEqual(f.calls, [[0, 0, 0], [0, 77, 0]], 'the support probe, then the get');
  });

  it('new -d / copy -s -d: the prctl commands and scopes util-linux uses', async () => {
    let f = fakeLoad();
    assert.equal((await coresched(['new', '-d', '50'], f.load)).status, 0);
    assert.deepEqual(f.calls.slice(1), [[1, 50, 1]], 'create, default type tgid');
    f = fakeLoad();
    assert.equal((await coresched(['copy', '-s', '7', '-t', 'pgid', '-d', '9'], f.load)).status, 0);
    assert.deepEqual(f.calls.slice(1), [[3, 7, 0], [2, 9, 2]], 'share-from the source, then share-to the destination group');
    f = fakeLoad();
    const r = await coresched(['copy', '-v', '-t', 'pid', '-d', '9'], f.load);
    assert.deepEqual(f.calls.slice(1), [[2, 9, 0], [0, 9, 0]], 'no source: cgkit\'s own cookie; -v reads the result');
    assert.match(r.err, /pid 9 \(pid\) now has cookie 0x1234/);
  });

  it('new -- PROGRAM: the stub gets the cookie before the program runs, and the status is the program\'s', async () => {
    const file = join(dir, 'ran');
    const f = fakeLoad();
    const r = await coresched(['new', '-t', 'pid', '--', 'sh', '-c', 'echo out; echo ran > "$1"; exit 3', 'sh', file], f.load);
    assert.equal(r.status, 3, r.err);
    assert.equal(r.out, 'out\n');
    assert.equal(readFileSync(file, 'utf8'), 'ran\n');
    const create = f.calls[1];
    assert.ok(create && create[0] === 1 && create[2] === 0 && create[1] !== process.pid && create[1] > 0, JSON.stringify(f.calls));
  });

  it('a refused CREATE on the stub: exit 1 with the errno, the program never ran, no stub left', async () => {
    const file = join(dir, 'refused');
    const f = fakeLoad((cmd) => (cmd === 1 ? 1 : 0));
    const r = await coresched(['new', '--', 'sh', '-c', 'echo ran > "$1"', 'sh', file], f.load);
    assert.equal(r.status, 1);
    assert.match(r.err, /could not start sh with a core scheduling cookie: EPERM: Operation not permitted, prctl .*the program was not run/);
    assert.equal(existsSync(file), false);
    const stub = f.calls[1]?.[1] ?? 0;
    assert.ok(stub > 0 && processGone(stub), `stub ${stub} is gone`);
  });
});

const support = coreSchedSupport();
describe('cgkit coresched on this host (built without CONFIG_SCHED_CORE)', { skip: support.code !== 'EINVAL' && `core scheduling here: ${support.supported ? 'supported' : support.why ?? '?'}` }, () => {
  // The real `cgkit` entry beside this file: main.ts under tsx, main.js when the tests run compiled.
  const ts = import.meta.url.endsWith('.ts');
  const main = join(import.meta.dirname, '..', ts ? 'main.ts' : 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [...(ts ? ['--import', 'tsx'] : []), main, 'coresched', ...args], { encoding: 'utf8' });

  it('new -- PROGRAM fails at once with the missing kernel feature and its errno; the program never ran', () => {
    const file = join(dir, 'host-new');
    const r = run('new', '--', 'sh', '-c', 'echo ran > "$1"', 'sh', file);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^cgkit: core scheduling is not available here: this kernel was built without core scheduling \(CONFIG_SCHED_CORE\): prctl\(PR_SCHED_CORE\) fails with EINVAL/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(file), false);
  });

  it('get on itself reports the EINVAL', () => {
    for (const args of [[], ['get', '--json']]) {
      const r = run(...args);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /built without core scheduling \(CONFIG_SCHED_CORE\): prctl\(PR_SCHED_CORE\) fails with EINVAL \(errno 22\)/);
      assert.equal(r.stdout, '');
    }
  });
});
