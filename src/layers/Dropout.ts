// Dropout, the book's semantics: in training keep a unit where a seeded uniform draw > ratio (out = x·mask, no
// rescaling); at test time out = x·(1 − ratio); backward dout·mask. In place over B×D.
import type { Backend } from '../backend/types.js';
import type { Layer } from './Layer.js';

export class Dropout implements Layer {
  mask: Float32Array;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly D: number, capacity: number,
    readonly dropoutRatio: number,
    public rng: Int32Array, // the net's dropout stream (mulberry32 state), shared by its Dropout layers in order
  ) {
    this.mask = backend.alloc(capacity * D);
  }

  forward(x: Float32Array, B: number, train: boolean): Float32Array {
    if (train) this.backend.dropout_forward_train(x, this.mask, x, this.rng, B * this.D, this.dropoutRatio);
    else this.backend.dropout_forward_infer(x, x, B * this.D, this.dropoutRatio);
    return x;
  }

  backward(dout: Float32Array, B: number): Float32Array {
    this.backend.dropout_backward(dout, dout, this.mask, B * this.D);
    return dout;
  }

  refresh(k: Backend): void {
    this.mask = k.refresh(this.mask);
    this.rng = k.refresh(this.rng);
  }
}
