// activation.ts — the reference ReLU and sigmoid layers (the book's common/layers.py Relu, Sigmoid),
// elementwise over flat arrays of n floats. Twin of assembly/activation.ts.

/**
 * y = max(0, x). y may alias x. NaN stays NaN (Math.max, like wasm's f32.max and the book's `x[x <= 0] = 0`): a
 * comparison `x > 0 ? x : 0` would map NaN to 0 and hide a diverged net behind a finite loss.
 */
export function relu_forward(y: Float32Array, x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.max(0, x[i]);
}

/** dx = y > 0 ? dy : 0, with y the forward output. dx may alias dy. */
export function relu_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

/** y = 1 / (1 + exp(−x)). y may alias x. */
export function sigmoid_forward(y: Float32Array, x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
}

/** dx = dy · y · (1 − y), with y the forward output. dx may alias dy. */
export function sigmoid_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}
