import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { CgroupError } from '../core/errors.js';
import {
  coreSchedSupport, createCookie, getCookie, loadHostPrctl, schedCore, shareFrom, shareTo, type PrctlSys,
} from './coresched.js';

/** A prctl that records its calls and answers `errno` (0: success; GET then writes `cookie`). */
function fakeSys(errno = 0, cookie = 0n): PrctlSys & { calls: [number, number, number, boolean][] } {
  const calls: [number, number, number, boolean][] = [];
  return {
    calls,
    schedCore(cmd, pid, scope, out) {
      calls.push([cmd, pid, scope, out !== null]);
      if (errno === 0 && out) out[0] = cookie;
      return errno;
    },
  };
}

/** What this host's kernel config says about core scheduling: 'off' (not built), 'on', or undefined (no /proc/config.gz). */
function configSchedCore(): 'on' | 'off' | undefined {
  try {
    const text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    return /^CONFIG_SCHED_CORE=y$/m.test(text) ? 'on' : 'off';
  } catch {
    return undefined;
  }
}

describe('core scheduling arguments are checked before any system call', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['negative pid', () => getCookie(-1, sys), /pid must be an integer/],
    ['fractional pid', () => createCookie(1.5, 'tgid', sys), /pid must be an integer/],
    ['pid beyond pid_t', () => shareTo(2 ** 31, 'pid', sys), /pid must be an integer/],
    ['NaN pid', () => shareFrom(Number.NaN, sys), /pid must be an integer/],
    ['unknown scope name', () => createCookie(1, 'session' as never, sys), /unknown scope "session"/],
    ['scope number 3', () => createCookie(1, 3, sys), /unknown scope 3/],
    ['unknown command', () => schedCore('set' as never, 1, 'thread', sys), /unknown core scheduling command "set"/],
    ['command 4 (PR_SCHED_CORE_MAX)', () => schedCore(4, 1, 'thread', sys), /unknown core scheduling command 4/],
    ['get on a thread group', () => schedCore('get', 1, 'tgid', sys), /scope must be thread/],
    ['share-from on a process group', () => schedCore('share-from', 1, 'process-group', sys), /scope must be thread/],
  ];
  const sys = fakeSys();
  for (const [name, call, message] of bad) {
    it(`${name}: EINVAL, prctl, with the reason`, () => {
      assert.throws(call, (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL' && e.syscall === 'prctl' && message.test(e.message));
    });
  }
  it('none of them reached prctl', () => {
    assert.deepEqual(sys.calls, []);
  });
});

describe('core scheduling calls', () => {
  it('pass the kernel\'s numbers: command, pid, scope; a buffer only for get', () => {
    const sys = fakeSys(0, 0xabcdefn);
    assert.equal(getCookie(42, sys), 0xabcdefn);
    createCookie(43, 'pgid', sys);
    createCookie(44, undefined, sys);
    shareTo(45, 'thread', sys);
    shareFrom(46, sys);
    schedCore(1, 47, 2, sys);
    assert.deepEqual(sys.calls, [
      [0, 42, 0, true], [1, 43, 2, false], [1, 44, 1, false], [2, 45, 0, false], [3, 46, 0, false], [1, 47, 2, false],
    ]);
  });

  it('a kernel refusal is a CgroupError with its errno and what it means', () => {
    assert.throws(() => createCookie(5, 'tgid', fakeSys(3)), (e: unknown) =>
      e instanceof CgroupError && e.code === 'ESRCH' && e.errno === -3 && e.syscall === 'prctl' && /create on pid 5: no such process/.test(e.message));
    assert.throws(() => shareTo(6, 'pid', fakeSys(1)), { code: 'EPERM', message: /ptrace read access/ });
    assert.throws(() => getCookie(0, fakeSys(19)), { code: 'ENODEV', message: /needs SMT/ });
  });
});

describe('feature detection', () => {
  it('reads the answer of a get on the calling thread', () => {
    const ok = fakeSys(0, 0n);
    assert.equal(coreSchedSupport({ sys: ok }).supported, true);
    assert.deepEqual(ok.calls, [[0, 0, 0, true]]);
    const noConfig = coreSchedSupport({ sys: fakeSys(22) });
    assert.equal(noConfig.supported, false);
    assert.equal(noConfig.code, 'EINVAL');
    assert.match(noConfig.why ?? '', /built without core scheduling \(CONFIG_SCHED_CORE\).*EINVAL/);
    const noSmt = coreSchedSupport({ sys: fakeSys(19) });
    assert.deepEqual([noSmt.supported, noSmt.code], [false, 'ENODEV']);
    assert.match(noSmt.why ?? '', /needs SMT/);
  });

  it('a binding that could not be loaded is "unsupported" with the reason', () => {
    const s = coreSchedSupport({ error: 'the FFI library koffi could not be loaded (gone)' });
    assert.equal(s.supported, false);
    assert.match(s.why ?? '', /koffi could not be loaded \(gone\)/);
  });

  const config = configSchedCore();
  it('this host: a kernel built without CONFIG_SCHED_CORE is reported unsupported with EINVAL', { skip: config !== 'off' && `kernel config says ${config ?? 'nothing (no /proc/config.gz)'}` }, () => {
    const load = loadHostPrctl();
    assert.ok(!('error' in load), 'koffi loads here');
    const s = coreSchedSupport();
    assert.equal(s.supported, false);
    assert.equal(s.code, 'EINVAL');
    assert.match(s.why ?? '', /this kernel was built without core scheduling \(CONFIG_SCHED_CORE\): prctl\(PR_SCHED_CORE\) fails with EINVAL/);
    assert.throws(() => getCookie(0), { code: 'EINVAL', syscall: 'prctl', errno: -22 });
  });
});
