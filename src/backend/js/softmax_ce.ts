// softmax_ce.ts — the reference SoftmaxWithLoss layer (the book's common/layers.py and functions.py)
// over scores x[B×C], row-major. Twin of assembly/softmax_ce.ts.

/** y[i, :] = softmax(x[i, :]) for row i of x[B×C]: exp(x − max) / Σ exp(x − max), in doubles. */
function softmaxRow(y: Float32Array, x: Float32Array, i: number, C: number): void {
  const row = i * C;
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, x[row + c]);
  let sum = 0;
  for (let c = 0; c < C; c++) sum += Math.exp(x[row + c] - max);
  for (let c = 0; c < C; c++) y[row + c] = Math.exp(x[row + c] - max) / sum;
}

/** y = softmax(x) per row; returns −(1/B) Σ_i log(y[i, t[i]] + 1e-7). */
export function softmax_ce_forward(y: Float32Array, x: Float32Array, t: Int32Array, B: number, C: number): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    softmaxRow(y, x, i, C);
    loss -= Math.log(y[i * C + t[i]] + 1e-7);
  }
  return loss / B;
}

/** dx = (y − onehot(t)) / B. dx may alias y. */
export function softmax_ce_backward(dx: Float32Array, y: Float32Array, t: Int32Array, B: number, C: number): void {
  for (let i = 0; i < B; i++) {
    for (let c = 0; c < C; c++) {
      const k = i * C + c;
      dx[k] = (y[k] - (c === t[i] ? 1 : 0)) / B;
    }
  }
}

/** As softmax_ce_forward with one-hot targets t[B×C]: −(1/B) Σ t · log(y + 1e-7). */
export function softmax_ce_onehot_forward(
  y: Float32Array,
  x: Float32Array,
  t: Float32Array,
  B: number,
  C: number,
): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    softmaxRow(y, x, i, C);
    // Terms with t = 0 add exactly 0 and are skipped, as in wasm (so that 0 · log(NaN) cannot differ).
    for (let c = 0; c < C; c++) if (t[i * C + c] !== 0) loss -= t[i * C + c] * Math.log(y[i * C + c] + 1e-7);
  }
  return loss / B;
}

/** dx = (y − t) / B. dx may alias y. */
export function softmax_ce_onehot_backward(
  dx: Float32Array,
  y: Float32Array,
  t: Float32Array,
  B: number,
  C: number,
): void {
  for (let k = 0; k < B * C; k++) dx[k] = (y[k] - t[k]) / B;
}

/** Number of rows whose argmax (the first maximum) equals the label t[i]. */
export function argmax_correct(x: Float32Array, t: Int32Array, B: number, C: number): number {
  let correct = 0;
  for (let i = 0; i < B; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (x[i * C + c] > x[i * C + best]) best = c;
    if (best === t[i]) correct++;
  }
  return correct;
}
