import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createProgress } from './progress.js';

/** A stream that records what is written; a terminal when `tty`. */
class Sink extends Writable {
  readonly chunks: string[] = [];
  readonly isTTY: boolean;
  readonly columns = 120;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(String(chunk));
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/** Let the stream's queued writes land. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function clock(start = 0): { now: () => number; at(ms: number): void } {
  let t = start;
  return { now: () => t, at(ms) { t = ms; } };
}

test('nothing is shown on a stream that is not a terminal, however long the run', async () => {
  const sink = new Sink(false);
  const c = clock();
  const p = createProgress({ stream: sink, totalNs: 2e9, now: c.now });
  c.at(60_000);
  p.update(1e9);
  p.stop();
  await settle();
  assert.equal(sink.text, '');
});

test('nothing is shown on a terminal while the run is under a second', async () => {
  const sink = new Sink(true);
  const c = clock(500);
  const p = createProgress({ stream: sink, totalNs: 2e9, now: c.now });
  c.at(1_400);
  p.update(1.5e9);
  p.stop();
  await settle();
  assert.equal(sink.text, '');
});

test('past a second of wall time the bar shows simulated time done of total and the ETA', async () => {
  const sink = new Sink(true);
  const c = clock(100);
  const p = createProgress({ stream: sink, totalNs: 2e9, now: c.now });
  c.at(700);
  p.update(0.4e9);
  await settle();
  assert.equal(sink.text, '');
  c.at(1_600); // 1.5 s for half the run: 1.5 s to go
  p.update(1e9);
  await settle();
  assert.match(sink.text, /simulated 1\.000 s \/ 2\.000 s \[/);
  assert.match(sink.text, /50% · ETA 1\.5 s/);
  c.at(3_100);
  p.update(2e9);
  p.stop();
  await settle();
  assert.match(sink.text, /simulated 2\.000 s \/ 2\.000 s .*100% · ETA 0\.0 s/);
});

test('minWallMs changes the threshold; stop is idempotent and ends updates', async () => {
  const sink = new Sink(true);
  const c = clock();
  const p = createProgress({ stream: sink, totalNs: 500e6, minWallMs: 50, now: c.now });
  c.at(60);
  p.update(100e6);
  await settle();
  assert.match(sink.text, /simulated 100\.0 ms \/ 500\.0 ms/);
  p.stop();
  p.stop();
  await settle();
  const before = sink.text;
  c.at(10_000);
  p.update(400e6);
  await settle();
  assert.equal(sink.text, before);
});
