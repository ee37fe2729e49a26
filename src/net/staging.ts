// Internal, not part of zerodl's public API (index.ts does not export it): the Trainer's and the experiments'
// zero-allocation path into a net. A step copies a minibatch's rows straight from the dataset into the net's input
// buffers, then runs the gradient (or a test-mode loss) over those staged rows — no copy of the batch, no allocation.
// A net exposes it under the symbol STAGING (`net[STAGING]`), so that it stays out of the net's named members.
import type { Targets } from './validate.js';

export const STAGING: unique symbol = Symbol('zerodl.net.staging');

export interface NetStaging {
  /**
   * Copies rows idx[0..B) of a dataset (x: N×inputSize, t: N labels or N×C one-hot) into the input buffers, growing
   * them first if B is more than the capacity. The data's values must have been checked once beforehand
   * (checkInput / checkTargets: an O(N) scan, not per step); each call checks, before it copies anything, that x and
   * t are whole rows of the same count and that idx[0..B) are rows of them (ShapeError / ValueError). The Trainer and
   * the experiments' Minibatch (src/experiments/minibatch.ts) both gather through here.
   */
  gatherBatch(x: Float32Array, t: Targets, onehot: boolean, idx: Int32Array, B: number): void;
  /** Gradient (train mode) over the B staged rows, into net.grads; returns the loss (with the L2 term). */
  gradient(B: number): number;
  /**
   * Loss (test mode, plus the L2 term) over the B staged rows — after an update, the book Trainer's second
   * `network.loss(x_batch, t_batch)`. Draws no dropout mask and leaves running statistics alone.
   */
  loss(B: number): number;
}
