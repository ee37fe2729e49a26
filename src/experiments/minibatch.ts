// The book's minibatch `x_batch = x_train[batch_mask]`: rows drawn as the Trainer draws them (drawRows of
// src/train/minibatch.ts: with replacement, from a seeded Rng or numpy's stream, RandomState), copied into arrays
// made once (a training loop allocates nothing per step), for the experiments' own loops over net.gradient(x, t).
import { drawRows, type IndexSource } from '../train/minibatch.js';

export type { IndexSource };

export class Minibatch {
  /** B × I inputs of the last draw. */
  readonly x: Float32Array;
  /** B labels of the last draw. */
  readonly t: Uint8Array;
  private readonly n: number;
  private readonly idx: Int32Array;

  constructor(
    private readonly xAll: Float32Array,
    private readonly tAll: Uint8Array,
    private readonly inputSize: number,
    readonly size: number,
    private readonly rng: IndexSource,
  ) {
    this.n = tAll.length;
    this.x = new Float32Array(size * inputSize);
    this.t = new Uint8Array(size);
    this.idx = new Int32Array(size);
  }

  /** Fills x and t with `size` rows drawn uniformly with replacement. */
  draw(): void {
    const I = this.inputSize;
    drawRows(this.idx, this.n, this.rng);
    for (let r = 0; r < this.size; r++) {
      const i = this.idx[r];
      this.x.set(this.xAll.subarray(i * I, (i + 1) * I), r * I);
      this.t[r] = this.tAll[i];
    }
  }
}
