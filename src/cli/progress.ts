// Training progress for people: a cli-progress bar per epoch on a terminal, plain periodic lines elsewhere (CI,
// pipes, files), nothing with --quiet. Each epoch ends with one line: its accuracies, smoothed loss and speed.
import cliProgress from 'cli-progress';
import type { EpochInfo, IterationInfo } from '../train/Trainer.js';
import type { Writer } from './args.js';

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  stream: Writer;
  mode: ProgressMode;
  epochs: number;
  /** The Trainer's iterPerEpoch (may be fractional) and maxIter. */
  iterPerEpoch: number;
  maxIter: number;
  batchSize: number;
  /** Least time between two plain lines (default 1000 ms). */
  intervalMs?: number;
}

/** Smoothing of the displayed loss: an exponential moving average, bias-corrected (as Adam's moments). */
const LOSS_BETA = 0.95;

export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private lossAvg = 0;
  private lossSteps = 0;
  private readonly t0 = performance.now();
  private epochT0 = performance.now();
  private epochIter0 = 0;
  private lastLine = performance.now();
  private lastIter = 0;
  private lastIterTime = performance.now();

  constructor(private readonly o: ProgressOptions) {}

  /** The loss shown: EMA of the per-iteration losses so far (NaN before the first). */
  get smoothedLoss(): number {
    return this.lossSteps === 0 ? NaN : this.lossAvg / (1 - LOSS_BETA ** this.lossSteps);
  }

  /** Training speed in the current epoch, up to the last step (so the epoch's evaluation is not counted). */
  private samplesPerSecond(): number {
    const dt = (this.lastIterTime - this.epochT0) / 1000;
    return dt > 0 ? ((this.lastIter - this.epochIter0) * this.o.batchSize) / dt : 0;
  }

  iteration(info: IterationInfo): void {
    if (Number.isFinite(info.loss)) {
      this.lossAvg = LOSS_BETA * this.lossAvg + (1 - LOSS_BETA) * info.loss;
      this.lossSteps++;
    }
    this.lastIter = info.iter;
    const now = performance.now();
    this.lastIterTime = now;
    if (this.o.mode === 'off') return;
    if (this.o.mode === 'bar') {
      if (!this.bar) this.startBar(info);
      this.bar!.update(info.iter - this.epochIter0, this.payload(info.epoch));
      return;
    }
    if (now - this.lastLine >= (this.o.intervalMs ?? 1000)) {
      this.lastLine = now;
      const perIter = (now - this.t0) / 1000 / info.iter;
      const eta = (info.maxIter - info.iter) * perIter;
      this.write(
        `epoch ${info.epoch + 1}/${this.o.epochs}  iter ${info.iter}/${info.maxIter}  ` +
          `loss ${fmtLoss(this.smoothedLoss)}  ${fmtInt(this.samplesPerSecond())} samples/s  ETA ${fmtSeconds(eta)}`,
      );
    }
  }

  private startBar(info: IterationInfo): void {
    const total = epochEnd(info.epoch, this.o.iterPerEpoch, this.o.maxIter) - this.epochIter0;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.o.stream as NodeJS.WritableStream,
        format: 'epoch {ep}/{epochs} {bar} {value}/{total} | loss {loss} | {speed} samples/s | ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, this.payload(info.epoch));
  }

  private payload(epoch: number): Record<string, string | number> {
    return {
      ep: epoch + 1,
      epochs: this.o.epochs,
      loss: fmtLoss(this.smoothedLoss),
      speed: fmtInt(this.samplesPerSecond()),
    };
  }

  epoch(info: EpochInfo): void {
    const now = performance.now();
    const speed = this.samplesPerSecond();
    this.stopBar();
    this.epochT0 = now;
    this.epochIter0 = info.iter;
    this.lastLine = now; // the next plain line a full interval after this one
    if (this.o.mode === 'off') return;
    this.write(
      `epoch ${info.epoch}/${this.o.epochs}  train acc ${info.trainAcc.toFixed(4)}  test acc ` +
        `${info.testAcc.toFixed(4)}  loss ${fmtLoss(this.smoothedLoss)}  ${fmtInt(speed)} samples/s  ` +
        `(${info.seconds.toFixed(1)} s)`,
    );
  }

  /** Removes a bar in progress (before an interruption or error message). */
  stopBar(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    }
  }

  private write(line: string): void {
    this.o.stream.write(line + '\n');
  }
}

/**
 * The iteration count at which the 0-based epoch `e` ends in the Trainer: the first c with floor(c / iterPerEpoch)
 * ≥ e + 1 (iterPerEpoch may be fractional, e.g. 2000 / 128), and the last epoch ends at maxIter.
 */
export function epochEnd(e: number, iterPerEpoch: number, maxIter: number): number {
  let c = Math.ceil((e + 1) * iterPerEpoch);
  while (c > 1 && Math.floor((c - 1) / iterPerEpoch) >= e + 1) c--;
  while (Math.floor(c / iterPerEpoch) < e + 1) c++;
  return Math.min(c, maxIter);
}

export function fmtLoss(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/** 61234.5 → '61,235'. */
export function fmtInt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
