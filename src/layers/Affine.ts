// Affine: y = x·W + b.  x: B×I, W: I×O (row-major), b: O, y: B×O.
// backward: dW = xᵀ·dy, db = Σ_rows dy, dx = dy·Wᵀ — all three through the one gemm with transpose flags.
import type { Backend } from '../backend/types.js';
import type { Layer } from './Layer.js';

export class Affine implements Layer {
  out: Float32Array; // B×O
  dx: Float32Array; // B×I (empty when the input needs no gradient: the first layer)
  private x!: Float32Array;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    public W: Float32Array,
    public b: Float32Array,
    public dW: Float32Array,
    public db: Float32Array,
    readonly I: number,
    readonly O: number,
    capacity: number,
    private readonly needsInputGrad: boolean,
  ) {
    this.out = backend.alloc(capacity * O);
    this.dx = backend.alloc(needsInputGrad ? capacity * I : 0);
  }

  forward(x: Float32Array, B: number): Float32Array {
    this.x = x;
    this.backend.gemm(this.out, x, this.W, B, this.O, this.I, false, false, false);
    this.backend.bias_forward(this.out, this.b, B, this.O);
    return this.out;
  }

  backward(dout: Float32Array, B: number): Float32Array {
    const k = this.backend;
    k.gemm(this.dW, this.x, dout, this.I, this.O, B, true, false, false);
    k.bias_backward(this.db, dout, B, this.O);
    if (this.needsInputGrad) k.gemm(this.dx, dout, this.W, B, this.I, this.O, false, true, false);
    return this.dx;
  }

  refresh(k: Backend): void {
    this.out = k.refresh(this.out);
    this.dx = k.refresh(this.dx);
    this.W = k.refresh(this.W);
    this.b = k.refresh(this.b);
    this.dW = k.refresh(this.dW);
    this.db = k.refresh(this.db);
  }
}
