// The book's minibatch `x_batch = x_train[batch_mask]` and its `network.gradient(x_batch, t_batch)`, for the
// experiments' own training loops: row indices drawn as the Trainer draws them (drawRows of src/train/minibatch.ts:
// with replacement, from a seeded Rng or numpy's stream, RandomState), then each drawn row copied once, straight from
// the dataset into a net's input buffers (the Trainer's gather, net[STAGING] of src/net/staging.ts) — no batch array
// in between, and nothing allocated per step.
import type { MultiLayerNet, ParamRecord } from '../net/MultiLayerNet.js';
import { STAGING } from '../net/staging.js';
import { checkInput, checkTargets } from '../net/validate.js';
import { ShapeError, ValueError } from '../errors.js';
import { drawRows, type IndexSource } from '../train/minibatch.js';

export type { IndexSource };

export class Minibatch {
  /** The row indices of the last draw (B of them, into xAll's rows). */
  readonly idx: Int32Array;
  private readonly n: number;
  private readonly maxLabel: number;
  /** The net whose input holds this draw's rows (by the last gradient call), for loss(); null after a draw. */
  private staged: MultiLayerNet | null = null;

  constructor(
    private readonly xAll: Float32Array,
    private readonly tAll: Uint8Array,
    private readonly inputSize: number,
    readonly size: number,
    private readonly rng: IndexSource,
  ) {
    // Checked once here (an O(N) scan), so that a step checks only sizes and its B indices.
    this.n = checkInput(xAll, inputSize, 'Minibatch: xAll');
    checkTargets(tAll, this.n, 256, 'Minibatch: tAll');
    let max = 0;
    for (let i = 0; i < tAll.length; i++) if (tAll[i] > max) max = tAll[i];
    this.maxLabel = max;
    this.idx = new Int32Array(size);
  }

  /** Draws `size` row indices uniformly with replacement (one source.int(N) per row, in order). */
  draw(): void {
    drawRows(this.idx, this.n, this.rng);
    this.staged = null;
  }

  /**
   * The book's `network.gradient(x_batch, t_batch)` on the last draw: its rows gathered into net's input, then the
   * gradient (train mode) into net.grads, which it returns — the same values as net.gradient on a copy of the rows.
   * A net of another input size, or with fewer classes than the labels need, is refused before anything changes.
   */
  gradient(net: MultiLayerNet): ParamRecord {
    if (net.inputSize !== this.inputSize) {
      throw new ShapeError(`Minibatch: rows of ${this.inputSize} inputs for a net of inputSize ${net.inputSize}`);
    }
    if (this.maxLabel >= net.outputSize) {
      throw new ValueError(`Minibatch: label ${this.maxLabel} is not a class of a net of ${net.outputSize} outputs`);
    }
    const staging = net[STAGING];
    staging.gatherBatch(this.xAll, this.tAll, false, this.idx, this.size);
    staging.gradient(this.size);
    this.staged = net;
    return net.grads;
  }

  /**
   * The book's `network.loss(x_batch, t_batch)` (test mode, plus the L2 term) on the last draw's rows, still in net's
   * input from gradient(net) — to be called right after that net's gradient and update, as the book's optimizer
   * comparison records its losses. Any other net (or none since the draw) is a ValueError.
   */
  loss(net: MultiLayerNet): number {
    if (this.staged !== net) {
      throw new ValueError('Minibatch.loss(net): call gradient(net) on this draw first (the rows are staged there)');
    }
    return net[STAGING].loss(this.size);
  }
}
