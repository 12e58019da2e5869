import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mcastMessage, parseDatagram, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN } from './proc-events-wire.js';
import { concat, eventDatagram, exec, exit, fork } from './proc-events.test-util.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const parse = (b: Uint8Array, le = true): ReturnType<typeof parseDatagram> => parseDatagram(b, b.byteLength, le);

// Read on this host (x86-64, Linux 6.18) from the connector while `sh -c '(exit 3) & wait'` (pid 21039) ran.
const REAL = {
  ack: '4c0000000300000094090000000000000100000001000000940900002a000000280000000000000000000000f2420db6a80f0000000000000000000000000000000000000000000000000000',
  fork: '4c00000003000000950900000000000001000000010000009509000000000000280000000100000000000000e7a926b6a80f00001e5200001e5200002f5200002f5200000000000000000000',
  exec: '4c00000003000000470a0000000000000100000001000000470a000000000000280000000200000001000000d2cc70b6a80f00002f5200002f52000000000000000000000000000000000000',
  exit3: '4c000000030000009609000000000000010000000100000096090000000000002800000000000080000000000b4d80b6a80f0000305200003052000000030000110000002f5200002f520000',
};

describe('struct proc_event as the kernel sends it', () => {
  it('reads the acknowledgement of LISTEN (ack = sent ack + 1, err 0)', () => {
    assert.deepEqual(parse(hex(REAL.ack)), [{ kind: 'ack', ack: 42, err: 0 }]);
  });

  it('reads a fork: parent node 21022 → child 21039, a process (pid = tgid)', () => {
    const [e] = parse(hex(REAL.fork));
    assert.deepEqual(e, { kind: 'fork', cpu: 0, timestampNs: 0x0fa8b626a9e7n, parentPid: 21022, parentTgid: 21022, childPid: 21039, childTgid: 21039 });
  });

  it('reads an exec of 21039 on CPU 1', () => {
    assert.deepEqual(parse(hex(REAL.exec)), [{ kind: 'exec', cpu: 1, timestampNs: 0x0fa8b670ccd2n, pid: 21039, tgid: 21039 }]);
  });

  it('reads an exit with status 3 (wait status 0x300), SIGCHLD to parent 21039', () => {
    const [e] = parse(hex(REAL.exit3));
    assert.ok(e?.kind === 'exit');
    assert.equal(e.pid, 21040);
    assert.equal(e.exitCode, 0x300);
    assert.equal(e.status, 3);
    assert.equal(e.signal, null);
    assert.equal(e.exitSignal, 17);
    assert.equal(e.parentTgid, 21039);
  });
});

describe('parseDatagram', () => {
  it('decodes a death by signal (SIGKILL, 9) and a thread exit (exit_signal -1)', () => {
    const [killed, thread] = [...parse(exit(7, 7, 9)), ...parse(exit(8, 7, 0, -1))];
    assert.ok(killed?.kind === 'exit' && thread?.kind === 'exit');
    assert.equal(killed.status, null);
    assert.equal(killed.signal, 9);
    assert.equal(thread.exitSignal, -1);
    assert.equal(thread.tgid, 7);
  });

  it('reads every netlink message of a datagram, in order', () => {
    const kinds = parse(concat(fork(1, 1, 5, 5), exec(5, 5), exit(5, 5))).map((m) => m.kind);
    assert.deepEqual(kinds, ['fork', 'exec', 'exit']);
  });

  it('skips other event types (uid, comm, coredump, ...) and other connector ids', () => {
    const uid = eventDatagram(0x4, [5, 5, 1000, 1000]);
    const comm = eventDatagram(0x200, [5, 5]);
    const coredump = eventDatagram(0x40000000, [5, 5, 1, 1]);
    const otherIdx = eventDatagram(0x1, [1, 1, 5, 5], { idx: 2 });
    assert.deepEqual(parse(concat(uid, comm, coredump, otherIdx, exec(5, 5))).map((m) => m.kind), ['exec']);
  });

  it('stops at a truncated message instead of reading past the datagram', () => {
    const b = concat(exec(5, 5), fork(1, 1, 6, 6));
    assert.deepEqual(parse(b.subarray(0, b.byteLength - 10)).map((m) => m.kind), ['exec']);
    assert.deepEqual(parse(new Uint8Array(8)), []);
    assert.deepEqual(parseDatagram(exec(5, 5), 40, true), []); // only part of the datagram was received
  });

  it('reports NLMSG_OVERRUN as an overrun', () => {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 16, true);
    dv.setUint16(4, 4, true);
    assert.deepEqual(parse(b), [{ kind: 'overrun' }]);
  });

  it('reads big-endian hosts\' byte order when told to', () => {
    const b = eventDatagram(0x2, [300, 300], { le: false });
    assert.deepEqual(parse(b, false).map((m) => m.kind === 'exec' && m.pid), [300]);
  });
});

describe('mcastMessage', () => {
  it('is nlmsghdr + cn_msg + the 4-byte op, addressed to CN_IDX_PROC/CN_VAL_PROC', () => {
    const m = mcastMessage(PROC_CN_MCAST_LISTEN, 41, true);
    assert.equal(Buffer.from(m).toString('hex'),
      '28000000' + '0300' + '0000' + '00000000' + '00000000' // nlmsghdr: len 40, NLMSG_DONE
      + '01000000' + '01000000' + '00000000' + '29000000' + '0400' + '0000' // cn_msg: idx 1, val 1, seq 0, ack 41, len 4
      + '01000000'); // PROC_CN_MCAST_LISTEN
    assert.equal(new DataView(mcastMessage(PROC_CN_MCAST_IGNORE, 0, true).buffer).getUint32(36, true), 2);
  });
});
