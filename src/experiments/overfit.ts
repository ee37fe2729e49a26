// What the book's two overfitting scripts share (ch06/overfit_weight_decay.py, overfit_dropout.py): the first 300
// MNIST training images, a 784-(100×6)-10 ReLU net with He init, SGD lr 0.01, batch 100, and the test set.
// `trainSize` and `epochs` may be changed (the chapter site's knobs); the checks are here, shared by both.
import { ValueError } from '../errors.js';
import type { Context, Mnist } from './context.js';
import { head } from './context.js';

export const TRAIN_SIZE = 300;
export const HIDDEN = [100, 100, 100, 100, 100, 100];
export const BATCH = 100;
export const LR = 0.01;
/** Bounds of the knobs: MNIST has 60,000 training images; at most 2,000 epochs (points) per run. */
export const MAX_TRAIN_SIZE = 60_000;
export const MAX_EPOCHS = 2_000;
/** At most this many runs (λ values, dropout ratios) in one experiment. */
export const MAX_RUNS = 8;

/** A list of distinct finite values in [lo, hi) (or [lo, hi] with `closed`), 1 to MAX_RUNS of them. */
export function checkList(
  name: string,
  key: string,
  v: unknown,
  lo: number,
  hi: number,
  closed: boolean,
): number[] | undefined {
  if (v === undefined) return undefined;
  const ok =
    Array.isArray(v) &&
    v.length >= 1 &&
    v.length <= MAX_RUNS &&
    new Set(v).size === v.length &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= lo && (closed ? x <= hi : x < hi));
  if (!ok) {
    throw new ValueError(
      `${name}: ${key} must be 1 to ${MAX_RUNS} distinct numbers in [${lo}, ${hi}${closed ? ']' : ')'}, got ${
        Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v)
      }`,
    );
  }
  return v as number[];
}

/** The first `trainSize` training images (a ValueError if MNIST has fewer), and the test set (all, or the first `testSize`). */
export function overfitData(name: string, data: Mnist, trainSize: number, testSize?: number) {
  const I = data.inputSize;
  if (trainSize > data.tTrain.length)
    throw new ValueError(`${name}: trainSize ${trainSize} is more than the ${data.tTrain.length} training images`);
  const train = head(data.xTrain, data.tTrain, trainSize, I);
  const n = Math.min(testSize ?? data.tTest.length, data.tTest.length);
  const test = head(data.xTest, data.tTest, n, I);
  return { train, test, testSize: n };
}

/** Train and test accuracy at the end, and their gap. */
export function endOf(trainAcc: number[], testAcc: number[]): { train: number; test: number; gap: number } {
  const train = trainAcc[trainAcc.length - 1],
    test = testAcc[testAcc.length - 1];
  return { train, test, gap: train - test };
}

export function logEpoch(ctx: Context, label: string, epoch: number, every: number, train: number, test: number): void {
  if (epoch % every === 0)
    ctx.log(`${label} epoch:${epoch}, train acc:${train.toFixed(4)}, test acc:${test.toFixed(4)}`);
}
