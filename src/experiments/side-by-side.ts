// The loop of the book's optimizer_compare_mnist.py and weight_init_compare.py: several nets, each with its own
// optimizer, take a step on the same minibatch every iteration; after the update each net's loss on that batch is
// recorded (as the book does: loss measured after the step), and every 100 iterations the losses are logged.
import type { MultiLayerNet } from '../net/MultiLayerNet.js';
import type { Optimizer } from '../optim/index.js';
import type { Context, Mnist } from './context.js';
import { type IndexSource, Minibatch } from './minibatch.js';

export interface Contender {
  name: string;
  net: MultiLayerNet;
  optimizer: Optimizer;
}

/**
 * Trains every contender for `iterations` steps on shared minibatches (rows drawn by `rows`); returns each one's
 * loss per iteration.
 */
export async function trainSideBySide(
  ctx: Context,
  data: Mnist,
  contenders: Contender[],
  iterations: number,
  batchSize: number,
  rows: IndexSource,
  /** After each iteration, with the losses so far (`done` of them): for Context.partial, which throttles. */
  onStep?: (losses: Record<string, Float32Array>, done: number) => void,
): Promise<Record<string, Float32Array>> {
  const batch = new Minibatch(data.xTrain, data.tTrain, data.inputSize, batchSize, rows);
  const losses: Record<string, Float32Array> = {};
  for (const c of contenders) losses[c.name] = new Float32Array(iterations);
  for (let i = 0; i < iterations; i++) {
    await ctx.tick();
    batch.draw();
    for (const c of contenders) {
      const grads = batch.gradient(c.net);
      c.optimizer.update(c.net.params, grads);
      losses[c.name][i] = batch.loss(c.net);
    }
    if (i % 100 === 0) {
      ctx.log(`===========iteration:${i}===========`);
      for (const c of contenders) ctx.log(`${c.name}:${losses[c.name][i]}`);
    }
    onStep?.(losses, i + 1);
  }
  return losses;
}
