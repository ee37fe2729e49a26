// The book's minibatch draw `batch_mask = np.random.choice(train_size, batch_size)`: rows with replacement, from a
// seeded Rng (or numpy's stream, RandomState), copied into arrays made once (a training loop allocates nothing per step).

/** What draws the row indices: Rng, or RandomState replaying np.random.choice. */
export interface IndexSource {
  /** Uniform in [0, n). */
  int(n: number): number;
}

export class Minibatch {
  /** B × I inputs of the last draw. */
  readonly x: Float32Array;
  /** B labels of the last draw. */
  readonly t: Uint8Array;
  private readonly n: number;

  constructor(
    private readonly xAll: Float32Array, private readonly tAll: Uint8Array,
    private readonly inputSize: number, readonly size: number, private readonly rng: IndexSource,
  ) {
    this.n = tAll.length;
    this.x = new Float32Array(size * inputSize);
    this.t = new Uint8Array(size);
  }

  /** Fills x and t with `size` rows drawn uniformly with replacement. */
  draw(): void {
    const I = this.inputSize;
    for (let r = 0; r < this.size; r++) {
      const i = this.rng.int(this.n);
      this.x.set(this.xAll.subarray(i * I, (i + 1) * I), r * I);
      this.t[r] = this.tAll[i];
    }
  }
}
