// ReLU, in place: y = max(0, x); backward dx = y > 0 ? dout : 0 (the output is the mask the book keeps).
import type { Backend } from '../backend/types.js';
import type { Layer } from './Layer.js';

export class Relu implements Layer {
  private y!: Float32Array;
  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly D: number,
  ) {}

  forward(x: Float32Array, B: number): Float32Array {
    this.backend.relu_forward(x, x, B * this.D);
    this.y = x;
    return x;
  }

  backward(dout: Float32Array, B: number): Float32Array {
    this.backend.relu_backward(dout, dout, this.y, B * this.D);
    return dout;
  }

  refresh(k: Backend): void {
    if (this.y) this.y = k.refresh(this.y);
  }
}
