import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KernelOptions } from './commands/context.js';
import { main } from './program.js';
import { FakeKernel } from './shell/fake-kernel.test.util.js';
import { Collect } from './shell/harness.test.util.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The bin as users run it: dist/cli/main.js after a build, the TypeScript source under tsx. */
const compiled = import.meta.url.endsWith('.js');
const mainFile = fileURLToPath(new URL(compiled ? './main.js' : './main.ts', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function cgkit(args: string[], stdinText = '', make?: (o: KernelOptions) => FakeKernel): Promise<{ out: string; err: string; status: number }> {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const stdout = new Collect();
  const stderr = new Collect();
  const status = await main(args, { stdin, stdout, stderr }, make ?? (() => new FakeKernel()));
  return { out: stdout.text, err: stderr.text, status };
}

describe('cgkit command line (in-process)', () => {
  it('--version prints the package version', async () => {
    assert.deepEqual(await cgkit(['--version']), { out: `${version}\n`, err: '', status: 0 });
  });

  it('--help lists the commands', async () => {
    const r = await cgkit(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.out, /^Usage: cgkit /);
    assert.match(r.out, /^ {2}shell \[options\] +a shell over a simulated kernel/m);
  });

  it('shell --help lists the options and the commands inside the shell', async () => {
    const r = await cgkit(['shell', '--help']);
    assert.equal(r.status, 0);
    for (const o of ['--layout', '--cpus', '--seed', '--json']) assert.ok(r.out.includes(o), o);
    assert.match(r.out, /^ {2}mkdir \[-p\] DIR\.\.\. /m);
    assert.match(r.out, /Exit status:/);
  });

  it('usage errors are one line on stderr and status 2', async () => {
    for (const args of [['nope'], ['shel'], ['--bogus'], ['shell', '--layout', 'bogus'], ['shell', '--cpus', '0'], ['shell', '--seed', 'x'], ['shell', 'extra']]) {
      const r = await cgkit(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /^cgkit: [^\n]+\n$/, args.join(' '));
    }
    assert.equal((await cgkit(['shel'])).err, "cgkit: unknown command 'shel' (Did you mean shell?)\n");
  });

  it('shell passes the layout, cpus and seed to the kernel and runs stdin', async () => {
    let seen: KernelOptions | undefined;
    const r = await cgkit(['shell', '--layout', 'hybrid', '--cpus', '4', '--seed', '7'], 'pwd\nmkdir a\nmkdir a\n', (o) => {
      seen = o;
      return new FakeKernel('hybrid');
    });
    assert.deepEqual(seen, { layout: 'hybrid', cpus: 4, seed: 7 });
    assert.deepEqual(r, { out: '/sys/fs/cgroup/unified\n', err: "mkdir: cannot create directory 'a': File exists\n", status: 1 });
  });

  it('--json reaches the shell', async () => {
    const r = await cgkit(['shell', '--json'], 'cat cgroup.events\n');
    assert.deepEqual(JSON.parse(r.out), { populated: 1, frozen: 0 });
  });

  it('a kernel that cannot start is one line and status 1', async () => {
    const r = await cgkit(['shell'], '', () => { throw new Error('no cgroup mounts found'); });
    assert.deepEqual(r, { out: '', err: 'cgkit: no cgroup mounts found\n', status: 1 });
  });
});

describe('cgkit command line (subprocess)', () => {
  const run = (args: string[], input: string) => spawnSync(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), mainFile, ...args], {
    cwd: root, input, encoding: 'utf8', timeout: 60_000,
  });

  it('the bin is a node script', () => {
    assert.equal(readFileSync(mainFile, 'utf8').split('\n')[0], '#!/usr/bin/env node');
  });

  it('cgkit shell < script: output, error lines and exit status 0 or 1', () => {
    const good = run(['shell'], 'mkdir a\necho +pids > cgroup.subtree_control\ncat a/cgroup.controllers\nrmdir a\n');
    assert.equal(good.stderr, '');
    assert.equal(good.stdout, 'pids\n');
    assert.equal(good.status, 0);
    const bad = run(['shell'], 'mkdir a\nmkdir a\necho still running\n');
    assert.equal(bad.stdout, 'still running\n');
    assert.equal(bad.stderr, "mkdir: cannot create directory 'a': File exists\n");
    assert.equal(bad.status, 1);
  });

  it('a usage error exits 2 with one line', () => {
    const r = run(['shell', '--layout', 'nope'], '');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.split('\n').length, 2);
  });
});
