// What every layer of a MultiLayerNet does. Buffers are allocated once for `capacity` rows; a call works on the
// first B rows (B ≤ capacity). forward keeps exactly what backward needs, as the book's layers do.
import type { Backend } from '../backend/types.js';

export interface Layer {
  readonly name: string;
  /** x: B×in rows → the layer's output (its own buffer, or x itself for in-place layers). */
  forward(x: Float32Array, B: number, train: boolean): Float32Array;
  /** dout: B×out rows → dx (its own buffer, or dout itself for in-place layers); sets the layer's gradients. */
  backward(dout: Float32Array, B: number): Float32Array;
  /** Re-make every buffer view after the backend's memory grew. */
  refresh(backend: Backend): void;
}
