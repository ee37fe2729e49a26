// AdaGrad: h ← h + g²;  W ← W − lr·g / (√h + 1e-7).
import type { Backend } from '../backend/types.js';
import { checkRate, Optimizer } from './Optimizer.js';

export interface AdaGradOptions {
  lr?: number;
}

export class AdaGrad extends Optimizer {
  readonly name = 'AdaGrad';
  readonly lr: number;
  constructor({ lr = 0.01 }: AdaGradOptions = {}) {
    super(['h']);
    this.lr = checkRate(lr, 'AdaGrad lr');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.adagrad_update(p, g, s[0], n, this.lr);
  }
}
