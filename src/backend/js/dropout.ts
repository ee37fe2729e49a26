// dropout.ts — the reference Dropout layer (the book's common/layers.py Dropout) over flat arrays of n
// floats. Twin of assembly/dropout.ts: both draw the same mulberry32 stream, so their masks are identical.
import { mulberry32Next } from '../../rng.js';

/**
 * mask = u > ratio ? 1 : 0 for u uniform in [0, 1) drawn in order 0..n−1 from the stream in rng[0]
 * (advancing it); y = x · mask. y may alias x.
 */
export function dropout_forward_train(
  y: Float32Array,
  mask: Float32Array,
  x: Float32Array,
  rng: Int32Array,
  n: number,
  ratio: number,
): void {
  // The wasm kernel receives ratio as an f32; compare with that same value so the masks agree bit for bit.
  const r = Math.fround(ratio);
  for (let i = 0; i < n; i++) {
    const u = (mulberry32Next(rng) >>> 8) * 2 ** -24; // 24 random bits, exact in f32
    mask[i] = u > r ? 1 : 0;
    y[i] = x[i] * mask[i];
  }
}

/** Test mode: y = x · (1 − ratio). y may alias x. */
export function dropout_forward_infer(y: Float32Array, x: Float32Array, n: number, ratio: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] * (1 - ratio);
}

/** dx = dy · mask. dx may alias dy. */
export function dropout_backward(dx: Float32Array, dy: Float32Array, mask: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
