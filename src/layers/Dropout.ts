// Dropout, the book's semantics: in training keep a unit where a seeded uniform draw > ratio (out = x·mask, no
// rescaling); at test time out = x·(1 − ratio); backward dout·mask. In place over B×D.
// A mask may instead be preset for the next training forward (presetMask: externally drawn masks, replayed).
import type { Backend } from '../backend/types.js';
import { ShapeError } from '../errors.js';
import type { Layer } from './Layer.js';

export class Dropout implements Layer {
  mask: Float32Array;
  /** Set by presetMask: the next training forward uses `mask` as it is instead of drawing one. */
  private preset = false;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly D: number,
    capacity: number,
    readonly dropoutRatio: number,
    public rng: Int32Array, // the net's dropout stream (mulberry32 state), shared by its Dropout layers in order
  ) {
    this.mask = backend.alloc(capacity * D);
  }

  forward(x: Float32Array, B: number, train: boolean): Float32Array {
    if (train && this.preset) {
      this.preset = false;
      this.backend.dropout_backward(x, x, this.mask, B * this.D); // y = x · mask: the same product as backward's
    } else if (train) {
      this.backend.dropout_forward_train(x, this.mask, x, this.rng, B * this.D, this.dropoutRatio);
    } else {
      this.backend.dropout_forward_infer(x, x, B * this.D, this.dropoutRatio);
    }
    return x;
  }

  /** Copies a checked B×D mask of 0/1 values in, for the next training forward (the net checks it first). */
  presetMask(mask: ArrayLike<number>, B: number): void {
    if (mask.length !== B * this.D)
      throw new ShapeError(`${this.name}.presetMask: expected ${B * this.D} values, got ${mask.length}`);
    this.mask.set(mask);
    this.preset = true;
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
