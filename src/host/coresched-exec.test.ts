import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CgroupError } from '../core/errors.js';
import { execWithCookie } from './coresched-exec.js';
import { coreSchedSupport, createCookie } from './coresched.js';
import { processGone } from './proc-stat.js';

const dir = mkdtempSync(join(tmpdir(), 'cgkit-coresched-'));
after(() => rmSync(dir, { recursive: true, force: true }));


const writes = (file: string): string[] => ['sh', '-c', 'echo ran > "$1"', 'sh', file];

describe('starting a command with a cookie (stub held until set up)', { skip: process.platform !== 'linux' && 'not Linux' }, () => {
  it('setup sees the stub before the command runs; then the command runs and its status comes back', async () => {
    const file = join(dir, 'ok');
    let seen: { pid: number; ranYet: boolean } | undefined;
    const h = await execWithCookie({
      argv: writes(file),
      stdio: 'ignore',
      setup: (pid) => { seen = { pid, ranYet: existsSync(file) }; },
    });
    assert.deepEqual(await h.ended, { code: 0, signal: null });
    assert.equal(seen?.pid, h.pid);
    assert.equal(seen?.ranYet, false, 'the command had not run while setup ran');
    assert.equal(readFileSync(file, 'utf8'), 'ran\n');
  });

  it('a setup that throws: the stub is killed and reaped, the command never ran, the error comes back', async () => {
    const file = join(dir, 'refused');
    let stub = 0;
    await assert.rejects(execWithCookie({
      argv: writes(file),
      stdio: 'ignore',
      onStarted: (pid) => { stub = pid; },
      setup: () => { throw new CgroupError('EPERM', 'prctl', undefined, 'test refusal'); },
    }), { code: 'EPERM', message: /test refusal/ });
    assert.ok(stub > 0);
    assert.ok(processGone(stub), `stub ${stub} is gone`);
    assert.equal(existsSync(file), false);
  });

  const support = coreSchedSupport();
  it('this host: a real CREATE on the stub fails with the errno; nothing ran, no stub left', { skip: support.supported && 'this kernel has core scheduling' }, async () => {
    const file = join(dir, 'real');
    let stub = 0;
    await assert.rejects(execWithCookie({
      argv: writes(file),
      stdio: 'ignore',
      onStarted: (pid) => { stub = pid; },
      setup: (pid) => createCookie(pid, 'thread-group'),
    }), (e: unknown) => e instanceof CgroupError && e.syscall === 'prctl' && e.code === (support.code ?? 'ENOSYS') && e.message.includes(`create on pid ${stub}`));
    assert.ok(processGone(stub), `stub ${stub} is gone`);
    assert.equal(existsSync(file), false);
  });

  it('no command, or a NUL in an argument: EINVAL before anything starts', async () => {
    let called = false;
    const setup = (): void => { called = true; };
    await assert.rejects(execWithCookie({ argv: [], setup }), { code: 'EINVAL', message: /no command given/ });
    await assert.rejects(execWithCookie({ argv: ['echo', 'a\0b'], setup }), { code: 'EINVAL', message: /NUL/ });
    assert.equal(called, false);
  });
});
