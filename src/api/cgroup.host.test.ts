/**
 * The Cgroup API suite on this machine's kernel (root on a cgroupfs we may
 * write): every test makes its own `/cgkit-test-<hex>` group in each
 * hierarchy it spans, starts only its own processes in it, and removes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { openTestHost } from '../host/host-test.test-util.js';
import { Cgroup } from './cgroup.js';
import { cgroupSuite } from './cgroup-suite.test-util.js';

/** The python3 interpreter itself (not a wrapper script that would fork helpers inside the group), where installed. */
const python3 = ((): string | undefined => {
  const r = spawnSync('python3', ['-c', 'import sys, threading; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && r.stdout.trim().startsWith('/') ? r.stdout.trim() : undefined;
})();

describe('Cgroup on the host kernel', () => {
  cgroupSuite({
    name: 'host',
    open: () => openTestHost(),
    sleep: (s) => ['sleep', String(s)],
    forker: (n, s) => ['sh', '-c', `${'sleep "$1" & '.repeat(n)}sleep "$1"; wait`, 'forker', String(s)],
    exit: (code) => ['sh', '-c', `exit ${code}`],
    spin: () => ['sh', '-c', 'while :; do :; done'],
    // sh cannot start a thread: python3 can, where it is installed.
    threaded: (s) => (python3 !== undefined ? [python3, '-c', `import threading,time; threading.Thread(target=time.sleep,args=(${s},)).start(); time.sleep(${s})`] : undefined),
  });
});

describe('exec on the host', () => {
  it('the command itself sees the group in /proc/self/cgroup, in every hierarchy, from its first instruction', async (t) => {
    const k = await openTestHost();
    if (typeof k === 'string') {
      t.skip(k);
      return;
    }
    const g = await Cgroup.create(k, `/cgkit-test-${randomBytes(6).toString('hex')}`);
    try {
      const h = await g.exec(['cat', '/proc/self/cgroup'], { stdio: 'pipe' });
      let out = '';
      h.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
      assert.deepEqual(await h.exited, { code: 0, signal: null });
      for (const d of g.dirs) {
        const line = out.split('\n').find((l) => (d.version === 2 ? l.startsWith('0::') : l.split(':')[1]!.split(',').includes(d.controllers[0] === 'io' ? 'blkio' : d.controllers[0]!)));
        assert.equal(line?.split(':')[2], g.path, `${d.mount.mountPoint}: ${out}`);
      }
      const missing = await g.exec(['cgkit-no-such-command'], { stdio: 'ignore' });
      assert.deepEqual(await missing.exited, { code: 127, signal: null });
    } finally {
      await g.delete({ kill: true });
    }
  });
});
