import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { CgroupError } from '../core/errors.js';
import { ProcEvents, procEventsSupport, type ProcEventMessage } from './proc-events.js';
import { FakeNetlink, ack, exec, exit, fork } from './proc-events.test-util.js';

const isErr = (code: string, text: RegExp) => (e: unknown): boolean =>
  e instanceof CgroupError && e.code === code && e.syscall === 'watch' && text.test(e.message);

/** Let the fake's waits and the drains that follow them run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

async function opened(): Promise<{ sys: FakeNetlink; pe: ProcEvents; got: ProcEventMessage[] }> {
  const sys = new FakeNetlink();
  const pe = await ProcEvents.open({ sys, receiveBufferBytes: 1 << 20 });
  const got: ProcEventMessage[] = [];
  pe.subscribe((e) => got.push(e));
  return { sys, pe, got };
}

describe('ProcEvents.open', () => {
  it('binds, sends LISTEN, resolves on the kernel\'s acknowledgement, asks for the receive buffer', async () => {
    const { sys, pe } = await opened();
    assert.deepEqual(sys.sent.map((s) => s.op), [1]);
    assert.deepEqual(sys.receiveBuffer, [1 << 20]);
    assert.equal(pe.closed, false);
    await pe.close();
  });

  it('ignores other listeners\' acknowledgements and waits for its own', async () => {
    const sys = new FakeNetlink();
    sys.onListen = (a) => [{ bytes: ack(a + 7, 1), portid: 0 }, { bytes: ack(a + 1), portid: 0 }];
    const pe = await ProcEvents.open({ sys });
    await pe.close();
  });

  // The last column: what was sent (1 LISTEN, 2 IGNORE). IGNORE only follows a LISTEN: older kernels uncount on any IGNORE.
  const refusals: [string, (s: FakeNetlink) => void, string, RegExp, number[]][] = [
    ['no CONFIG_CONNECTOR (socket: EPROTONOSUPPORT)', (s) => { s.socketResult = -93; }, 'ENOTSUP', /EPROTONOSUPPORT \(errno 93\): this kernel has no netlink connector \(CONFIG_CONNECTOR\)/, []],
    ['bind refused (EPERM, older kernels without CAP_NET_ADMIN)', (s) => { s.bindResult = 1; }, 'EPERM', /bind\(\) to the process-event group \(CN_IDX_PROC\) failed with EPERM: .*CAP_NET_ADMIN/, []],
    ['LISTEN acknowledged with EPERM', (s) => { s.onListen = (a) => [{ bytes: ack(a + 1, 1), portid: 0 }]; }, 'EPERM', /PROC_CN_MCAST_LISTEN failed with EPERM: .*CAP_NET_ADMIN/, [1, 2]],
    ['no acknowledgement (no CONFIG_PROC_EVENTS, or another namespace)', (s) => { s.onListen = undefined; }, 'ETIMEDOUT', /did not acknowledge PROC_CN_MCAST_LISTEN within 30 ms: .*CONFIG_PROC_EVENTS.*namespaces/, [1, 2]],
  ];
  for (const [name, setup, code, text, ops] of refusals) {
    it(`${name}: ${code}, every descriptor closed`, async () => {
      const sys = new FakeNetlink();
      setup(sys);
      await assert.rejects(ProcEvents.open({ sys, ackTimeoutMs: 30 }), isErr(code, text));
      await settle();
      assert.equal(sys.waiting, false, 'no poll left pending');
      assert.deepEqual(sys.closed.sort(), sys.socketResult < 0 ? [] : [10, 11]);
      assert.deepEqual(sys.sent.map((s) => s.op), ops);
    });
  }

  it('a poll that cannot be started: EAGAIN, nothing sent, every descriptor closed', async () => {
    const sys = new FakeNetlink();
    sys.waitThrows = true;
    await assert.rejects(ProcEvents.open({ sys }), isErr('EAGAIN', /poll\(\) could not be started: Too many asynchronous calls/));
    assert.deepEqual(sys.sent, []);
    assert.deepEqual(sys.closed.sort(), [10, 11]);
  });

  it('procEventsSupport says why, without throwing', async () => {
    const sys = new FakeNetlink();
    sys.bindResult = 1;
    const s = await procEventsSupport({ sys });
    assert.equal(s.supported, false);
    assert.equal(s.code, 'EPERM');
    assert.match(s.why ?? '', /CAP_NET_ADMIN/);
    assert.deepEqual(await procEventsSupport({ sys: new FakeNetlink() }), { supported: true });
  });
});

describe('ProcEvents delivery', () => {
  it('delivers fork, exec and exit in the kernel\'s order to every subscriber', async () => {
    const { sys, pe, got } = await opened();
    const second: string[] = [];
    const off = pe.subscribe((e) => second.push(e.kind));
    sys.push(fork(100, 100, 200, 200), exec(200, 200));
    await settle();
    off();
    sys.push(exit(200, 200, 3 << 8));
    await settle();
    assert.deepEqual(got.map((e) => e.kind), ['fork', 'exec', 'exit']);
    assert.deepEqual(second, ['fork', 'exec'], 'unsubscribed before the exit');
    const x = got[2];
    assert.ok(x?.kind === 'exit' && x.status === 3);
    await pe.close();
  });

  it('reports ENOBUFS as an overrun and goes on receiving', async () => {
    const { sys, pe, got } = await opened();
    sys.push(exec(5, 5), { errno: 105 }, exec(6, 6));
    await settle();
    assert.deepEqual(got.map((e) => e.kind), ['exec', 'overrun', 'exec']);
    await pe.close();
  });

  it('drops datagrams that do not come from the kernel (port 0)', async () => {
    const { sys, pe, got } = await opened();
    sys.push({ bytes: fork(1, 1, 66, 66), portid: 4242 }, exec(7, 7));
    await settle();
    assert.deepEqual(got.map((e) => e.kind === 'exec' && e.pid), [7]);
    await pe.close();
  });

  it('a failed receive ends the stream with an error event and closes', async () => {
    const { sys, pe, got } = await opened();
    sys.push({ errno: 9 });
    await settle();
    const last = got.at(-1);
    assert.ok(last?.kind === 'error' && last.error.code === 'EBADF');
    assert.equal(pe.closed, true);
    assert.deepEqual(sys.closed.sort(), [10, 11]);
  });
});

describe('ProcEvents.close', () => {
  it('sends IGNORE, wakes the pending poll, then closes both descriptors', async () => {
    const { sys, pe } = await opened();
    await settle();
    assert.equal(sys.waiting, true);
    const done = pe.close();
    assert.deepEqual(sys.closed, [], 'not while the poll still uses them');
    await done;
    assert.deepEqual(sys.sent.map((s) => s.op), [1, 2]);
    assert.deepEqual(sys.closed.sort(), [10, 11]);
    assert.equal(sys.waiting, false);
    assert.equal(pe.closed, true);
    assert.equal(pe.close(), done, 'idempotent');
    assert.throws(() => pe.subscribe(() => undefined), isErr('EBADF', /closed/));
  });

  it('close() from inside a subscriber stops delivery of the rest of the batch', async () => {
    const { sys, pe } = await opened();
    const seen: number[] = [];
    pe.subscribe((e) => {
      if (e.kind === 'exec') seen.push(e.pid);
      void pe.close();
    });
    sys.push(exec(1, 1), exec(2, 2), exec(3, 3));
    await settle();
    assert.deepEqual(seen, [1]);
    assert.deepEqual(sys.closed.sort(), [10, 11]);
  });
});
