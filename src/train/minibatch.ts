// The book's minibatch draw `batch_mask = np.random.choice(train_size, batch_size)`: row indices uniform in
// [0, train_size), with replacement, one draw per row in order. The Trainer and the experiments' own training loops
// (src/experiments/minibatch.ts) both draw through here, so a seed picks the same rows in either.

/** What draws the row indices: Rng, or RandomState replaying np.random.choice. */
export interface IndexSource {
  /** Uniform in [0, n). */
  int(n: number): number;
}

/** idx[0..B) ← B row indices uniform in [0, n), with replacement (B = idx.length unless given). Allocates nothing. */
export function drawRows(idx: Int32Array, n: number, source: IndexSource, B = idx.length): void {
  for (let i = 0; i < B; i++) idx[i] = source.int(n);
}
