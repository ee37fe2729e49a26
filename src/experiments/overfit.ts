// What the book's two overfitting scripts share (ch06/overfit_weight_decay.py, overfit_dropout.py): the first 300
// MNIST training images, a 784-(100×6)-10 ReLU net with He init, SGD lr 0.01, batch 100, and the test set.
import type { Context, Mnist } from './context.js';
import { head } from './context.js';

export const TRAIN_SIZE = 300;
export const HIDDEN = [100, 100, 100, 100, 100, 100];
export const BATCH = 100;
export const LR = 0.01;

/** The 300 training images, and the test set (all 10,000, or the first `testSize`). */
export function overfitData(data: Mnist, testSize?: number) {
  const I = data.inputSize;
  const train = head(data.xTrain, data.tTrain, TRAIN_SIZE, I);
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
