/**
 * A progress bar for long runs: simulated time done of the total, with the
 * wall-clock time left. It appears only on a terminal, and only once the run
 * has taken more than `minWallMs` of wall time, so quick runs and piped
 * output stay clean. Call `stop()` on every exit path: it clears the bar and
 * ends cli-progress's redraw timer.
 */
import cliProgress from 'cli-progress';
import { formatDuration, formatWall } from './units.js';

export interface ProgressOptions {
  /** Where the bar is drawn (a terminal's stderr, usually). */
  readonly stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Simulated time of the whole run. */
  readonly totalNs: number;
  /** Wall time before the bar shows; default 1000 ms. */
  readonly minWallMs?: number;
  /** Wall clock in ms; default `performance.now`. */
  readonly now?: () => number;
}

export interface Progress {
  /** The run has simulated `doneNs` of `totalNs`. */
  update(doneNs: number): void;
  /** Clear the bar (if it was shown) and release its timer. Idempotent. */
  stop(): void;
}

export const DEFAULT_MIN_WALL_MS = 1000;

function isTty(stream: ProgressOptions['stream']): boolean {
  return (stream as { isTTY?: unknown }).isTTY === true;
}

interface Payload {
  readonly done: string;
  readonly all: string;
  readonly left: string;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? (() => performance.now());
  const minWallMs = opts.minWallMs ?? DEFAULT_MIN_WALL_MS;
  const total = Math.max(0, opts.totalNs);
  const started = now();
  const tty = isTty(opts.stream);
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;

  const payload = (doneNs: number, elapsedMs: number): Payload => {
    // Time left if the rest runs at the pace so far.
    const left = doneNs > 0 && total > 0 ? (elapsedMs * (total - doneNs)) / doneNs : Number.NaN;
    return { done: formatDuration(doneNs), all: formatDuration(total), left: formatWall(left) };
  };

  return {
    update(doneNs: number): void {
      if (stopped || !tty) return;
      const done = Math.min(Math.max(0, doneNs), total);
      const elapsed = now() - started;
      if (bar === undefined) {
        if (elapsed <= minWallMs) return;
        bar = new cliProgress.SingleBar({
          stream: opts.stream as NodeJS.WritableStream,
          format: 'simulated {done} / {all} [{bar}] {percentage}% · ETA {left}',
          barsize: 30,
          clearOnComplete: true,
          hideCursor: false,
          gracefulExit: false,
        });
        bar.start(total, done, payload(done, elapsed));
        return;
      }
      bar.update(done, payload(done, elapsed));
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}
