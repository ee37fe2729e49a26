// Sigmoid, in place: y = 1 / (1 + e^−x); backward dx = dout · y · (1 − y).
import type { Backend } from '../backend/types.js';
import type { Layer } from './Layer.js';

export class Sigmoid implements Layer {
  private y!: Float32Array;
  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly D: number,
  ) {}

  forward(x: Float32Array, B: number): Float32Array {
    this.backend.sigmoid_forward(x, x, B * this.D);
    this.y = x;
    return x;
  }

  backward(dout: Float32Array, B: number): Float32Array {
    this.backend.sigmoid_backward(dout, dout, this.y, B * this.D);
    return dout;
  }

  refresh(k: Backend): void {
    if (this.y) this.y = k.refresh(this.y);
  }
}
