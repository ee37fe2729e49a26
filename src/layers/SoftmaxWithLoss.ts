// Softmax + cross-entropy, the book's SoftmaxWithLoss: y = softmax(x) (row max subtracted),
// loss = −mean(log(y[t] + 1e-7)); backward dx = (y − t)/B. Targets are integer labels (B) or one-hot rows (B×C).
import type { Backend } from '../backend/types.js';

export class SoftmaxWithLoss {
  y: Float32Array; // B×C probabilities of the last forward
  dx: Float32Array; // B×C
  labels: Int32Array; // B, the targets when given as labels
  onehot: Float32Array; // B×C, the targets when given one-hot
  private useOnehot = false;

  constructor(
    private readonly backend: Backend,
    readonly C: number,
    capacity: number,
  ) {
    this.y = backend.alloc(capacity * C);
    this.dx = backend.alloc(capacity * C);
    this.labels = backend.allocInt32(capacity);
    this.onehot = backend.alloc(capacity * C);
  }

  /** Which of `labels` / `onehot` the next forward reads (the net fills it). */
  setTargetKind(onehot: boolean): void {
    this.useOnehot = onehot;
  }

  forward(x: Float32Array, B: number): number {
    return this.useOnehot
      ? this.backend.softmax_ce_onehot_forward(this.y, x, this.onehot, B, this.C)
      : this.backend.softmax_ce_forward(this.y, x, this.labels, B, this.C);
  }

  backward(B: number): Float32Array {
    if (this.useOnehot) this.backend.softmax_ce_onehot_backward(this.dx, this.y, this.onehot, B, this.C);
    else this.backend.softmax_ce_backward(this.dx, this.y, this.labels, B, this.C);
    return this.dx;
  }

  refresh(k: Backend): void {
    this.y = k.refresh(this.y);
    this.dx = k.refresh(this.dx);
    this.labels = k.refresh(this.labels);
    this.onehot = k.refresh(this.onehot);
  }
}
