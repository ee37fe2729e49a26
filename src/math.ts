// Small numeric helpers shared by the net, the CLI, the experiments, the plots and the demo (browser-safe).

/** softmax(s) in float64, with the max subtracted (as the book's softmax): one row of scores → probabilities. */
export function softmax(scores: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const e = Array.from(scores, (s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Index of the largest of values[row·C … row·C + C) (the first on ties), as numpy's argmax of that row. */
export function argmaxRow(values: ArrayLike<number>, row: number, C: number): number {
  let best = 0;
  for (let j = 1; j < C; j++) if (values[row * C + j] > values[row * C + best]) best = j;
  return best;
}

/** Index of the largest value (the first on ties). */
export function argmax(values: ArrayLike<number>): number {
  return argmaxRow(values, 0, values.length);
}

/**
 * v to 6 significant digits, so that numbers in results.json and plot specs stay short (exact for integers,
 * invisible on screen). Non-finite values pass unchanged (JSON writes them as null).
 */
export function sig6(v: number): number {
  return Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
}
